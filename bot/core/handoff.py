"""The person's side of the handoff: open a ticket, say honestly when to expect an answer, take in messages.

A ticket opens when a person asks for a human (``contact.human``), presses "I need help" on a check-in, or
accepts the offer of a person after the bot twice failed to understand. It is routed to a team
(``knowledge/teams.py``) and carries the conversation so far, the bot's answers rendered as the person saw
them. While it is open the core stays quiet and hands each message here. Mentors' side: ``bot/staff/tickets``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from bot.actions import say
from bot.core.render import Renderer
from bot.storage import tickets, users
from bot.storage.db import Database
from bot.storage.models import Cohort, Enrollment, User
from knowledge.teams import Team, Teams
from scheduler.timing import ZONES_OF_COUNTRIES

logger = logging.getLogger(__name__)
ZONES_WITH_NAMES = frozenset(ZONES_OF_COUNTRIES.values())
# Parts of an old bot reply not copied into a ticket: a data export (the person's data again), commands.
NOT_COPIED = ("raw", "command", "forget_user", "set_language")


class Handoff:
    """Opens tickets and takes in what the person writes while one is open."""

    def __init__(
        self, database: Database, renderer: Renderer, teams: Teams, clock: Callable[[], datetime]
    ) -> None:
        self.database = database
        self.renderer = renderer
        self.teams = teams
        self.clock = clock

    def active(self, user_id: str) -> int | None:
        """The id of the person's open ticket, if any."""
        with self.database.session() as session:
            ticket = tickets.open_of(session, user_id)
            return None if ticket is None else int(ticket.id)

    def take(self, ticket_id: int, text: str) -> None:
        """Add what the person wrote to their open ticket."""
        with self.database.session() as session:
            tickets.add_message(session, ticket_id, "person", text, self.clock())
        logger.info("ticket %d: the person added a message", ticket_id)

    def open(
        self, user_id: str, source: str, topic: str | None = None, help_request_id: int | None = None
    ) -> list[say.Payload]:
        """Open a ticket (or find the one open) and return what to tell the person."""
        now = self.clock()
        with self.database.session() as session:
            user = users.get(session, user_id)
            if user is None:
                return []
            existing = tickets.open_of(session, user_id)
            if existing is not None:
                team = self.teams.get(existing.team) or self.teams.route(user.country, None, None)
                return self._promise(team, self._zone(session, user, team), now)
            before = tickets.history(session, user_id)
            cohort = self._cohort(session, user_id)[0]
            language = user.reply_language or "fr"
            topic = topic or before.last_topic
            team = self.teams.route(user.country, language, topic)
            ticket = tickets.create(
                session,
                user_id=user_id,
                team=team.id,
                source=source,
                topic=topic,
                channel=user.channel,
                language=language,
                country=user.country,
                cohort=cohort,
                help_request_id=help_request_id,
                opened_at=now,
            )
            for said in before.said:
                text = said.text if said.author == "person" else self._bot_text(said.parts, language)
                if text:
                    tickets.add_message(session, ticket.id, said.author, text, said.at)
            promise = self._promise(team, self._zone(session, user, team), now)
            told = "\n\n".join(m.text for m in self.renderer.render(promise, language))
            tickets.add_message(session, ticket.id, "bot", told, now)
            logger.info("ticket %d opened (%s) for team %s", ticket.id, source, team.id)
        return promise

    def _promise(self, team: Team, zone: str, now: datetime) -> list[say.Payload]:
        """When to expect an answer: the usual delay when the team is at work, else when it is next."""
        next_open = None if team.is_open(now) else team.next_open(now)
        hours = int(team.first_response.total_seconds() // 3600)
        return [say.handoff(team.name, hours, next_open, zone), say.string("ticket_waiting")]

    @staticmethod
    def _cohort(session: object, user_id: str) -> tuple[str | None, str | None]:
        """The code and zone of the cohort the person joined last."""
        row = session.execute(  # type: ignore[attr-defined]
            select(Cohort.code, Cohort.timezone)
            .join(Enrollment, Enrollment.cohort_id == Cohort.id)
            .where(Enrollment.user_id == user_id)
            .order_by(Enrollment.enrolled_at.desc())
        ).first()
        return (row.code, row.timezone) if row is not None else (None, None)

    def _zone(self, session: object, user: User, team: Team) -> str:
        """The person's zone: their own, their cohort's, their country's, else the team's; one the strings
        can name."""
        zone = (
            user.timezone or self._cohort(session, user.id)[1] or ZONES_OF_COUNTRIES.get(user.country or "")
        )
        return zone if zone in ZONES_WITH_NAMES else team.zone

    def _bot_text(self, parts: tuple[dict[str, object], ...], language: str) -> str:
        """A bot reply of the conversation before, as the person saw it (without data exports)."""
        shown = [p for p in parts if not any(key in p for key in NOT_COPIED)]
        try:
            return "\n\n".join(m.text for m in self.renderer.render(shown, language))
        except (KeyError, ValueError):  # an entry or string removed since: leave that reply out
            return ""
