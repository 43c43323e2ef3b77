"""``mentor broadcast …`` and ``mentor campaign …`` from the command line: the id printed, refusals that
exit 1 with one line naming what is wrong and nothing changed, the preview and the figures."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from bot import app, logs
from bot.cli import main
from bot.settings import Settings
from bot.staff.accounts import CLI_ACTOR, StaffAccounts

PASSWORD = "correct horse battery"
Mentor = Callable[..., tuple[int, str, str]]
SEGMENT = "country=MA,language=ary,consent=news"


@pytest.fixture
def mentor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Mentor:
    url = f"sqlite:///{tmp_path / 'mentor.db'}"
    monkeypatch.setenv("MENTOR_DATABASE_URL", url)
    database = app.open_database(Settings.from_env({"MENTOR_DATABASE_URL": url}, dotenv=None))
    accounts = StaffAccounts(database, app.utc_now)
    admin = accounts.add("root@example.org", ["admin"], PASSWORD, CLI_ACTOR)
    accounts.add("bea@example.org", ["broadcaster"], PASSWORD, admin.email)
    accounts.add("amal@example.org", ["approver"], PASSWORD, admin.email)
    database.engine.dispose()

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(""))
        code = main(list(args))
        logs.configure("DEBUG")
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return code, out, err

    return run


def _count(tmp_path: Path, table: str) -> int:
    database = sqlite3.connect(tmp_path / "mentor.db")
    try:
        return int(database.execute(f"select count(*) from {table}").fetchone()[0])
    finally:
        database.close()


def _create(mentor: Mentor, *extra: str) -> tuple[int, str, str]:
    return mentor(
        "broadcast", "create", "--name", "Stage", "--segment", SEGMENT, "--text", "ary=Salam <b>!</b>",
        "--text", "fr=Bonjour", *extra,
    )  # fmt: skip


def test_create_prints_the_id_then_preview_approve_and_status(mentor: Mentor, tmp_path: Path) -> None:
    code, out, err = _create(mentor, "--button", "art27.visa", "--by", "bea@example.org")
    assert (code, out.strip()) == (0, "1")
    code, out, _ = mentor("broadcast", "preview", "1")
    assert code == 0 and "recipients: 0 of 0 matched" in out and "send: as soon as it is approved" in out
    code, _, err = mentor("broadcast", "approve", "1", "--by", "bea@example.org")
    assert code == 1 and err.strip() == "mentor: bea@example.org is not an approver"
    assert mentor("broadcast", "approve", "1", "--by", "amal@example.org")[0] == 0
    code, out, _ = mentor("broadcast", "status", "1", "--json")
    figures = json.loads(out)
    assert code == 0 and (figures["status"], figures["recipients"]) == ("approved", 0)
    code, out, _ = mentor("broadcast", "status", "1", "--csv")
    assert out.splitlines()[0] == "figure,detail,count"
    assert mentor("broadcast", "cancel", "1", "--by", "amal@example.org")[0] == 0
    assert "cancelled" in mentor("broadcast", "list")[1]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--by", "nobody@example.org"), "nobody@example.org: no active staff account"),
        (("--by", "amal@example.org"), "amal@example.org is not a broadcaster"),
        (("--text", "klingon=nuqneH", "--by", "bea@example.org"), "text: 'klingon' is not one of"),
        (("--text", "fr", "--by", "bea@example.org"), "text: 'fr' is not LANG=TEXT"),
        (("--text", "fr=again", "--by", "bea@example.org"), "text fr: given twice"),
        (("--button", "visa", "--by", "bea@example.org"), "button: 'visa' is not a knowledge topic"),
        (("--at", "soon", "--by", "bea@example.org"), "at: 'soon' is not a time"),
        (("--local", "--by", "bea@example.org"), "local: needs --at"),
        (("--template", "mentor_news", "--by", "bea@example.org"), "template: 'mentor_news' is not one of"),
    ],
)
def test_bad_input_exits_1_with_one_line_and_nothing_changes(
    mentor: Mentor, tmp_path: Path, extra: tuple[str, ...], message: str
) -> None:
    audited = _count(tmp_path, "audit_log")
    code, out, err = _create(mentor, *extra)
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err
    assert _count(tmp_path, "broadcasts") == 0 and _count(tmp_path, "audit_log") == audited


def test_unknown_broadcasts_and_campaigns_are_refused(mentor: Mentor) -> None:
    for args in (("preview", "9"), ("status", "9"), ("approve", "9", "--by", "amal@example.org")):
        code, _, err = mentor("broadcast", *args)
        assert code == 1 and "broadcast 9: no such broadcast" in err
    code, _, err = mentor("campaign", "show", "nope")
    assert code == 1 and "no campaign 'nope'" in err


def test_campaign_create_links_posters_and_show(mentor: Mentor, tmp_path: Path) -> None:
    assert mentor("campaign", "create", "fair", "--name", "Fair", "--by", "bea@example.org")[0] == 0
    bot = ("--telegram-bot", "MentorBot", "--whatsapp-number", "212600000000")
    code, out, _ = mentor("campaign", "links", "fair", *bot)
    assert code == 0 and "https://t.me/MentorBot?start=fair" in out and "START fair" in out
    folder = tmp_path / "posters"
    code, out, _ = mentor("campaign", "poster", "fair", *bot, "--out", str(folder), "--by", "bea@example.org")
    assert code == 0 and len(list(folder.iterdir())) == 8
    code, out, _ = mentor("campaign", "show", "fair", "--json")
    assert code == 0 and json.loads(out)["people"] == 0
    code, _, err = mentor("campaign", "create", "bad code", "--name", "x", "--by", "bea@example.org")
    assert code == 1 and "code:" in err
