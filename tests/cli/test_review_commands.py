"""``mentor review …`` and ``mentor kb due|checked``: refusals exit 1 naming the field, nothing changed;
the listing and the upkeep report print what the services return."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot import logs
from bot.cli import main

PASSWORD = "correct horse battery"
NOW = datetime(2027, 1, 10, 9, 0, tzinfo=timezone.utc)
Run = Callable[..., tuple[int, str, str]]
CUR, MEN, NOBODY = ["--by", "cur@example.org"], ["--by", "men@example.org"], ["--by", "nobody@example.org"]
ASSIGN = ["review", "assign", "1", "art27.permit"]


@pytest.fixture
def mentor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    monkeypatch.setenv("MENTOR_DATABASE_URL", f"sqlite:///{tmp_path / 'review.db'}")

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(list(args))
        logs.configure("DEBUG")
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return code, out, err

    run("staff", "add", "cur@example.org", "--role", "curator", stdin=PASSWORD + "\n")
    run("staff", "add", "men@example.org", "--role", "mentor", stdin=PASSWORD + "\n")
    return run


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([*ASSIGN, *NOBODY], "by: nobody@example.org: no active"),
        ([*ASSIGN, *MEN], "by: men@example.org is not a curator"),
        (["review", "assign", "one", "art27.permit", *CUR], "group: 'one' is not a group"),
        (["review", "out-of-scope", "7", *CUR], "group: no open group 7"),
        (["review", "draft", "7", *MEN], "by: men@example.org is not a curator"),
        (["kb", "checked", "art27.nothing", *CUR], "entry: 'art27.nothing' is not an entry"),
        (["kb", "checked", "art27.permit", *MEN], "by: men@example.org is not a curator"),
        (["kb", "due", "--days", "-3"], "days: 0 or more"),
    ],
)
def test_refusals_exit_1_naming_the_field(mentor: Run, tmp_path: Path, args: list[str], message: str) -> None:
    code, _, err = mentor(*args)
    assert code == 1 and err.startswith(f"mentor: {message}"), err
    database = sqlite3.connect(tmp_path / "review.db")
    actions = [r[0] for r in database.execute("select action from audit_log")]
    database.close()
    assert actions == ["staff.add", "staff.add"], "a refusal changes nothing"


def test_an_empty_review_list(mentor: Run) -> None:
    assert mentor("review", "list") == (0, "no unanswered questions to review\n", "")
    assert json.loads(mentor("review", "list", "--json")[1]) == []


@pytest.mark.model
def test_the_listing_groups_with_the_trained_model_and_masks(mentor: Run, tmp_path: Path) -> None:
    from bot.app import open_database
    from bot.settings import Settings
    from bot.storage import unanswered, users

    settings = Settings.from_env({"MENTOR_DATABASE_URL": f"sqlite:///{tmp_path / 'review.db'}"})
    if not settings.rasa_model.exists():
        pytest.skip("no trained model: run `mentor train`")
    database = open_database(settings)
    with database.session() as session:
        person = users.get_or_create(session, "telegram", "5", NOW)
        for text, variety in (
            ("comment faire le codice fiscale, mon mail amal@gmail.com", "fr"),
            ("kifach ndir codice fiscale", "ary_latn"),
            ("come faccio il codice fiscale", "it"),
            ("la météo à rome", "fr"),
        ):
            unanswered.record(session, person.id, text, variety, "nlu_fallback", 0.3, NOW)
    database.engine.dispose()
    code, out, _ = mentor("review", "list", "--json")
    groups = json.loads(out)
    assert code == 0 and [g["count"] for g in groups] == [3, 1]
    assert groups[0]["varieties"] == {"fr": 1, "ary_latn": 1, "it": 1}
    assert "amal@gmail.com" not in out and "[email]" in out


def test_export_elsewhere_writes_only_there(mentor: Run, tmp_path: Path) -> None:
    code, out, _ = mentor("review", "export", str(tmp_path / "change"))
    assert code == 0 and out.startswith("0 new examples")


def test_kb_due_lists_entries_with_their_sources_and_calls(mentor: Run) -> None:
    code, out, _ = mentor("kb", "due", "--days", "3650")
    assert code == 0
    assert "art27.permit: recheck_by " in out and "  Portale Immigrazione" in out
    assert "no call opens or closes" in out or "call " in out
