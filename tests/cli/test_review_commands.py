"""``mentor review …`` and ``mentor kb due|checked``: refusals exit 1 naming the field, nothing changed;
the listing and the upkeep report print what the services return."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from bot import logs
from bot.cli import main

PASSWORD = "correct horse battery"
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
    assert mentor("review", "list", "--json")[1] == "[]\n"


def test_export_elsewhere_writes_only_there(mentor: Run, tmp_path: Path) -> None:
    code, out, _ = mentor("review", "export", str(tmp_path / "change"))
    assert code == 0 and out.startswith("0 new examples")


def test_kb_due_lists_entries_with_their_sources_and_calls(mentor: Run) -> None:
    code, out, _ = mentor("kb", "due", "--days", "3650")
    assert code == 0
    assert "art27.permit: recheck_by " in out and "  Portale Immigrazione" in out
    assert "no call opens or closes" in out or "call " in out
