"""``mentor review …`` and ``mentor kb due|checked``: the review loop and knowledge upkeep, in a terminal.

Thin: they build the services of ``bot.staff.review`` and ``bot.staff.upkeep`` (which the console calls
too), call one function, print. ``--by EMAIL`` must name an active curator; every refusal is a
``StaffError``, printed with the field it is about, exit 1. Grouping loads the trained Rasa model (seconds).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.settings import Settings
from bot.staff.accounts import Staff, StaffAccounts
from bot.staff.errors import StaffError
from bot.staff.review import Decision, Group
from bot.staff_commands import _refusing


def _curator(accounts: StaffAccounts, email: str) -> Staff:
    """The curator ``--by`` names; the refusal names the option."""
    try:
        return accounts.require(email, "curator")
    except StaffError as error:
        raise StaffError(f"by: {error}") from None


def _group_lines(group: Group) -> list[str]:
    varieties = ", ".join(f"{v} {n}" for v, n in group.varieties.items())
    reasons = ", ".join(f"{r} {n}" for r, n in group.reasons.items())
    head = f"group {group.id}: {group.count} questions ({varieties}; {reasons})"
    return [f"{head}; closest {group.closest_intent}", *(f"  [{q.variety}] {q.text}" for q in group.examples)]


def _group_json(group: Group) -> dict[str, Any]:
    return {
        "group": group.id,
        "count": group.count,
        "varieties": group.varieties,
        "reasons": group.reasons,
        "closest_intent": group.closest_intent,
        "examples": [
            {"id": q.id, "text": q.text, "variety": q.variety, "intent": q.intent, "reason": q.reason}
            for q in group.examples
        ],
    }


def _decision_line(decision: Decision) -> str:
    line = f"group {decision.group}: {decision.questions} questions {decision.outcome}"
    if decision.topic:
        written = ", ".join(f"{v} {n}" for v, n in sorted((decision.written or {}).items())) or "none"
        line += f" to {decision.topic}; examples written: {written}; already known: {decision.skipped}"
        line += "; run `mentor train` to learn them"
    if decision.draft:
        line += f"; draft {decision.draft}"
    return line


def review(settings: Settings, action: str, args: dict[str, Any]) -> int:
    """``mentor review list|assign|out-of-scope|draft|export``."""
    from bot import app
    from bot.staff.review import ReviewService
    from bot.staff.similarity import RasaUnderstanding

    database = app.open_database(settings)
    service = ReviewService(database, app.utc_now, lambda: RasaUnderstanding(settings.rasa_model))

    def curator() -> Staff:
        return _curator(StaffAccounts(database, app.utc_now), args["by"])

    def group() -> int:
        text = str(args["group"]).removeprefix("group").strip()
        if not text.isdigit():
            raise StaffError(f"group: {args['group'][:20]!r} is not a group number (`mentor review list`)")
        return int(text)

    def listing() -> str:
        groups = service.groups()
        if args.get("json"):
            return json.dumps([_group_json(g) for g in groups], ensure_ascii=False)
        lines = [line for g in groups for line in _group_lines(g)]
        return "\n".join(lines) or "no unanswered questions to review"

    def exported() -> str:
        done = service.export(Path(args["dir"]) if args.get("dir") else None)
        files = "\n".join(f"  {p}" for p in done.files)
        return f"{done.added} new examples in {len(done.files)} files" + (f":\n{files}" if files else "")

    actions: dict[str, Callable[[], str]] = {
        "list": listing,
        "assign": lambda: _decision_line(service.assign(curator(), group(), args["topic"])),
        "out-of-scope": lambda: _decision_line(service.out_of_scope(curator(), group())),
        "draft": lambda: _decision_line(service.draft(curator(), group())),
        "export": exported,
    }
    try:
        return _refusing(actions[action])
    finally:
        database.engine.dispose()


def kb_due(days: int) -> int:
    """Entries due for re-checking with their sources, and calls opening or closing, within ``days``."""
    from bot import app
    from bot.staff.upkeep import call_title, calls_moving, due

    def report() -> str:
        now = app.utc_now()
        lines = []
        for entry in due(now.date(), days):
            when = f"{-entry.days_left} days overdue" if entry.days_left < 0 else f"in {entry.days_left} days"
            lines.append(f"{entry.id}: recheck_by {entry.recheck_by} ({when}), checked {entry.checked}")
            lines += [f"  {s.title}: {s.url}" for s in entry.sources]
        if not lines:
            lines.append(f"no entry due within {days} days")
        moves = calls_moving(now, days)
        lines += [
            f"call {m.id} {m.event} {m.at.isoformat()} (in {m.days_left} days): {call_title(m)}"
            for m in moves
        ]
        if not moves:
            lines.append(f"no call opens or closes within {days} days")
        return "\n".join(lines)

    return _refusing(report)


def kb_checked(settings: Settings, entry: str, by: str) -> int:
    """Record that ``by`` checked the entry's sources today."""
    from bot import app
    from bot.staff.upkeep import Upkeep

    database = app.open_database(settings)

    def record() -> str:
        curator = _curator(StaffAccounts(database, app.utc_now), by)
        done = Upkeep(database, app.utc_now).record_checked(curator, entry)
        return f"{done.id}: checked {done.checked}, recheck_by {done.recheck_by}"

    try:
        return _refusing(record)
    finally:
        database.engine.dispose()
