"""Planning many outbox rows at once: a cohort's steps, each as one series for everyone timed in one zone.

A fresh import of 343,000 people writes 4 million rows; here they are made by the database from the users rows
(``INSERT ... SELECT``) and reconciled with what is already planned, so a re-import or a moved date adds,
moves, cancels and removes only what changed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, bindparam, delete, literal, select
from sqlalchemy.orm import Session

from bot.storage.db import chunked
from bot.storage.models import User, UTCDateTime
from bot.storage.outbox import TABLE, set_status

# SQLite's page cache during a large planning (an import of 343,000 people writes 4 million rows): with 512 MB
# SQLite spent 81 s of CPU on them, with 1 GB 78 s, with 256 MB 97 s, and with its default 2 MB far more.
LARGE_WRITE_CACHE_MB = 512

@dataclass(frozen=True)
class Series:
    """One message planned alike for many people (a cohort's step for everyone timed in one zone): each
    person's row differs only by the person, their channel, and the dedupe key ``prefix`` + their user id."""

    prefix: str
    kind: str
    message_key: str
    not_before: datetime
    content: Sequence[Mapping[str, Any]]
    user_ids: Sequence[str]
    cohort_id: int | None = None


def sync_planned(
    session: Session, scope: Any, desired: Sequence[Series], now: datetime, too_late: datetime
) -> dict[str, int]:
    """Make the rows matched by ``scope`` (a WHERE clause) agree with ``desired``, leaving sent rows alone.

    New keys are added unless due before ``too_late``; pending rows get their new time (cancelled when it is
    now too late); pending rows no longer desired are deleted. Returns counts of what changed.
    """
    wanted = {series.prefix + user_id: series for series in desired for user_id in series.user_ids}
    existing = session.execute(
        select(TABLE.c.id, TABLE.c.dedupe_key, TABLE.c.status, TABLE.c.not_before).where(scope)
    ).all()
    known = {row.dedupe_key for row in existing}
    moved: list[dict[str, Any]] = []
    late: list[int] = []
    dropped: list[int] = []
    for row in existing:
        if row.status != "pending":
            continue
        series = wanted.get(row.dedupe_key)
        if series is None:
            dropped.append(row.id)
        elif series.not_before < too_late:
            late.append(row.id)
        elif series.not_before != row.not_before:
            moved.append({"row_id": row.id, "due": series.not_before})
    added = 0
    for series in desired:
        if series.not_before >= too_late:
            new = [user_id for user_id in series.user_ids if series.prefix + user_id not in known]
            _insert_series(session, series, new, now)
            added += len(new)
    if moved:
        session.execute(
            TABLE.update().where(TABLE.c.id == bindparam("row_id")).values(not_before=bindparam("due")), moved
        )
    set_status(session, late, "cancelled", "its date moved into the past")
    for chunk in chunked(dropped):
        session.execute(delete(TABLE).where(TABLE.c.id.in_(chunk)))
    return {"added": added, "moved": len(moved), "cancelled": len(late), "removed": len(dropped)}


def _insert_series(session: Session, series: Series, user_ids: Sequence[str], now: datetime) -> None:
    """One row per person, made by the database from their users row (``INSERT ... SELECT``): the values
    the rows share are sent once, not once a row, which for millions of rows was most of the time."""
    columns = {
        "dedupe_key": literal(series.prefix, String()) + User.id,
        "user_id": User.id,
        "channel": User.channel,
        "kind": literal(series.kind, String()),
        "message_key": literal(series.message_key, String()),
        "content": literal([dict(part) for part in series.content], TABLE.c.content.type),
        "cohort_id": literal(series.cohort_id, TABLE.c.cohort_id.type),
        "not_before": literal(series.not_before, UTCDateTime()),
        "status": literal("pending", String()),
        "attempts": literal(0, TABLE.c.attempts.type),
        "created_at": literal(now, UTCDateTime()),
    }
    rows = select(*columns.values()).where(User.id.in_(bindparam("people", expanding=True)))
    statement = TABLE.insert().from_select(list(columns), rows)
    for chunk in chunked(user_ids):
        session.execute(statement, {"people": list(chunk)})


@contextmanager
def large_write(session: Session) -> Iterator[None]:
    """Give SQLite a page cache of ``LARGE_WRITE_CACHE_MB`` while millions of rows are planned in one
    transaction, and its own size back afterwards. The outbox's indexes on the dedupe key and the person grow
    in random places; with SQLite's default 2 MB, every row past the first few hundred thousand sent pages to
    the write-ahead log and read them back. Memory only: durability is unchanged. Elsewhere nothing to do."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    connection = session.connection()
    before = int(connection.exec_driver_sql("PRAGMA cache_size").scalar() or 0)
    connection.exec_driver_sql(f"PRAGMA cache_size={-LARGE_WRITE_CACHE_MB * 1024}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={before}")


