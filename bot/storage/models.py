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
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import declarative_base
from sqlalchemy.types import JSON, TypeDecorator

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

    ``source`` is where they came from (a /start deep link), ``timezone`` the IANA zone their reminders are
    timed in (when unset, their cohort's), ``unreachable_at`` when the platform said they blocked the bot.
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
    timezone = Column(String(64))
    unreachable_at = Column(UTCDateTime)
    created_at = Column(UTCDateTime, nullable=False)
    last_seen_at = Column(UTCDateTime, nullable=False)
    last_inbound_at = Column(UTCDateTime)


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


class Cohort(Base):
    """Trainees who travel together; ``dates`` maps date names to ISO dates (``cohorts.COHORT_DATES``)."""

    __tablename__ = "cohorts"

    id = Column(Integer, primary_key=True, autoincrement=True)
    code = Column(String(64), nullable=False, unique=True)
    programme = Column(String(64), nullable=False)
    city = Column(String(64), nullable=False)
    timezone = Column(String(64), nullable=False)
    dates = Column(JSON, nullable=False, default=dict)
    created_at = Column(UTCDateTime, nullable=False)


class Enrollment(Base):
    """A person in a cohort."""

    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id", name="uq_enrollments_cohort_user"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    cohort_id = Column(Integer, ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False)
    user_id = Column(String(32), ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    enrolled_at = Column(UTCDateTime, nullable=False)


class OutboxMessage(Base):
    """One proactive message to one person, from the moment it is planned until it is sent or given up.

    ``dedupe_key`` is unique: planning the same reminder or alert twice finds the row already there.
    ``message_key`` says what the message is (for staff); ``content`` is the list of ``bot.actions.say``
    payloads that the renderer turns into text and buttons in the person's language when it is sent.
    ``status`` is one of ``OUTBOX_STATES``; ``lease_until`` bounds how long a claimed row stays claimed.
    ``by_template`` says it went out as an approved template (WhatsApp, outside the 24-hour window): the
    day's count of people reached that way is read from these rows.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "not_before"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    dedupe_key = Column(String(200), nullable=False, unique=True)
    user_id = Column(String(32), ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    channel = Column(String(16), nullable=False)
    kind = Column(String(16), nullable=False)
    message_key = Column(String(64), nullable=False)
    content = Column(JSON, nullable=False)
    cohort_id = Column(Integer, ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    not_before = Column(UTCDateTime, nullable=False)
    status = Column(String(16), nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(String(200))
    lease_until = Column(UTCDateTime)
    sent_at = Column(UTCDateTime)
    created_at = Column(UTCDateTime, nullable=False)
    platform_message_id = Column(String(128), index=True)
    delivery_status = Column(String(16))
    delivered_at = Column(UTCDateTime)
    read_at = Column(UTCDateTime)
    by_template = Column(Boolean, nullable=False, default=False, server_default=false())


OUTBOX_STATES = ("pending", "sending", "sent", "failed", "cancelled", "undeliverable")


class HelpRequest(Base):
    """A trainee pressed "I need help" on a check-in: staff should contact them."""

    __tablename__ = "help_requests"

    id = Column(Integer, primary_key=True, autoincrement=True)
    user_id = Column(String(32), ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    step = Column(String(64), nullable=False)
    at = Column(UTCDateTime, nullable=False)
    handled_at = Column(UTCDateTime)


class Lock(Base):
    """A named lease held by one process (the dispatcher), so that two never send at once."""

    __tablename__ = "locks"

    name = Column(String(32), primary_key=True)
    holder = Column(String(128), nullable=False)
    expires_at = Column(UTCDateTime, nullable=False)


class OfferedButton(Base):
    """A command button the bot sent to a person on one of its messages: only such a press is honoured, and
    a one-time button (a check-in's) only once (``used_at``)."""

    __tablename__ = "offered_buttons"
    __table_args__ = (Index("ix_offered_buttons_message", "user_id", "message_id"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    user_id = Column(String(32), ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    message_id = Column(String(128), nullable=False)
    payload = Column(String(64), nullable=False)
    at = Column(UTCDateTime, nullable=False)
    used_at = Column(UTCDateTime)


class ProcessedUpdate(Base):
    """A platform update already taken in (Telegram's update id, WhatsApp's message id), so that a
    redelivery is acknowledged and not answered again, across restarts. Holds no personal data."""

    __tablename__ = "processed_updates"
    __table_args__ = (UniqueConstraint("channel", "update_key", name="uq_processed_updates"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    channel = Column(String(16), nullable=False)
    update_key = Column(String(128), nullable=False)
    at = Column(UTCDateTime, nullable=False, index=True)


class WhatsAppTemplate(Base):
    """A message template as the Graph API last listed it (``mentor whatsapp templates sync``)."""

    __tablename__ = "whatsapp_templates"
    __table_args__ = (UniqueConstraint("name", "language", name="uq_whatsapp_templates"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    name = Column(String(512), nullable=False)
    language = Column(String(16), nullable=False)
    status = Column(String(32), nullable=False)
    category = Column(String(32))
    synced_at = Column(UTCDateTime, nullable=False)


class Checklist(Base):
    """A person's saved eligibility check: their answers, the documents to gather (``items``, the ones
    ticked off in ``ticked``), the visa office, and the passport expiry and planned start they gave.

    Only written when the person chose to keep it; export shows it and delete-my-data removes it.
    """

    __tablename__ = "checklists"

    user_id = Column(String(32), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    answers = Column(JSON, nullable=False)
    items = Column(JSON, nullable=False)
    ticked = Column(JSON, nullable=False)
    office = Column(String(64), nullable=False)
    passport_expiry = Column(String(10))
    planned_start = Column(String(10))
    saved_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)


RASA_EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False),
    Column("timestamp", Float),
)
