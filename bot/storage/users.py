"""People: found by channel and external id, known inside the bot only by a random id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage import outbox
from bot.storage.models import User


def get_or_create(session: Session, channel: str, external_id: str, now: datetime) -> User:
    """Return the person behind this channel address, creating them when first named (by a message or by
    staff); says nothing about whether they wrote or can be reached."""
    user = find(session, channel, external_id)
    if user is None:
        user = User(channel=channel, external_id=external_id, created_at=now, last_seen_at=now)
        session.add(user)
        session.flush()
    return user


def record_inbound(session: Session, user: User, now: datetime) -> None:
    """The person wrote: they are seen, their service window opens, and someone marked unreachable can be
    reached again (what was cancelled when they blocked the bot and is still to come is put back in line)."""
    user.last_seen_at = now
    user.last_inbound_at = now
    mark_reachable(session, user, now)


def mark_reachable(session: Session, user: User, now: datetime) -> None:
    """The platform says the person can be reached again (they wrote, or unblocked the bot)."""
    if user.unreachable_at is not None:
        user.unreachable_at = None
        outbox.resume(session, user.id, now, outbox.BLOCKED)


def get(session: Session, user_id: str) -> User | None:
    """Return the person with this id, if they still exist."""
    return session.get(User, user_id)


def mark_unreachable(session: Session, user_id: str, now: datetime) -> None:
    """Remember that the platform refused a message because the person blocked the bot, and cancel what was
    still to be sent to them (whether a reply or the outbox found out)."""
    user = session.get(User, user_id)
    if user is not None and user.unreachable_at is None:
        user.unreachable_at = now
    outbox.cancel_pending(session, user_id, outbox.BLOCKED)


def find(session: Session, channel: str, external_id: str) -> User | None:
    """The person behind a channel address, if known."""
    query = select(User).where(User.channel == channel, User.external_id == external_id)
    return session.execute(query).scalar_one_or_none()
