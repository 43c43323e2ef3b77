"""Command buttons the bot offered: a press is honoured only on a message the bot sent to that person."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.storage.models import OfferedButton


def offer(session: Session, user_id: str, message_id: str, payloads: Iterable[str], now: datetime) -> None:
    """Remember the command buttons of one sent message."""
    session.add_all(
        OfferedButton(user_id=user_id, message_id=message_id, payload=payload, at=now) for payload in payloads
    )


def take(session: Session, user_id: str, message_id: str, payload: str, now: datetime, once: bool) -> bool:
    """Whether this person was offered this button on this message (and, for a one-time button, had not
    pressed it yet); a one-time button is used up by the press."""
    query = select(OfferedButton.id).where(
        OfferedButton.user_id == user_id,
        OfferedButton.message_id == message_id,
        OfferedButton.payload == payload,
    )
    if once:
        query = query.where(OfferedButton.used_at.is_(None))
    found = session.execute(query.limit(1)).scalar_one_or_none()
    if found is None:
        return False
    if once:
        session.execute(update(OfferedButton).where(OfferedButton.id == found).values(used_at=now))
    return True
