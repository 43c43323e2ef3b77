"""The retention purge removes old history and questions, and nothing newer."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, insert, select

from bot.app import open_database
from bot.settings import Settings
from bot.storage import intake, unanswered, users
from bot.storage.models import RASA_EVENTS, UnansweredQuestion
from scheduler.retention import purge_expired

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)


def test_old_history_and_questions_are_purged_and_recent_ones_kept(settings: Settings) -> None:
    database = open_database(settings)
    RASA_EVENTS.metadata.create_all(database.engine)
    old, recent = NOW - timedelta(days=200), NOW - timedelta(days=10)
    with database.session() as session:
        person = users.get_or_create(session, "telegram", "7", old)
        for moment in (old, recent):
            unanswered.record(session, person.id, "?", "fr", None, None, moment)
            session.execute(insert(RASA_EVENTS).values(sender_id=person.id, timestamp=moment.timestamp()))
    purged = purge_expired(NOW, database, retention_days=180)
    assert (purged.events, purged.unanswered) == (1, 1)
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(RASA_EVENTS)) == 1
        assert session.scalar(select(func.min(UnansweredQuestion.at))) == recent


def test_update_ids_older_than_any_redelivery_are_forgotten(settings: Settings) -> None:
    database = open_database(settings)
    with database.session() as session:
        assert intake.first_time(session, "telegram", "old", NOW - timedelta(days=9))
        assert intake.first_time(session, "telegram", "recent", NOW - timedelta(days=1))
    assert purge_expired(NOW, database, retention_days=180).update_ids == 1
    with database.session() as session:
        assert not intake.first_time(session, "telegram", "recent", NOW)  # still a redelivery
        assert intake.first_time(session, "telegram", "old", NOW)


def test_closed_tickets_past_retention_are_purged_with_their_messages_and_open_ones_kept(
    settings: Settings,
) -> None:
    from bot.storage import tickets
    from bot.storage.ticket_models import Ticket, TicketMessage

    database = open_database(settings)
    old = NOW - timedelta(days=200)
    with database.session() as session:
        person = users.get_or_create(session, "telegram", "8", old)
        for status, closed in (("closed", old), ("closed", NOW - timedelta(days=1)), ("open", None)):
            ticket = tickets.create(
                session, user_id=person.id, team="tunis-sfax", source="asked", channel="telegram",
                language="aeb", opened_at=old,
            )  # fmt: skip
            ticket.status, ticket.closed_at = status, closed
            tickets.add_message(session, ticket.id, "person", "?", old)
    assert purge_expired(NOW, database, retention_days=180).tickets == 1
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 2
        assert session.scalar(select(func.count()).select_from(TicketMessage)) == 2
        assert session.execute(select(Ticket.status).order_by(Ticket.id)).scalars().all() == [
            "closed",
            "open",
        ]
