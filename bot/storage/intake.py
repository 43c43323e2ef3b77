"""Platform updates already taken in, by id: a redelivered update is acknowledged, never answered twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.storage.models import ProcessedUpdate

# Telegram keeps an unconfirmed update for 24 hours and Meta retries a webhook for up to 7 days.
KEEP = timedelta(days=8)


def first_time(session: Session, channel: str, update_key: str, now: datetime) -> bool:
    """Record the update; False when it was taken in before."""
    seen = session.execute(
        select(ProcessedUpdate.id).where(
            ProcessedUpdate.channel == channel, ProcessedUpdate.update_key == update_key
        )
    ).first()
    if seen is not None:
        return False
    session.add(ProcessedUpdate(channel=channel, update_key=update_key, at=now))
    return True


def forget_old(session: Session, now: datetime) -> int:
    """Drop ids older than any redelivery; returns how many."""
    result = session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.at < now - KEEP))
    return int(result.rowcount or 0)
