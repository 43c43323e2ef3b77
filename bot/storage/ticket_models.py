"""Tables of the human handoff: tickets, the messages in them, and which mentors belong to which team.

A ticket belongs to one person (``user_id``, the random id; never a phone number or a platform id) and is
deleted with them. The check-in "I need help" press stays a ``help_requests`` row (what cohorts count), linked
to the ticket that handles it: the ticket's state is the one truth, and closing it marks the request handled.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint

from bot.storage.models import Base, HelpRequest, User, UTCDateTime
from bot.storage.staff_models import StaffAccount

TICKET_SOURCES = ("asked", "checkin", "fallback")
MESSAGE_AUTHORS = ("person", "bot", "mentor", "note")


class Ticket(Base):
    """One request for a person: what it is about, where it is routed, and where it stands.

    ``source`` says how it opened (``TICKET_SOURCES``); ``language``, ``country``, ``cohort`` and ``channel``
    are the person's as they were at that moment; ``status`` is ``open`` or ``closed``.
    """

    __tablename__ = "tickets"
    __table_args__ = (Index("ix_tickets_queue", "status", "team", "opened_at"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    user_id = Column(String(32), ForeignKey(User.id, ondelete="CASCADE"), nullable=False, index=True)
    team = Column(String(32), nullable=False)
    status = Column(String(8), nullable=False)
    source = Column(String(16), nullable=False)
    topic = Column(String(64))
    channel = Column(String(16), nullable=False)
    language = Column(String(8), nullable=False)
    country = Column(String(2))
    cohort = Column(String(64))
    help_request_id = Column(Integer, ForeignKey(HelpRequest.id, ondelete="SET NULL"))
    opened_at = Column(UTCDateTime, nullable=False)
    first_response_at = Column(UTCDateTime)
    closed_at = Column(UTCDateTime)
    closed_by = Column(String(254))


class TicketMessage(Base):
    """One message of a ticket: the person's, the bot's (the conversation before it opened), a mentor's
    reply, or a mentor's internal note (never sent). ``staff`` is the mentor's email for replies and notes."""

    __tablename__ = "ticket_messages"

    id = Column(Integer, primary_key=True, autoincrement=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    author = Column(String(8), nullable=False)
    staff = Column(String(254))
    text = Column(Text, nullable=False)
    at = Column(UTCDateTime, nullable=False)


class TeamMember(Base):
    """A mentor's account in one team (``knowledge/teams.yml`` ids): they see and answer its tickets."""

    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("staff_id", "team", name="uq_team_members"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    staff_id = Column(Integer, ForeignKey(StaffAccount.id, ondelete="CASCADE"), nullable=False)
    team = Column(String(32), nullable=False)
    added_at = Column(UTCDateTime, nullable=False)
