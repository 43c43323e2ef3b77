"""What each staff subcommand of ``mentor`` does (cohorts, plans, the outbox, staff accounts), apart from
argument parsing. They need the database, knowledge and plans, never the language models, so they start fast.
Every refusal is a ``StaffError``: its message is printed and the command exits 1 with nothing changed.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.settings import Settings
from bot.staff.errors import StaffError


def _refusing(action: Callable[[], str]) -> int:
    """Print what ``action`` returns, or its refusal (exit 1)."""
    try:
        sys.stdout.write(action() + "\n")
    except StaffError as error:
        sys.stderr.write(f"mentor: {error}\n")
        return 1
    return 0


def cohort(settings: Settings, action: str, args: dict[str, Any]) -> int:
    """A cohort or plan subcommand."""
    from bot import app

    tools = app.cohort_tools(settings)
    actions: dict[str, Callable[[], str]] = {
        "create": lambda: tools.create(
            args["code"], args["programme"], args["city"], args["timezone"], dict(args["date"] or [])
        ),
        "show": lambda: tools.show(args["code"]),
        "set-date": lambda: tools.set_date(args["code"], args["name"], args["day"]),
        "enroll": lambda: tools.enroll(args["code"], args["person"], args["timezone"], args["language"]),
        "remove": lambda: tools.remove(args["code"], args["person"]),
        "import": lambda: tools.import_csv(Path(args["file"])),
        "preview": lambda: tools.preview(args["code"]),
    }
    try:
        return _refusing(actions[action])
    finally:
        tools.database.engine.dispose()


def outbox_status(settings: Settings) -> int:
    """Counts by state and the oldest due message."""
    from bot import app
    from bot.staff.outbox import outbox_status as describe

    database = app.open_database(settings)
    sys.stdout.write(describe(database, app.utc_now()) + "\n")
    database.engine.dispose()
    return 0


def read_password() -> str:
    """The new password: one line of standard input when it is not a terminal, else asked twice."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise StaffError("password: the two entries differ")
    return first


def staff(settings: Settings, action: str, args: dict[str, Any]) -> int:
    """``mentor staff add|list|disable``; the operator at the terminal is the audit log's actor."""
    from bot import app
    from bot.staff.accounts import CLI_ACTOR, StaffAccounts

    database = app.open_database(settings)
    accounts = StaffAccounts(database, app.utc_now)

    def add() -> str:
        roles = args["role"] or ""
        made = accounts.add(args["email"], roles.split(","), read_password(), CLI_ACTOR, args["language"])
        return f"staff {made.email}: {', '.join(sorted(made.roles))}"

    def listing() -> str:
        rows = [
            f"{s.email}\t{','.join(sorted(s.roles))}\t{s.language}\t{state}"
            for s, state in accounts.everyone()
        ]
        return "\n".join(rows) if rows else "no staff accounts"

    actions: dict[str, Callable[[], str]] = {
        "add": add,
        "list": listing,
        "disable": lambda: f"staff {accounts.disable(args['email'], CLI_ACTOR).email}: disabled",
    }
    try:
        return _refusing(actions[action])
    finally:
        database.engine.dispose()
