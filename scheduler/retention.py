"""The retention purge: conversation history, unanswered questions and closed tickets are kept for a limited
time (a ticket still open stays, however old: someone is still waiting for an answer)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete

from bot.storage import intake, tickets
from bot.storage.db import Database
from bot.storage.models import RASA_EVENTS, UnansweredQuestion

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Purged:
    """How many rows the purge removed."""

    events: int
    unanswered: int
    update_ids: int = 0
    tickets: int = 0


def purge_expired(now: datetime, database: Database, retention_days: int) -> Purged:
    """Delete history events and unanswered questions older than ``retention_days`` before ``now``, tickets
    closed before then (with their messages), and update ids older than any redelivery."""
    cutoff = now - timedelta(days=retention_days)
    with database.session() as session:
        bind = session.get_bind()
        events = 0
        if bind.dialect.has_table(session.connection(), RASA_EVENTS.name):
            result = session.execute(delete(RASA_EVENTS).where(RASA_EVENTS.c.timestamp < cutoff.timestamp()))
            events = result.rowcount or 0
        questions = session.execute(delete(UnansweredQuestion).where(UnansweredQuestion.at < cutoff))
        closed = tickets.purge_closed(session, cutoff)
        purged = Purged(events, questions.rowcount or 0, intake.forget_old(session, now), closed)
    database.checkpoint()  # what was purged leaves the write-ahead log too
    logger.info(
        "retention purge: %d events, %d unanswered questions, %d old update ids, %d closed tickets",
        purged.events,
        purged.unanswered,
        purged.update_ids,
        purged.tickets,
    )
    return purged
