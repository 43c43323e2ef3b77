"""Storage: schema by Alembic, consents with their times, and deletion that really deletes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, insert, inspect, select

from bot.app import open_database
from bot.settings import Settings
from bot.storage import consents, personal_data, tickets, unanswered, users
from bot.storage.models import RASA_EVENTS, Consent, UnansweredQuestion, User
from bot.storage.ticket_models import Ticket, TicketMessage

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)


def test_the_schema_is_created_by_migrations_and_upgrading_twice_is_harmless(settings: Settings) -> None:
    database = open_database(settings)
    open_database(settings)
    tables = set(inspect(database.engine).get_table_names())
    assert {"users", "consents", "unanswered_questions", "alembic_version"} <= tables


def test_consent_is_kept_with_its_time_and_the_newest_decision_wins(settings: Settings) -> None:
    database = open_database(settings)
    with database.session() as session:
        user = users.get_or_create(session, "telegram", "42", NOW)
        consents.record(session, user.id, "news", True, NOW)
        consents.record(session, user.id, "news", False, NOW + timedelta(days=1))
        assert consents.current(session, user.id)["news"].granted is False
        assert consents.current(session, user.id)["news"].at == NOW + timedelta(days=1)
    with pytest.raises(ValueError), database.session() as session:
        consents.record(session, user.id, "marketing", True, NOW)


def test_forget_deletes_everything_of_that_person_only(settings: Settings) -> None:
    database = open_database(settings)
    RASA_EVENTS.metadata.create_all(database.engine)
    with database.session() as session:
        gone = users.get_or_create(session, "telegram", "1", NOW)
        kept = users.get_or_create(session, "telegram", "2", NOW)
        for person in (gone, kept):
            consents.record(session, person.id, "news", True, NOW)
            unanswered.record(session, person.id, "??", "fr", None, None, NOW)
            session.execute(insert(RASA_EVENTS).values(sender_id=person.id, timestamp=1.0))
            ticket = tickets.create(
                session, user_id=person.id, team="tunis-sfax", source="asked", channel="telegram",
                language="aeb", opened_at=NOW,
            )  # fmt: skip
            tickets.add_message(session, ticket.id, "person", "3andi so2al", NOW)
            tickets.add_message(session, ticket.id, "note", "internal", NOW, staff="m@example.org")
        gone_id, kept_id = gone.id, kept.id
    with database.session() as session:
        [exported] = personal_data.export(session, gone_id)["tickets"]
        assert exported["team"] == "tunis-sfax"
        assert [m["text"] for m in exported["messages"]] == ["3andi so2al"]  # notes are staff's, not theirs
    with database.session() as session:
        personal_data.forget(session, gone_id)
    with database.session() as session:
        owned = (
            (User, User.id),
            (Consent, Consent.user_id),
            (UnansweredQuestion, UnansweredQuestion.user_id),
            (Ticket, Ticket.user_id),
        )
        for table, column in owned:
            assert session.scalar(select(func.count()).select_from(table).where(column == gone_id)) == 0
            assert session.scalar(select(func.count()).select_from(table).where(column == kept_id)) == 1
        events = select(func.count()).select_from(RASA_EVENTS)
        assert session.scalar(events.where(RASA_EVENTS.c.sender_id == gone_id)) == 0
        assert session.scalar(events.where(RASA_EVENTS.c.sender_id == kept_id)) == 1
        assert session.scalar(select(func.count()).select_from(TicketMessage)) == 2  # the other person's


def test_naive_datetimes_are_refused(settings: Settings) -> None:
    database = open_database(settings)
    with pytest.raises(Exception, match="naive"), database.session() as session:
        users.get_or_create(session, "telegram", "3", datetime(2026, 1, 1))  # noqa: DTZ001
