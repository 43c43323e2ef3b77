"""WhatsApp message templates as the Graph API last listed them: which are approved, in which language."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.storage.models import WhatsAppTemplate


def replace_all(session: Session, listed: Iterable[tuple[str, str, str, str | None]], now: datetime) -> int:
    """Store the templates listed (name, language code, status, category) in place of the previous list."""
    session.execute(delete(WhatsAppTemplate))
    latest = {(name, language): (status, category) for name, language, status, category in listed}
    rows = [
        WhatsAppTemplate(name=name, language=language, status=status, category=category, synced_at=now)
        for (name, language), (status, category) in latest.items()
    ]
    session.add_all(rows)
    return len(rows)


def approved(session: Session) -> set[tuple[str, str]]:
    """(name, language code) of every approved template."""
    query = select(WhatsAppTemplate.name, WhatsAppTemplate.language).where(
        WhatsAppTemplate.status == "APPROVED"
    )
    return {(name, language) for name, language in session.execute(query)}
