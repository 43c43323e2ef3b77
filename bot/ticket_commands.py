"""``mentor tickets …``: the handoff queue, replies, notes, passing, closing and team membership.

Thin: parse, build the ``TicketDesk``, call, print. ``--by EMAIL`` names the mentor acting (checked with
``StaffAccounts.require``); the queue overview and team membership may be run by the operator at the server's
terminal without it. Every refusal prints one line and exits 1 with nothing changed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from bot.settings import Settings
from bot.staff.errors import StaffError
from bot.staff.tickets import TicketDesk, TicketSummary, TicketView


def tickets(settings: Settings, action: str, args: dict[str, Any]) -> int:
    """One ``mentor tickets`` subcommand."""
    from bot import app
    from bot.staff.accounts import StaffAccounts
    from knowledge import teams

    database = app.open_database(settings)
    knowledge = app.load_knowledge()
    desk = TicketDesk(database, teams.load(list(knowledge.entries)), teams.load_saved_replies(), app.utc_now)
    accounts = StaffAccounts(database, app.utc_now)

    def mentor() -> Any:
        if not args.get("by"):
            raise StaffError("--by: name the mentor acting (--by EMAIL)")
        return accounts.require(args["by"], "mentor")

    def listing() -> str:
        by = mentor() if args.get("by") else None
        found = desk.queue(by, include_closed=args.get("all", False))
        if args.get("json"):
            return json.dumps([_as_json(t) for t in found], ensure_ascii=False)
        return "\n".join(_row(t) for t in found) if found else "no tickets waiting"

    def show() -> str:
        view = desk.show(mentor(), args["id"])
        if args.get("json"):
            return json.dumps(_view_json(view), ensure_ascii=False)
        return _view_text(view)

    def team() -> str:
        what = args["team_action"]
        if what == "list":
            rows = [f"{team_id}\t{email}" for team_id, email in desk.members()]
            return "\n".join(rows) if rows else "no mentors in teams"
        change = desk.add_member if what == "add" else desk.remove_member
        return change(None, args["email"], args["team"])

    actions: dict[str, Callable[[], str]] = {
        "list": listing,
        "show": show,
        "reply": lambda: _done(
            "replied", desk.reply(mentor(), args["id"], args.get("text"), args.get("saved"))
        ),
        "note": lambda: _done("noted", desk.note(mentor(), args["id"], args["text"])),
        "pass": lambda: _done("passed", desk.pass_to(mentor(), args["id"], args["team"])),
        "close": lambda: _done("closed", desk.close(mentor(), args["id"])),
        "team": team,
        "saved": lambda: "\n".join(f"{key}\t{texts['en']}" for key, texts in desk.saved_replies.items()),
    }
    try:
        try:
            sys.stdout.write(actions[action]() + "\n")
        except StaffError as error:
            sys.stderr.write(f"mentor: {error}\n")
            return 1
        return 0
    finally:
        database.engine.dispose()


def _done(what: str, ticket: TicketSummary) -> str:
    return f"ticket {ticket.id} {what}: {ticket.status}, team {ticket.team}"


def _waited(ticket: TicketSummary) -> str:
    minutes = int(ticket.waited.total_seconds() // 60)
    return f"{minutes // 1440}d{minutes // 60 % 24:02d}h{minutes % 60:02d}m"


def _row(ticket: TicketSummary) -> str:
    """One line of the queue; overdue tickets are marked first, so they stand out."""
    flag = "OVERDUE" if ticket.overdue else ("answered" if ticket.answered else "waiting")
    return "\t".join(
        [
            f"#{ticket.id}",
            flag,
            ticket.team,
            f"waited {_waited(ticket)}",
            ticket.status,
            ticket.language,
            ticket.country or "-",
            ticket.channel,
            ticket.topic or "-",
            f"person {ticket.person[:8]}",
        ]
    )


def _as_json(ticket: TicketSummary) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "team": ticket.team,
        "team_name": ticket.team_name,
        "status": ticket.status,
        "source": ticket.source,
        "topic": ticket.topic,
        "person": ticket.person,
        "channel": ticket.channel,
        "language": ticket.language,
        "country": ticket.country,
        "cohort": ticket.cohort,
        "opened_at": ticket.opened_at.isoformat(),
        "waited_minutes": int(ticket.waited.total_seconds() // 60),
        "overdue": ticket.overdue,
        "answered": ticket.answered,
        "messages": ticket.messages,
    }


def _view_json(view: TicketView) -> dict[str, Any]:
    return {
        **_as_json(view.ticket),
        "conversation": [
            {"from": line.author, "staff": line.staff, "text": line.text, "at": line.at.isoformat()}
            for line in view.lines
        ],
        "saved_replies": view.saved_replies,
    }


def _view_text(view: TicketView) -> str:
    lines = [_row(view.ticket), ""]
    for line in view.lines:
        who = f"{line.author} {line.staff}" if line.staff else line.author
        lines.append(f"[{line.at:%Y-%m-%d %H:%M}] {who}: {line.text}")
    return "\n".join(lines)
