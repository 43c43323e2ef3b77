"""``mentor staff add|list|disable``: the password from standard input, refusals that exit 1 naming the
field, and an audit row for each change."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from bot import logs
from bot.cli import main

PASSWORD = "correct horse battery"
Staff = Callable[..., tuple[int, str, str]]


@pytest.fixture
def staff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Staff:
    monkeypatch.setenv("MENTOR_DATABASE_URL", f"sqlite:///{tmp_path / 'staff.db'}")

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["staff", *args])
        logs.configure("DEBUG")
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return code, out, err

    return run


def test_add_list_and_disable(staff: Staff, tmp_path: Path) -> None:
    assert staff("add", "Ama@Example.org", "--role", "broadcaster,approver", stdin=PASSWORD + "\n")[0] == 0
    code, out, _ = staff("list")
    assert code == 0 and out.split() == ["ama@example.org", "approver,broadcaster", "en", "active"]
    assert staff("disable", "ama@example.org")[0] == 0
    assert staff("list")[1].split()[-1] == "disabled"
    database = sqlite3.connect(tmp_path / "staff.db")
    assert [r[0] for r in database.execute("select action from audit_log order by id")] == [
        "staff.add",
        "staff.disable",
    ]
    assert PASSWORD not in str(database.execute("select * from staff_accounts").fetchall())
    database.close()


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("add", "ama@example.org", "--role", "wizard"), PASSWORD, "role: 'wizard' is not one of"),
        (("add", "ama@example.org", "--role", "admin"), "short", "password: at least 12 characters"),
        (("add", "ama", "--role", "admin"), PASSWORD, "email: 'ama' is not an email address"),
        (("add", "ama@example.org", "--role", "admin", "--language", "de"), PASSWORD, "language"),
        (("disable", "nobody@example.org"), "", "no such staff account"),
    ],
)
def test_bad_input_exits_1_naming_what_is_wrong(
    staff: Staff, args: tuple[str, ...], stdin: str, message: str
) -> None:
    code, _, err = staff(*args, stdin=stdin)
    assert code == 1 and message in err
    assert staff("list")[1].strip() == "no staff accounts"


def test_an_email_cannot_be_taken_twice(staff: Staff) -> None:
    assert staff("add", "ama@example.org", "--role", "admin", stdin=PASSWORD)[0] == 0
    code, _, err = staff("add", "AMA@example.org", "--role", "mentor", stdin=PASSWORD)
    assert code == 1 and "an account with this email exists" in err
