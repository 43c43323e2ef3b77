"""Consent per purpose, with the time it was given or withdrawn (append-only history)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.models import Consent

PURPOSES = ("reminders", "news")


def record(session: Session, user_id: str, purpose: str, granted: bool, now: datetime) -> Consent:
    """Record a decision; the newest decision per purpose is the one in force."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown consent purpose {purpose!r}")
    consent = Consent(user_id=user_id, purpose=purpose, granted=granted, at=now)
    session.add(consent)
    session.flush()
    return consent


def current(session: Session, user_id: str) -> dict[str, Consent]:
    """The decision in force for each purpose the person has decided on."""
    rows = session.execute(
        select(Consent).where(Consent.user_id == user_id).order_by(Consent.at, Consent.id)
    ).scalars()
    return {row.purpose: row for row in rows}


def latest_decisions(
    session: Session, purpose: str, user_ids: Sequence[str] | None = None
) -> dict[str, bool]:
    """Each person's decision in force for ``purpose`` (of ``user_ids`` when given); no entry: undecided."""
    query = select(Consent.user_id, Consent.granted).where(Consent.purpose == purpose)
    if user_ids is not None:
        query = query.where(Consent.user_id.in_(user_ids))
    return dict(session.execute(query.order_by(Consent.at, Consent.id)).all())  # the newest wins


def withdraw_all(session: Session, user_id: str, now: datetime) -> None:
    """Withdraw every purpose at once (``/stop``)."""
    for purpose in PURPOSES:
        record(session, user_id, purpose, False, now)
