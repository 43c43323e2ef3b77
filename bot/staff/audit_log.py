"""The audit log as staff read and extend it: actions no other service records (logging out) are recorded
here, and admins page through the rows newest first.

``StaffAccounts`` records its own changes; the console calls this service, never ``bot.storage.audit``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.staff.accounts import Staff
from bot.storage import audit
from bot.storage.db import Database

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditRow:
    """One row as shown: who, what, on which object, when, and its names and counts."""

    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class AuditPage:
    """Rows newest first; ``older`` is the ``before`` of the next page, None on the last one."""

    rows: list[AuditRow]
    older: int | None


class AuditLog:
    """The audit log of one database."""

    def __init__(self, database: Database, clock: Callable[[], datetime]) -> None:
        self.database = database
        self.clock = clock

    def record(self, by: Staff, action: str, object_type: str, object_id: object, **detail: Any) -> None:
        """Append a row for what ``by`` did; ``detail`` holds names and counts only."""
        with self.database.session() as session:
            audit.record(session, by.email, action, object_type, object_id, self.clock(), **detail)

    def page(self, before: int | None = None, size: int = PAGE_SIZE) -> AuditPage:
        """``size`` rows older than row ``before`` (the newest when None)."""
        with self.database.session() as session:
            entries = audit.recent(session, size + 1, before)
            rows = [
                AuditRow(e.id, e.at, e.actor, e.action, e.object_type, e.object_id, dict(e.detail or {}))
                for e in entries[:size]
            ]
        return AuditPage(rows, rows[-1].id if len(entries) > size else None)
