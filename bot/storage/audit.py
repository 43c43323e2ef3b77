"""The audit log: append-only rows of staff actions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.staff_models import AuditEntry


def record(
    session: Session,
    actor: str,
    action: str,
    object_type: str,
    object_id: object,
    now: datetime,
    **detail: Any,
) -> AuditEntry:
    """Append one row; ``detail`` must hold names and counts only, never message text or phone numbers."""
    entry = AuditEntry(
        at=now, actor=actor, action=action, object_type=object_type, object_id=str(object_id), detail=detail
    )
    session.add(entry)
    session.flush()
    return entry


def recent(session: Session, limit: int = 100, before_id: int | None = None) -> list[AuditEntry]:
    """The newest rows first, ``limit`` of them, older than ``before_id`` when given (for paging)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return list(session.execute(query).scalars())
