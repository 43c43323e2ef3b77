"""Knowledge upkeep: entries due for re-checking, a curator's record that they checked, calls about to move.

A check is written where the dates already live, in the entry's own file (``checked:`` and ``recheck_by:``
lines rewritten in place, nothing else touched), rather than in a log the loader would apply: the answer
shows the ``checked`` date people read, ``mentor kb validate`` and the tests read the files, and the change is
one line pair a developer sees in ``git diff`` and commits. Who checked goes to the audit log, not into the
public repository. The next ``recheck_by`` keeps the entry's interval (a figure that changes often was given a
short one).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from bot.staff.accounts import Staff
from bot.staff.errors import StaffError
from bot.storage import audit
from bot.storage.db import Database
from knowledge import loader
from knowledge.model import Call, Source

DUE_WITHIN_DAYS = 30
_DATE_LINE = re.compile(r"^(?P<key>checked|recheck_by):[ \t]*\S+(?P<rest>[ \t]*(?:#.*)?)$", re.M)


@dataclass(frozen=True)
class DueEntry:
    """An entry to check again: past ``recheck_by`` (``days_left`` < 0) or within the window."""

    id: str
    checked: date
    recheck_by: date
    days_left: int
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class CallMove:
    """A call that opens or closes within the window."""

    id: str
    title: Mapping[str, str]
    event: str  # opens, closes
    at: datetime
    days_left: int


@dataclass(frozen=True)
class Checked:
    """An entry's dates after a check."""

    id: str
    checked: date
    recheck_by: date


def due(today: date, days: int = DUE_WITHIN_DAYS, root: Path = loader.KNOWLEDGE_DIR) -> list[DueEntry]:
    """Entries whose ``recheck_by`` is past or within ``days`` of ``today``, the most overdue first."""
    if days < 0:
        raise StaffError("days: 0 or more")
    knowledge, _ = loader.load(root)
    found = [
        DueEntry(e.id, e.checked, e.recheck_by, (e.recheck_by - today).days, e.sources)
        for e in knowledge.entries.values()
        if e.recheck_by <= today + timedelta(days=days)
    ]
    return sorted(found, key=lambda d: (d.recheck_by, d.id))


def calls_moving(
    now: datetime, days: int = DUE_WITHIN_DAYS, root: Path = loader.KNOWLEDGE_DIR
) -> list[CallMove]:
    """Calls that open or close between ``now`` and ``days`` later, soonest first."""
    knowledge, _ = loader.load(root)
    end = now + timedelta(days=days)
    moves = []
    for call in knowledge.calls:
        for event, at in (("opens", call.opens), ("closes", call.closes)):
            if at is not None and now <= at <= end:
                moves.append(CallMove(call.id, call.title, event, at, (at - now).days))
    return sorted(moves, key=lambda m: m.at)


def _entry_path(root: Path, entry_id: str) -> Path:
    knowledge, _ = loader.load(root)
    entry = knowledge.entries.get(entry_id)
    if entry is None or entry.path is None:
        raise StaffError(f"entry: {entry_id[:60]!r} is not an entry id (see `mentor kb due`)")
    return entry.path


def _rewrite_dates(path: Path, checked: date, recheck_by: date) -> None:
    text = path.read_text(encoding="utf-8")
    values = {"checked": checked.isoformat(), "recheck_by": recheck_by.isoformat()}
    new, count = _DATE_LINE.subn(lambda m: f"{m['key']}: {values[m['key']]}{m['rest']}", text)
    if count != 2:
        raise StaffError(f"entry: {path.name} has no single checked/recheck_by line pair to update")
    path.write_text(new, encoding="utf-8")


class Upkeep:
    """Records checks in the knowledge files under ``root``, audited in ``database``."""

    def __init__(
        self, database: Database, clock: Callable[[], datetime], root: Path = loader.KNOWLEDGE_DIR
    ) -> None:
        self.database = database
        self.clock = clock
        self.root = root

    def record_checked(self, by: Staff, entry_id: str, on: date | None = None) -> Checked:
        """``by`` checked the entry's sources ``on`` (today by default); its dates follow."""
        if not by.has("curator"):
            raise StaffError(f"by: {by.email} is not a curator")
        now = self.clock()
        day = on or now.date()
        if day > now.date():
            raise StaffError(f"date: {day.isoformat()} is in the future")
        path = _entry_path(self.root, entry_id)
        knowledge, _ = loader.load(self.root)
        entry = knowledge.entries[entry_id]
        interval = max(entry.recheck_by - entry.checked, timedelta(days=1))
        result = Checked(entry_id, day, day + interval)
        _rewrite_dates(path, result.checked, result.recheck_by)
        with self.database.session() as session:
            audit.record(
                session, by.email, "kb.checked", "entry", entry_id, now,
                checked=result.checked.isoformat(), recheck_by=result.recheck_by.isoformat(),
            )
        return result


def call_title(call: Call | CallMove, language: str = "en") -> str:
    """The call's title in ``language`` (French where missing)."""
    return call.title.get(language) or call.title.get("fr", "")
