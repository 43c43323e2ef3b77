"""Fixtures of the broadcast and campaign services: a database (SQLite, and PostgreSQL where installed),
staff accounts (the CLI tests make theirs through ``StaffAccounts``), a clock tests move, and a factory of
people."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from bot import app
from bot.settings import Settings
from bot.staff.accounts import Staff
from bot.staff.broadcasts import Broadcasts
from bot.storage import consents, staff, users
from bot.storage.db import Database
from knowledge.model import KnowledgeBase
from tests.clock import Clock


@dataclass
class Desk:
    """What a broadcast test works with."""

    database: Database
    clock: Clock
    tools: Broadcasts
    broadcaster: Staff
    approver: Staff
    both: Staff  # a broadcaster who is also an approver
    person: Callable[..., str]


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeBase:
    return app.load_knowledge()


@pytest.fixture
def desk(settings: Settings, knowledge: KnowledgeBase) -> Iterator[Desk]:
    database = app.open_database(settings)
    clock = Clock(datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc))

    def account(email: str, *roles: str) -> Staff:
        # stored directly: these tests never log in, and argon2 would cost a second per account
        with database.session() as session:
            return Staff.of(staff.add(session, email, "no login", roles, "en", clock()))

    broadcaster = account("bea@example.org", "broadcaster")
    approver = account("amal@example.org", "approver")
    both = account("bo@example.org", "broadcaster", "approver")
    counter = iter(range(1, 1_000_000))

    def person(
        channel: str = "telegram",
        country: str | None = "MA",
        language: str | None = "ary",
        consent: bool | None = True,
        purpose: str = "news",
        wrote_hours_ago: float | None = 1.0,
        unreachable: bool = False,
        zone: str | None = None,
        city: str | None = None,
        source: str | None = None,
    ) -> str:
        """A person as the bot would have stored them; returns their id."""
        now = clock()
        with database.session() as session:
            user = users.get_or_create(session, channel, f"ext{next(counter)}", now)
            user.country, user.reply_language, user.timezone, user.city = country, language, zone, city
            user.source = source
            if wrote_hours_ago is not None:
                user.last_inbound_at = now - timedelta(hours=wrote_hours_ago)
            if unreachable:
                user.unreachable_at = now
            if consent is not None:
                consents.record(session, user.id, purpose, consent, now - timedelta(days=1))
            return user.id

    tools = Broadcasts(database, clock, knowledge.entries.keys(), "fr", settings.delivery)
    yield Desk(database, clock, tools, broadcaster, approver, both, person)
    database.engine.dispose()
