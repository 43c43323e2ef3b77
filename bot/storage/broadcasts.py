"""Broadcasts and their outbox rows: queue them once per person, hold, cancel, and count what became of them.

Each person's row has the dedupe key ``broadcast:<id>:<user id>``: approving again (after an edit), or a
restart part-way through, finds the rows already there and never queues a person twice. Rows are written
with bulk Core inserts. Figures read the rows through ``broadcast_recipients`` and hold counts only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.storage import outbox
from bot.storage.broadcast_models import Broadcast, BroadcastRecipient
from bot.storage.db import chunked
from bot.storage.models import User

OUTBOX = outbox.TABLE
RECIPIENTS = BroadcastRecipient.__table__
HELD = "the broadcast was edited and waits for a new approval"
CANCELLED = "the broadcast was cancelled"


def dedupe_key(broadcast_id: int, user_id: str) -> str:
    """The one outbox key of a broadcast for one person."""
    return f"broadcast:{broadcast_id}:{user_id}"


def get(session: Session, broadcast_id: int) -> Broadcast | None:
    """The broadcast with this id."""
    return session.get(Broadcast, broadcast_id)


def everything(session: Session, limit: int = 100) -> list[Broadcast]:
    """The newest broadcasts first."""
    return list(session.execute(select(Broadcast).order_by(Broadcast.id.desc()).limit(limit)).scalars())


def _rows_of(broadcast_id: int) -> Any:
    return select(RECIPIENTS.c.dedupe_key).where(RECIPIENTS.c.broadcast_id == broadcast_id)


def queued_people(session: Session, broadcast_id: int) -> set[str]:
    """Who already has a row of this broadcast (whatever became of it)."""
    query = select(RECIPIENTS.c.user_id).where(RECIPIENTS.c.broadcast_id == broadcast_id)
    return set(session.execute(query).scalars())


@dataclass(frozen=True)
class Row:
    """One person's row to queue."""

    user_id: str
    channel: str
    not_before: datetime


def queue(
    session: Session,
    broadcast_id: int,
    rows: Sequence[Row],
    kind: str,
    message_key: str,
    content: list[dict[str, Any]],
    now: datetime,
) -> int:
    """Write the rows of people who have none yet for this broadcast (rows held after an edit are replaced
    by the new version's); return how many were written."""
    held = select(OUTBOX.c.dedupe_key).where(
        OUTBOX.c.dedupe_key.in_(_rows_of(broadcast_id)),
        OUTBOX.c.status == "cancelled",
        OUTBOX.c.last_error == HELD,
    )
    held_keys = list(session.execute(held).scalars())
    for chunk in chunked(held_keys):
        session.execute(delete(OUTBOX).where(OUTBOX.c.dedupe_key.in_(chunk)))
        session.execute(delete(RECIPIENTS).where(RECIPIENTS.c.dedupe_key.in_(chunk)))
    known = queued_people(session, broadcast_id)
    new = [row for row in rows if row.user_id not in known]
    for chunk in chunked(new, 5000):
        keys = [dedupe_key(broadcast_id, row.user_id) for row in chunk]
        session.execute(
            OUTBOX.insert(),
            [
                {
                    "dedupe_key": key,
                    "user_id": row.user_id,
                    "channel": row.channel,
                    "kind": kind,
                    "message_key": message_key,
                    "content": content,
                    "not_before": row.not_before,
                    "status": "pending",
                    "attempts": 0,
                    "created_at": now,
                }
                for key, row in zip(keys, chunk, strict=True)
            ],
        )
        session.execute(
            RECIPIENTS.insert(),
            [
                {"broadcast_id": broadcast_id, "user_id": row.user_id, "dedupe_key": key, "queued_at": now}
                for key, row in zip(keys, chunk, strict=True)
            ],
        )
    return len(new)


def stop_pending(session: Session, broadcast_id: int, reason: str) -> int:
    """Stop what has not gone yet (``HELD`` until a new approval, or ``CANCELLED``); return how many."""
    result = session.execute(
        update(OUTBOX)
        .where(OUTBOX.c.dedupe_key.in_(_rows_of(broadcast_id)), OUTBOX.c.status == "pending")
        .values(status="cancelled", last_error=reason)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)


@dataclass(frozen=True)
class Counts:
    """What became of a broadcast's rows: counts only, no person."""

    states: dict[str, int] = field(default_factory=dict)  # outbox status → rows
    delivery: dict[str, int] = field(default_factory=dict)  # platform status → rows
    reasons: dict[tuple[str, str], int] = field(default_factory=dict)  # (state, reason) → rows
    replies: int = 0
    per_minute: dict[str, int] = field(default_factory=dict)  # "YYYY-MM-DD HH:MM" UTC → rows sent
    by_channel: dict[tuple[str, str], int] = field(default_factory=dict)  # (channel, status) → rows


def counts(session: Session, broadcast_id: int) -> Counts:
    """The broadcast's figures as the outbox has them now."""
    mine = (
        select(OUTBOX)
        .join(RECIPIENTS, RECIPIENTS.c.dedupe_key == OUTBOX.c.dedupe_key)
        .where(RECIPIENTS.c.broadcast_id == broadcast_id)
        .subquery()
    )
    columns = (mine.c.channel, mine.c.status, mine.c.delivery_status, mine.c.last_error)
    grouped = session.execute(select(*columns, func.count()).group_by(*columns)).all()
    states: dict[str, int] = {}
    delivery: dict[str, int] = {}
    reasons: dict[tuple[str, str], int] = {}
    by_channel: dict[tuple[str, str], int] = {}
    for channel, state, delivered, reason, n in grouped:
        states[state] = states.get(state, 0) + n
        by_channel[(channel, state)] = by_channel.get((channel, state), 0) + n
        if delivered:
            delivery[delivered] = delivery.get(delivered, 0) + n
        if state in ("failed", "undeliverable", "cancelled") or delivered == "failed":
            key = ("failed" if delivered == "failed" else state, reason or "no reason recorded")
            reasons[key] = reasons.get(key, 0) + n
    replies = session.scalar(
        select(func.count())
        .select_from(mine)
        .join(User, User.id == mine.c.user_id)
        .where(mine.c.sent_at.is_not(None), User.last_inbound_at > mine.c.sent_at)
    )
    minute = _minute(session, mine.c.sent_at)
    per_minute = {
        str(at): int(n)
        for at, n in session.execute(
            select(minute, func.count()).where(mine.c.sent_at.is_not(None)).group_by(minute).order_by(minute)
        )
    }
    return Counts(states, delivery, reasons, int(replies or 0), per_minute, by_channel)


def _minute(session: Session, column: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24:MI")
    return func.substr(column, 1, 16)
