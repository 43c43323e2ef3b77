"""Tickets of the human handoff, their messages, mentors' teams; and the conversation before a ticket.

The conversation before a ticket is read from Rasa's own history (the ``events`` table of the tracker store,
keyed by the person's random id): the person's texts, and the bot's replies as the payloads its actions sent,
which the caller renders into words. Nothing here knows a phone number.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, func, select
from sqlalchemy.orm import Session

from bot.storage.ticket_models import TeamMember, Ticket, TicketMessage

# Rasa's events table, with the columns the history needs (``models.RASA_EVENTS`` has those of deletion).
EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("data", Text),
)
HISTORY_EVENTS = 60  # the newest user and bot events copied into a ticket


@dataclass(frozen=True)
class Said:
    """One turn of the conversation before a ticket: the person's text, or the bot's reply payloads."""

    author: str
    at: datetime
    text: str = ""
    parts: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class History:
    """What the person and the bot said (oldest first), and the last topic the bot answered."""

    said: tuple[Said, ...]
    last_topic: str | None


def history(session: Session, user_id: str, limit: int = HISTORY_EVENTS) -> History:
    """The newest ``limit`` things said in the person's conversation, and the topic last answered."""
    if not session.get_bind().dialect.has_table(session.connection(), EVENTS.name):
        return History((), None)
    rows = session.execute(
        select(EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.data)
        .where(EVENTS.c.sender_id == user_id, EVENTS.c.type_name.in_(("user", "bot", "slot")))
        .order_by(EVENTS.c.id.desc())
        .limit(limit * 2)
    ).all()
    said: list[Said] = []
    last_topic = None
    for row in reversed(rows):
        event = json.loads(row.data or "{}")
        at = datetime.fromtimestamp(row.timestamp or 0, timezone.utc)
        if row.type_name == "slot" and event.get("name") == "last_topic":
            last_topic = event.get("value")
        elif row.type_name == "user" and event.get("text"):
            said.append(Said("person", at, text=str(event["text"])))
        elif row.type_name == "bot":
            custom = (event.get("data") or {}).get("custom") or {}
            parts = tuple(p for p in custom.get("parts", ()) if isinstance(p, dict))
            if parts or event.get("text"):
                said.append(Said("bot", at, text=str(event.get("text") or ""), parts=parts))
    return History(tuple(said[-limit:]), last_topic)


def open_of(session: Session, user_id: str) -> Ticket | None:
    """The person's open ticket, if any."""
    return session.execute(
        select(Ticket).where(Ticket.user_id == user_id, Ticket.status == "open").order_by(Ticket.id)
    ).scalar()


def get(session: Session, ticket_id: int) -> Ticket | None:
    """The ticket with this id."""
    return session.get(Ticket, ticket_id)


def create(session: Session, **fields: Any) -> Ticket:
    """A new open ticket with ``fields`` (the columns of ``Ticket``)."""
    ticket = Ticket(status="open", **fields)
    session.add(ticket)
    session.flush()
    return ticket


def add_message(
    session: Session, ticket_id: int, author: str, text: str, at: datetime, staff: str | None = None
) -> TicketMessage:
    """Append one message to a ticket."""
    message = TicketMessage(ticket_id=ticket_id, author=author, text=text, at=at, staff=staff)
    session.add(message)
    session.flush()
    return message


def messages(session: Session, ticket_id: int) -> list[TicketMessage]:
    """A ticket's messages in the order they were added (the conversation before it, then what came)."""
    query = select(TicketMessage).where(TicketMessage.ticket_id == ticket_id)
    return list(session.execute(query.order_by(TicketMessage.id)).scalars())


def queue(session: Session, teams: Iterable[str] | None, status: str | None = "open") -> list[Ticket]:
    """Tickets of ``teams`` (all teams when None) in ``status`` (any when None), oldest first."""
    query = select(Ticket).order_by(Ticket.opened_at, Ticket.id)
    if teams is not None:
        query = query.where(Ticket.team.in_(list(teams)))
    if status is not None:
        query = query.where(Ticket.status == status)
    return list(session.execute(query).scalars())


def message_counts(session: Session, ticket_ids: Sequence[int]) -> dict[int, int]:
    """How many messages each ticket holds (notes included)."""
    if not ticket_ids:
        return {}
    rows = session.execute(
        select(TicketMessage.ticket_id, func.count())
        .where(TicketMessage.ticket_id.in_(list(ticket_ids)))
        .group_by(TicketMessage.ticket_id)
    ).all()
    return {int(ticket_id): int(count) for ticket_id, count in rows}


def teams_of(session: Session, staff_id: int) -> list[str]:
    """The teams a mentor belongs to."""
    query = select(TeamMember.team).where(TeamMember.staff_id == staff_id).order_by(TeamMember.team)
    return list(session.execute(query).scalars())


def add_member(session: Session, staff_id: int, team: str, now: datetime) -> bool:
    """Put a mentor in a team; False when they were in it already."""
    if team in teams_of(session, staff_id):
        return False
    session.add(TeamMember(staff_id=staff_id, team=team, added_at=now))
    session.flush()
    return True


def remove_member(session: Session, staff_id: int, team: str) -> bool:
    """Take a mentor out of a team; False when they were not in it."""
    result = session.execute(
        delete(TeamMember).where(TeamMember.staff_id == staff_id, TeamMember.team == team)
    )
    return bool(result.rowcount)


def members(session: Session) -> list[tuple[str, int]]:
    """(team, staff id) of every membership."""
    rows = session.execute(select(TeamMember.team, TeamMember.staff_id).order_by(TeamMember.team)).all()
    return [(str(team), int(staff_id)) for team, staff_id in rows]


def export(session: Session, user_id: str) -> list[dict[str, Any]]:
    """The person's tickets with what they, the bot and mentors wrote in them (internal notes left out:
    they are staff's working notes about the request, not the person's messages)."""
    found = []
    for ticket in session.execute(
        select(Ticket).where(Ticket.user_id == user_id).order_by(Ticket.id)
    ).scalars():
        found.append(
            {
                "opened": ticket.opened_at.isoformat(),
                "status": ticket.status,
                "team": ticket.team,
                "topic": ticket.topic,
                "messages": [
                    {"from": m.author, "text": m.text, "at": m.at.isoformat()}
                    for m in messages(session, ticket.id)
                    if m.author != "note"
                ],
            }
        )
    return found


def forget(session: Session, user_id: str) -> None:
    """Delete the person's tickets and every message in them (notes too)."""
    ids = select(Ticket.id).where(Ticket.user_id == user_id).scalar_subquery()
    session.execute(
        delete(TicketMessage).where(TicketMessage.ticket_id.in_(ids)).execution_options(synchronize_session=False)
    )
    session.execute(delete(Ticket).where(Ticket.user_id == user_id))


def purge_closed(session: Session, cutoff: datetime) -> int:
    """Delete tickets closed before ``cutoff``, with their messages; return how many tickets."""
    ids = select(Ticket.id).where(Ticket.status == "closed", Ticket.closed_at < cutoff).scalar_subquery()
    session.execute(
        delete(TicketMessage).where(TicketMessage.ticket_id.in_(ids)).execution_options(synchronize_session=False)
    )
    result = session.execute(delete(Ticket).where(Ticket.status == "closed", Ticket.closed_at < cutoff))
    return int(result.rowcount or 0)
