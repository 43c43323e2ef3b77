"""The mentors' side of the handoff: queues, reading a ticket, replies, notes, passing, closing; team members.

The console and ``mentor tickets`` call these same functions. Each takes the acting ``Staff`` (None only where
the operator at the server's terminal may act: the queue overview and team membership) and plain values,
returns frozen dataclasses, and refuses with a ``StaffError`` naming the field. A mentor sees only their
teams' tickets, and only mentors read them. Every action writes an audit row (ids, team names and lengths,
never text). What mentors see never holds a phone number: tickets carry the person's random id, and digit
runs like a phone number in what people wrote are masked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.actions import say
from bot.logs import Redact
from bot.staff.accounts import CLI_ACTOR, Staff, check_email
from bot.staff.errors import StaffError
from bot.storage import audit, outbox, staff, tickets
from bot.storage.db import Database
from bot.storage.models import HelpRequest
from bot.storage.ticket_models import Ticket
from knowledge.teams import Teams

MAX_TEXT = 3500  # under one Telegram message with the intro line, and a WhatsApp template parameter


def _mask(text: str) -> str:
    """What a person wrote, with phone-number-like digit runs (and anything like a secret) hidden."""
    return Redact().redact(text)


@dataclass(frozen=True)
class TicketSummary:
    """A ticket as a queue shows it. ``waited`` runs until the first reply; ``overdue`` when it passed the
    team's first-response target without one."""

    id: int
    team: str
    team_name: str
    status: str
    source: str
    topic: str | None
    person: str
    channel: str
    language: str
    country: str | None
    cohort: str | None
    opened_at: datetime
    waited: timedelta
    overdue: bool
    answered: bool
    closed_at: datetime | None
    messages: int


@dataclass(frozen=True)
class TicketLine:
    """One message of a ticket: ``author`` is person, bot, mentor or note (internal, never sent)."""

    author: str
    staff: str | None
    text: str
    at: datetime


@dataclass(frozen=True)
class TicketView:
    """A ticket with its conversation, and the saved replies in the person's language."""

    ticket: TicketSummary
    lines: tuple[TicketLine, ...]
    saved_replies: dict[str, str]


