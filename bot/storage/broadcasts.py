"""Broadcasts and their outbox rows: queue them once per person, hold, cancel, and count what became of them.

Each person's row has the dedupe key ``broadcast:<id>:<user id>``: approving again (after an edit), or a
restart part-way through, finds the rows already there and never queues a person twice. Rows are written
by two ``INSERT … SELECT`` statements, the database picking the people, so 100,000 of them take seconds.
Figures read the rows through ``broadcast_recipients`` and hold counts only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, bindparam, case, delete, func, insert, literal, select, type_coerce, update
from sqlalchemy.orm import Session

from bot.storage import outbox
from bot.storage.broadcast_models import Broadcast, BroadcastRecipient
from bot.storage.db import chunked
from bot.storage.models import User, UTCDateTime

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


@dataclass(frozen=True)
class Message:
    """What each row of a broadcast carries."""

    kind: str
    message_key: str
    content: list[dict[str, Any]]


def release_held(session: Session, broadcast_id: int) -> int:
    """Delete the rows held after an edit (with their recipients), so that the approval of the new version
    queues them again with its text and time; return how many."""
    held = select(OUTBOX.c.dedupe_key).where(
        OUTBOX.c.dedupe_key.in_(_rows_of(broadcast_id)),
        OUTBOX.c.status == "cancelled",
        OUTBOX.c.last_error == HELD,
    )
    keys = list(session.execute(held).scalars())
    for chunk in chunked(keys):
        session.execute(delete(OUTBOX).where(OUTBOX.c.dedupe_key.in_(chunk)))
        session.execute(delete(RECIPIENTS).where(RECIPIENTS.c.dedupe_key.in_(chunk)))
    return len(keys)


def queue(
    session: Session,
    broadcast_id: int,
    where: list[Any],
    zone: Any,
    due_by_zone: Mapping[str, datetime],
    message: Message,
    now: datetime,
) -> int:
    """Queue the broadcast for the people ``where`` selects who have no row of it yet, each due at the
    time of their ``zone`` (an SQL expression); two ``INSERT … SELECT`` statements, whatever the number of
    people. Returns how many were queued."""
    if not due_by_zone:  # nobody to reach
        return 0
    mine = select(RECIPIENTS.c.user_id).where(RECIPIENTS.c.broadcast_id == broadcast_id)
    new = [*where, ~User.id.in_(mine)]
    key = literal(f"broadcast:{broadcast_id}:") + User.id
    added = session.execute(
        insert(RECIPIENTS).from_select(
            ["broadcast_id", "user_id", "dedupe_key", "queued_at"],
            select(literal(broadcast_id), User.id, key, bindparam("now", now, type_=UTCDateTime())).where(
                *new
            ),
        )
    ).rowcount
    due = case(
        *(
            (zone == name, bindparam(f"due_{n}", at, type_=UTCDateTime()))
            for n, (name, at) in enumerate(due_by_zone.items())
        ),
        else_=bindparam("due_else", min(due_by_zone.values()), type_=UTCDateTime()),
    )
    columns = {
        "dedupe_key": RECIPIENTS.c.dedupe_key,
        "user_id": User.id,
        "channel": User.channel,
        "kind": literal(message.kind),
        "message_key": literal(message.message_key),
        "content": bindparam("content", message.content, type_=JSON()),
        "not_before": type_coerce(due, UTCDateTime()),
        "status": literal("pending"),
        "attempts": literal(0),
        "created_at": bindparam("created", now, type_=UTCDateTime()),
    }
    already = select(OUTBOX.c.id).where(OUTBOX.c.dedupe_key == RECIPIENTS.c.dedupe_key).exists()
    session.execute(
        insert(OUTBOX).from_select(
            list(columns),
            select(*columns.values())
            .select_from(RECIPIENTS.join(User, User.id == RECIPIENTS.c.user_id))
            .where(RECIPIENTS.c.broadcast_id == broadcast_id, ~already),
        )
    )
    return int(added)


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
    minute = _minute(session, mine.c.sent_at)  # NULL until sent
    columns = (mine.c.channel, mine.c.status, mine.c.delivery_status, mine.c.last_error, minute)
    grouped = session.execute(select(*columns, func.count()).group_by(*columns)).all()  # one pass for both
    states: dict[str, int] = {}
    delivery: dict[str, int] = {}
    reasons: dict[tuple[str, str], int] = {}
    by_channel: dict[tuple[str, str], int] = {}
    sent_in: dict[str, int] = {}
    for channel, state, delivered, reason, at, n in grouped:
        states[state] = states.get(state, 0) + n
        by_channel[(channel, state)] = by_channel.get((channel, state), 0) + n
        if delivered:
            delivery[delivered] = delivery.get(delivered, 0) + n
        if state in ("failed", "undeliverable", "cancelled") or delivered == "failed":
            key = ("failed" if delivered == "failed" else state, reason or "no reason recorded")
            reasons[key] = reasons.get(key, 0) + n
        if at is not None:
            sent_in[str(at)] = sent_in.get(str(at), 0) + int(n)
    replies = session.scalar(
        select(func.count())
        .select_from(mine)
        .join(User, User.id == mine.c.user_id)
        .where(mine.c.sent_at.is_not(None), User.last_inbound_at > mine.c.sent_at)
    )
    per_minute = dict(sorted(sent_in.items()))
    return Counts(states, delivery, reasons, int(replies or 0), per_minute, by_channel)


def _minute(session: Session, column: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24:MI")
    return func.substr(column, 1, 16)
