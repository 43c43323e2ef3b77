"""Tables of the application, managed by Alembic (``bot/storage/migrations``).

Rasa's own ``events`` table (the SQLTrackerStore) lives in the same database; Rasa creates it,
and ``RASA_EVENTS`` below only describes the columns we need to delete and purge a history.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base
from sqlalchemy.types import TypeDecorator

Base = declarative_base()


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def new_id() -> str:
    """A random id that says nothing about the person."""
    return uuid.uuid4().hex


class User(Base):
    """A person on one channel; the id is also the Rasa sender id, so no phone number reaches the tracker.

    ``source`` is where they came from (a /start deep link), ``cohort_code`` the cohort such a link named,
    ``unreachable_at`` when the platform said they blocked the bot.
    """

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_users_channel_external"),)

    id = Column(String(32), primary_key=True, default=new_id)
    channel = Column(String(16), nullable=False)
    external_id = Column(String(128), nullable=False)
    chosen_language = Column(String(8))
    reply_language = Column(String(8))
    variety = Column(String(16))
    country = Column(String(2))
    city = Column(String(64))
    source = Column(String(64))
    cohort_code = Column(String(64))
    unreachable_at = Column(UTCDateTime)
    created_at = Column(UTCDateTime, nullable=False)
    last_seen_at = Column(UTCDateTime, nullable=False)


class Consent(Base):
    """One consent decision for one purpose; the newest row per purpose is in force."""

    __tablename__ = "consents"

    id = Column(Integer, primary_key=True, autoincrement=True)
    user_id = Column(String(32), ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    purpose = Column(String(16), nullable=False)
    granted = Column(Boolean, nullable=False)
    at = Column(UTCDateTime, nullable=False)


class UnansweredQuestion(Base):
    """A message the bot could not answer, kept for staff to review."""

    __tablename__ = "unanswered_questions"

    id = Column(Integer, primary_key=True, autoincrement=True)
    user_id = Column(String(32), ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    text = Column(Text, nullable=False)
    variety = Column(String(16))
    intent = Column(String(64))
    confidence = Column(Float)
    at = Column(UTCDateTime, nullable=False)


RASA_EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False),
    Column("timestamp", Float),
)