class TicketDesk:
    """The handoff tickets of one database, routed by one teams file."""

    def __init__(
        self,
        database: Database,
        teams: Teams,
        saved_replies: dict[str, dict[str, str]],
        clock: Callable[[], datetime],
    ) -> None:
        self.database = database
        self.teams = teams
        self.saved_replies = saved_replies
        self.clock = clock

    def queue(self, by: Staff | None, include_closed: bool = False) -> list[TicketSummary]:
        """The tickets of ``by``'s teams (every team for the operator), oldest first."""
        with self.database.session() as session:
            found = tickets.queue(session, self._teams_of(session, by), None if include_closed else "open")
            counts = tickets.message_counts(session, [t.id for t in found])
            return [self._summary(t, counts.get(t.id, 0)) for t in found]

    def show(self, by: Staff, ticket_id: int) -> TicketView:
        """A ticket and its conversation, for a mentor of its team; the reading is audited."""
        with self.database.session() as session:
            ticket = self._ticket(session, by, ticket_id)
            lines = tuple(
                TicketLine(m.author, m.staff, _mask(m.text), m.at)
                for m in tickets.messages(session, ticket.id)
            )
            audit.record(
                session, by.email, "ticket.read", "ticket", ticket.id, self.clock(), team=ticket.team
            )
            saved = {key: texts[ticket.language] for key, texts in self.saved_replies.items()}
            return TicketView(self._summary(ticket, len(lines)), lines, saved)

    def reply(
        self, by: Staff, ticket_id: int, text: str | None = None, saved: str | None = None
    ) -> TicketSummary:
        """Send the person a reply (``text``, or the saved reply ``saved`` in their language) through the
        outbox, on their channel."""
        now = self.clock()
        with self.database.session() as session:
            ticket = self._ticket(session, by, ticket_id, open_only=True)
            if saved is not None:
                if saved not in self.saved_replies:
                    raise StaffError(
                        f"saved: {saved[:40]!r} is not one of {', '.join(sorted(self.saved_replies))}"
                    )
                text = self.saved_replies[saved][ticket.language]
            body = _text(text)
            message = tickets.add_message(session, ticket.id, "mentor", body, now, staff=by.email)
            team = self.teams.get(ticket.team)
            content = [
                say.string("ticket_reply_intro", team=team.name if team else ticket.team),
                say.raw(body),
            ]
            planned = outbox.Planned(
                f"ticket:{ticket.id}:reply:{message.id}",
                ticket.user_id,
                ticket.channel,
                "ticket_reply",
                "ticket_reply",
                now,
                content,
            )
            outbox.enqueue_once(session, [planned], now)
            ticket.first_response_at = ticket.first_response_at or now
            audit.record(
                session, by.email, "ticket.reply", "ticket", ticket.id, now, team=ticket.team, saved=saved,
                length=len(body),
            )  # fmt: skip
            return self._summary(ticket, len(tickets.messages(session, ticket.id)))

    def note(self, by: Staff, ticket_id: int, text: str) -> TicketSummary:
        """Add an internal note, which only mentors see."""
        now = self.clock()
        with self.database.session() as session:
            ticket = self._ticket(session, by, ticket_id)
            body = _text(text)
            tickets.add_message(session, ticket.id, "note", body, now, staff=by.email)
            audit.record(
                session, by.email, "ticket.note", "ticket", ticket.id, now, team=ticket.team, length=len(body)
            )
            return self._summary(ticket, len(tickets.messages(session, ticket.id)))

    def pass_to(self, by: Staff, ticket_id: int, team_id: str) -> TicketSummary:
        """Hand an open ticket to another team."""
        target = self.teams.get(team_id.strip())
        if target is None:
            raise StaffError(
                f"team: {team_id[:40]!r} is not one of {', '.join(t.id for t in self.teams.teams)}"
            )
        now = self.clock()
        with self.database.session() as session:
            ticket = self._ticket(session, by, ticket_id, open_only=True)
            if ticket.team == target.id:
                raise StaffError(f"team: ticket {ticket.id} is already with {target.id}")
            before, ticket.team = ticket.team, target.id
            audit.record(
                session, by.email, "ticket.pass", "ticket", ticket.id, now, team=before, to=target.id
            )
            return self._summary(ticket, len(tickets.messages(session, ticket.id)))

    def close(self, by: Staff, ticket_id: int) -> TicketSummary:
        """Close the ticket: the conversation goes back to the bot, and the person is told so."""
        now = self.clock()
        with self.database.session() as session:
            ticket = self._ticket(session, by, ticket_id, open_only=True)
            ticket.status, ticket.closed_at, ticket.closed_by = "closed", now, by.email
            if ticket.help_request_id is not None:
                request = session.get(HelpRequest, ticket.help_request_id)
                if request is not None and request.handled_at is None:
                    request.handled_at = now
            told = outbox.Planned(
                f"ticket:{ticket.id}:closed",
                ticket.user_id,
                ticket.channel,
                "ticket_reply",
                "ticket_closed",
                now,
                [say.string("ticket_closed")],
            )
            outbox.enqueue_once(session, [told], now)
            audit.record(session, by.email, "ticket.close", "ticket", ticket.id, now, team=ticket.team)
            return self._summary(ticket, len(tickets.messages(session, ticket.id)))

    def add_member(self, by: Staff | None, email: str, team_id: str) -> str:
        """Put a mentor's account in a team (``by``: an admin, or None for the operator at the terminal)."""
        return self._membership(by, email, team_id, add=True)

    def remove_member(self, by: Staff | None, email: str, team_id: str) -> str:
        """Take a mentor's account out of a team."""
        return self._membership(by, email, team_id, add=False)

    def members(self) -> list[tuple[str, str]]:
        """(team id, email) of every mentor in a team."""
        with self.database.session() as session:
            emails = {a.id: a.email for a in staff.everyone(session)}
            return [(team, emails[staff_id]) for team, staff_id in tickets.members(session)]

    def _membership(self, by: Staff | None, email: str, team_id: str, add: bool) -> str:
        if by is not None and not by.has("admin"):
            raise StaffError(f"{by.email} is not an admin")
        if self.teams.get(team_id) is None:
            raise StaffError(
                f"team: {team_id[:40]!r} is not one of {', '.join(t.id for t in self.teams.teams)}"
            )
        now = self.clock()
        with self.database.session() as session:
            account = staff.by_email(session, check_email(email))
            if account is None or account.disabled_at is not None:
                raise StaffError(f"email: {email[:60]} has no active staff account")
            if "mentor" not in account.role_set:
                raise StaffError(f"email: {account.email} is not a mentor")
            if add:
                changed = tickets.add_member(session, account.id, team_id, now)
            else:
                changed = tickets.remove_member(session, account.id, team_id)
            verb = "added to" if add else "removed from"
            if changed:
                action = "team.add" if add else "team.remove"
                audit.record(
                    session, by.email if by else CLI_ACTOR, action, "staff", account.id, now, team=team_id
                )
                return f"{account.email} {verb} {team_id}"
            return f"{account.email} was already {'in' if add else 'not in'} {team_id}"

    def _teams_of(self, session: Session, by: Staff | None) -> Sequence[str] | None:
        """The teams whose tickets ``by`` may see: all for the operator, their own for a mentor."""
        if by is None:
            return None
        if not by.has("mentor"):
            raise StaffError(f"{by.email} is not a mentor: only mentors read tickets")
        return tickets.teams_of(session, by.id)

    def _ticket(self, session: Session, by: Staff, ticket_id: int, open_only: bool = False) -> Ticket:
        """The ticket when ``by`` is a mentor of its team (the same refusal whether it exists or not)."""
        teams = self._teams_of(session, by)
        ticket = tickets.get(session, ticket_id)
        if ticket is None or teams is None or ticket.team not in teams:
            raise StaffError(f"ticket: no ticket {ticket_id} in the teams of {by.email}")
        if open_only and ticket.status != "open":
            raise StaffError(f"ticket: {ticket_id} is closed")
        return ticket

    def _summary(self, ticket: Ticket, messages: int) -> TicketSummary:
        team = self.teams.get(ticket.team)
        waited = (ticket.first_response_at or ticket.closed_at or self.clock()) - ticket.opened_at
        overdue = (
            ticket.status == "open"
            and ticket.first_response_at is None
            and (team is not None and waited > team.first_response)
        )
        return TicketSummary(
            id=ticket.id,
            team=ticket.team,
            team_name=team.name if team else ticket.team,
            status=ticket.status,
            source=ticket.source,
            topic=ticket.topic,
            person=ticket.user_id,
            channel=ticket.channel,
            language=ticket.language,
            country=ticket.country,
            cohort=ticket.cohort,
            opened_at=ticket.opened_at,
            waited=waited,
            overdue=overdue,
            answered=ticket.first_response_at is not None,
            closed_at=ticket.closed_at,
            messages=messages,
        )


def _text(text: str | None) -> str:
    """A reply or note: not empty, not absurdly long."""
    body = (text or "").strip()
    if not body:
        raise StaffError("text: write something (or name a saved reply)")
    if len(body) > MAX_TEXT:
        raise StaffError(f"text: at most {MAX_TEXT} characters ({len(body)} given)")
    return body
