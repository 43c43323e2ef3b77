"""The outbox: every proactive message as a row, from planned to sent (or given up, with the reason).

Rows move ``pending`` → ``sending`` (claimed, with a lease) → ``sent``; or back to ``pending`` with a later
``not_before`` to retry; or to ``failed`` / ``cancelled`` / ``undeliverable`` (the channel would not take
it then, e.g. WhatsApp outside its 24-hour window with no approved template) with ``last_error`` saying
why. The unique ``dedupe_key`` makes planning idempotent: a reminder or an alert planned twice is one row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session

from bot.storage import buttons
from bot.storage.db import chunked
from bot.storage.models import Cohort, OutboxMessage, User, UTCDateTime

TABLE = OutboxMessage.__table__
STOPPED = "the person sent /stop"
BLOCKED = "the person blocked the bot"
# The consent each kind of proactive message needs; a kind not named needs none.
PURPOSE_OF_KIND = {"reminder": "reminders", "call_alert": "news", "broadcast": "news", "notice": "reminders"}


@dataclass(frozen=True)
class Planned:
    """A message to send to one person no earlier than ``not_before``."""

    dedupe_key: str
    user_id: str
    channel: str
    kind: str
    message_key: str
    not_before: datetime
    content: Sequence[Mapping[str, Any]]
    cohort_id: int | None = None


@dataclass(frozen=True)
class Claimed:
    """A row claimed for sending, with what is needed to render it for its person."""

    id: int
    user_id: str
    channel: str
    external_id: str
    language: str | None
    kind: str
    message_key: str
    content: Sequence[Mapping[str, Any]]
    attempts: int
    last_inbound_at: datetime | None = None
    timezone: str | None = None  # the person's own zone, else their row's cohort's
    country: str | None = None
    unreachable: bool = False
    consent: bool | None = None  # the decision in force for ``PURPOSE_OF_KIND[kind]`` (None: undecided)


@dataclass(frozen=True)
class Outcome:
    """What became of one claimed row: ``sent`` (``by_template`` when as an approved template), ``retry``
    (at ``retry_at``), ``failed``, ``blocked``, ``undeliverable``, ``cancelled`` (not to be sent: the
    reason in ``error``) or ``deferred`` (not tried: it waits until ``retry_at``)."""

    id: int
    user_id: str
    result: str
    at: datetime
    error: str | None = None
    retry_at: datetime | None = None
    message_id: str | None = None
    offered: tuple[str, ...] = ()
    by_template: bool = False


def _row(message: Planned, now: datetime) -> dict[str, Any]:
    return {
        "dedupe_key": message.dedupe_key,
        "user_id": message.user_id,
        "channel": message.channel,
        "kind": message.kind,
        "message_key": message.message_key,
        "content": [dict(part) for part in message.content],
        "cohort_id": message.cohort_id,
        "not_before": message.not_before,
        "status": "pending",
        "attempts": 0,
        "created_at": now,
    }


def _insert(session: Session, messages: Sequence[Planned], now: datetime) -> None:
    for chunk in chunked(messages):
        session.execute(TABLE.insert(), [_row(m, now) for m in chunk])


def enqueue_once(session: Session, messages: Sequence[Planned], now: datetime) -> int:
    """Add the messages whose dedupe key is new; return how many were added."""
    known: set[str] = set()
    for chunk in chunked([m.dedupe_key for m in messages]):
        known.update(
            session.execute(select(TABLE.c.dedupe_key).where(TABLE.c.dedupe_key.in_(chunk))).scalars()
        )
    new = [m for m in messages if m.dedupe_key not in known]
    _insert(session, new, now)
    return len(new)


def drop_pending(session: Session, scope: Any) -> int:
    """Delete the rows matched by ``scope`` that were not sent yet; return how many."""
    result = session.execute(delete(TABLE).where(scope, TABLE.c.status == "pending"))
    return int(result.rowcount)


def set_status(session: Session, ids: Sequence[int], status: str, reason: str) -> None:
    for chunk in chunked(ids):
        session.execute(
            update(TABLE)
            .where(TABLE.c.id.in_(chunk))
            .values(status=status, last_error=reason, lease_until=None)
        )


def claim_due(
    session: Session, now: datetime, limit: int, lease: timedelta, channels: Sequence[str]
) -> list[Claimed]:
    """Claim up to ``limit`` due rows of ``channels``, oldest first (also rows whose claim expired)."""
    due = TABLE.c.channel.in_(channels) & or_(
        (TABLE.c.status == "pending") & (TABLE.c.not_before <= now),
        (TABLE.c.status == "sending") & (TABLE.c.lease_until < now),
    )
    query = select(TABLE.c.id).where(due).order_by(TABLE.c.not_before, TABLE.c.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(session.execute(query).scalars())
    if not ids:
        return []
    session.execute(
        update(TABLE).where(TABLE.c.id.in_(ids)).values(status="sending", lease_until=now + lease)
    )
    person = (User.external_id, User.chosen_language, User.reply_language, User.last_inbound_at)
    where = (User.timezone, User.country, User.unreachable_at, Cohort.timezone.label("home"))
    rows = session.execute(
        select(TABLE, *person, *where)
        .join(User, User.id == TABLE.c.user_id)
        .outerjoin(Cohort, Cohort.id == TABLE.c.cohort_id)
        .where(TABLE.c.id.in_(ids))
        .order_by(TABLE.c.not_before, TABLE.c.id)
    ).all()
    return [
        Claimed(
            id=row.id,
            user_id=row.user_id,
            channel=row.channel,
            external_id=row.external_id,
            language=row.chosen_language or row.reply_language,
            kind=row.kind,
            message_key=row.message_key,
            content=row.content,
            attempts=row.attempts,
            last_inbound_at=row.last_inbound_at,
            timezone=row.timezone or row.home,
            country=row.country,
            unreachable=row.unreachable_at is not None,
        )
        for row in rows
    ]


STATUS_AFTER = {
    "sent": "sent",
    "retry": "pending",
    "failed": "failed",
    "blocked": "failed",
    "undeliverable": "undeliverable",
    "cancelled": "cancelled",
    "deferred": "pending",
}
NOT_TRIED = ("cancelled", "deferred")


def record(session: Session, outcomes: Sequence[Outcome]) -> None:
    """Write what became of claimed rows (``users.mark_unreachable`` deals with a person who blocked the bot).

    An attempt is counted each time one was made (not for a row cancelled or deferred at send time); a retry
    or a deferred row gets its new time; an error is kept after a later success.
    """
    if not outcomes:
        return
    session.execute(
        TABLE.update()
        .where(TABLE.c.id == bindparam("row_id"))
        .values(
            status=bindparam("new_status"),
            not_before=func.coalesce(bindparam("due", type_=UTCDateTime()), TABLE.c.not_before),
            sent_at=bindparam("sent_at"),
            last_error=func.coalesce(bindparam("error", type_=String()), TABLE.c.last_error),
            platform_message_id=func.coalesce(
                bindparam("message_id", type_=String()), TABLE.c.platform_message_id
            ),
            lease_until=None,
            attempts=TABLE.c.attempts + bindparam("tried"),
            by_template=bindparam("by_template"),
        ),
        [
            {
                "row_id": o.id,
                "new_status": STATUS_AFTER[o.result],
                "due": o.retry_at,
                "sent_at": o.at if o.result == "sent" else None,
                "error": o.error,
                "message_id": o.message_id,
                "tried": 0 if o.result in NOT_TRIED else 1,
                "by_template": o.by_template,
            }
            for o in outcomes
        ],
    )
    for outcome in outcomes:
        if outcome.offered and outcome.message_id is not None:
            buttons.offer(session, outcome.user_id, outcome.message_id, outcome.offered, outcome.at)


# A status never moves back: a late "delivered" does not undo "read". "failed" comes only before the others.
DELIVERY_ORDER = {"sent": 1, "delivered": 2, "read": 3, "failed": 4}


def record_delivery(
    session: Session, platform_message_id: str, state: str, at: datetime, error: str | None = None
) -> bool:
    """Note what the platform says of a sent message (sent, delivered, read, failed with ``error``) on its
    row; False when no row has that platform id (a reply, not an outbox message)."""
    row = session.execute(
        select(TABLE.c.id, TABLE.c.delivery_status).where(TABLE.c.platform_message_id == platform_message_id)
    ).first()
    if row is None:
        return False
    if DELIVERY_ORDER.get(row.delivery_status or "", 0) >= DELIVERY_ORDER[state]:
        return True
    values: dict[str, Any] = {"delivery_status": state}
    if state in ("delivered", "read"):
        values["delivered_at"] = func.coalesce(TABLE.c.delivered_at, at)
    if state == "read":
        values["read_at"] = at
    if state == "failed":
        values["last_error"] = (error or "failed on the platform")[:200]
    session.execute(update(TABLE).where(TABLE.c.id == row.id).values(**values))
    return True


def cancel_pending(session: Session, user_id: str, reason: str, kinds: Sequence[str] | None = None) -> int:
    """Cancel everything still to be sent to one person (only rows of ``kinds`` when given); return how
    many."""
    scope = (TABLE.c.user_id == user_id) & (TABLE.c.status == "pending")
    if kinds is not None:
        scope &= TABLE.c.kind.in_(kinds)
    result = session.execute(update(TABLE).where(scope).values(status="cancelled", last_error=reason))
    return int(result.rowcount)


def reached_by_template(session: Session, channel: str, since: datetime) -> set[str]:
    """The people sent a template on ``channel`` since ``since`` (the day's count of people reached outside
    the service window, as the database has it: it survives a restart)."""
    query = select(TABLE.c.user_id).where(
        TABLE.c.channel == channel, TABLE.c.by_template.is_(True), TABLE.c.sent_at >= since
    )
    return set(session.execute(query.distinct()).scalars())


def resume(session: Session, user_id: str, now: datetime, reason: str) -> int:
    """Put back in line what was cancelled for ``reason`` and is still to come (the person asked again after
    ``STOPPED``, or wrote to the bot after ``BLOCKED``)."""
    result = session.execute(
        update(TABLE)
        .where(
            TABLE.c.user_id == user_id,
            TABLE.c.status == "cancelled",
            TABLE.c.last_error == reason,
            TABLE.c.not_before > now,
        )
        .values(status="pending", last_error=None)
    )
    return int(result.rowcount)


def release_claims(session: Session) -> int:
    """Put rows a dead dispatcher had claimed back in line (only the lock holder may do this)."""
    result = session.execute(
        update(TABLE).where(TABLE.c.status == "sending").values(status="pending", lease_until=None)
    )
    return int(result.rowcount)


@dataclass(frozen=True)
class OutboxStatus:
    """Counts by state, the oldest message that is due and not sent, and why rows were given up or
    cancelled."""

    counts: dict[str, int]
    oldest_due: datetime | None
    reasons: dict[tuple[str, str], int] | None = None


def status(session: Session, now: datetime) -> OutboxStatus:
    """How the outbox stands at ``now``."""
    counts = dict(session.execute(select(TABLE.c.status, func.count()).group_by(TABLE.c.status)).all())
    oldest = session.scalar(
        select(func.min(TABLE.c.not_before)).where(
            TABLE.c.status.in_(("pending", "sending")), TABLE.c.not_before <= now
        )
    )
    given_up = session.execute(
        select(TABLE.c.status, TABLE.c.last_error, func.count())
        .where(TABLE.c.status.in_(("failed", "undeliverable", "cancelled")))
        .group_by(TABLE.c.status, TABLE.c.last_error)
    ).all()
    reasons = {(state, reason or "no reason recorded"): int(n) for state, reason, n in given_up}
    return OutboxStatus({k: int(v) for k, v in counts.items()}, oldest, reasons)
