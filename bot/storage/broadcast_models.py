"""Tables of broadcasts and campaigns: what staff send to a segment, who it was queued for, and the
campaign links people arrive through.

A broadcast's outbox rows carry the dedupe key ``broadcast:<id>:<user id>`` (one per broadcast and person);
``broadcast_recipients`` lists those keys by broadcast, so that figures and cancelling find a broadcast's
rows through an index on every database (a ``LIKE`` prefix on the outbox's key would not use one on
PostgreSQL).
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String

from bot.storage.models import Base, UTCDateTime

BROADCAST_STATES = ("draft", "approved", "cancelled")


class Broadcast(Base):
    """A message staff wrote for a segment. ``segment`` maps a key to its accepted values (``segment`` in
    ``bot.staff.audiences``); ``texts`` a reply language to its text; ``buttons`` knowledge topic ids.
    ``timing`` is ``now``, ``at`` (one instant, ``send_at``) or ``local`` (``local_at``, the wall-clock
    time in each recipient's zone). ``version`` grows with each edit; an approval is for one version."""

    __tablename__ = "broadcasts"

    id = Column(Integer, primary_key=True, autoincrement=True)
    name = Column(String(100), nullable=False)
    segment = Column(JSON, nullable=False)
    purpose = Column(String(16), nullable=False)
    texts = Column(JSON, nullable=False)
    buttons = Column(JSON, nullable=False, default=list)
    template = Column(String(64), nullable=False)
    timing = Column(String(8), nullable=False)
    send_at = Column(UTCDateTime)
    local_at = Column(String(16))
    status = Column(String(16), nullable=False)
    version = Column(Integer, nullable=False, default=1)
    drafted_by = Column(Integer, ForeignKey("staff_accounts.id", ondelete="SET NULL"))
    drafted_by_email = Column(String(254), nullable=False)
    approved_by_email = Column(String(254))
    approved_at = Column(UTCDateTime)
    approved_version = Column(Integer)
    cancelled_at = Column(UTCDateTime)
    created_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)


class BroadcastRecipient(Base):
    """One person a broadcast was queued for, by the dedupe key of their outbox row."""

    __tablename__ = "broadcast_recipients"
    __table_args__ = (Index("ix_broadcast_recipients_user", "user_id"),)

    broadcast_id = Column(Integer, ForeignKey("broadcasts.id", ondelete="CASCADE"), primary_key=True)
    user_id = Column(String(32), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    dedupe_key = Column(String(200), nullable=False, unique=True)
    queued_at = Column(UTCDateTime, nullable=False)


class Campaign(Base):
    """A campaign: its code is the /start payload of its links (``[A-Za-z0-9_-]{1,32}``)."""

    __tablename__ = "campaigns"

    id = Column(Integer, primary_key=True, autoincrement=True)
    code = Column(String(32), nullable=False, unique=True)
    name = Column(String(100), nullable=False)
    created_by_email = Column(String(254), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)


class CampaignContact(Base):
    """A person who arrived through a campaign's link; ``first`` when it was how they first came."""

    __tablename__ = "campaign_contacts"
    __table_args__ = (Index("ix_campaign_contacts_campaign_at", "campaign_id", "at"),)

    campaign_id = Column(Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    user_id = Column(String(32), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    at = Column(UTCDateTime, nullable=False)
    first = Column(Integer, nullable=False, default=0)
