"""What the scheduler tests share: a database on SQLite and PostgreSQL, plans, a movable clock, and a
dispatcher that sends through the real Telegram sender to the local Bot API server."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator
from datetime import date, datetime, timezone

import pytest

from bot import app
from bot.channels.telegram_sender import outbox_sender
from bot.core.render import Renderer
from bot.evaluation.telegram_harness import TEST_TOKEN
from bot.settings import Secret, Settings, TelegramSettings
from bot.storage import cohorts, users
from bot.storage.db import Database
from knowledge.model import KnowledgeBase
from scheduler.dispatcher import Dispatcher, RetryPolicy, Route
from scheduler.rate_limits import ChannelPace
from scheduler.reminders import Planner
from tests.bot_api import BotApiServer
from tests.clock import Clock

_chat_ids = itertools.count(random.randrange(10**6, 10**9, 10**5))
DATES = {
    "selection_result": date(2026, 12, 1),
    "training_start": date(2027, 1, 11),
    "departure": date(2027, 3, 1),
    "arrival": date(2027, 3, 1),
    "traineeship_start": date(2027, 3, 15),
    "traineeship_end": date(2027, 9, 15),
    "return": date(2027, 9, 30),
}


def new_chat() -> str:
    """A chat id no other test uses (the Bot API server is shared by a module)."""
    return str(next(_chat_ids))


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc))


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    built = app.open_database(settings)
    yield built
    built.engine.dispose()


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeBase:
    return app.load_knowledge()


@pytest.fixture
def planner(settings: Settings, knowledge: KnowledgeBase) -> Planner:
    return app.load_planner(settings, knowledge)


def telegram_route(api_url: str, per_second: float = 1000, per_chat: float = 1000) -> Route:
    """The outbox's Telegram sender against ``api_url``, at the given pace."""
    sender = outbox_sender(TelegramSettings(Secret(TEST_TOKEN), api_url=f"{api_url}/bot"), connections=8)
    return Route(sender, ChannelPace(per_second, per_chat))


def make_dispatcher(
    database: Database,
    knowledge: KnowledgeBase,
    clock: Callable[[], datetime],
    bot_api: BotApiServer,
    policy: RetryPolicy | None = None,
    **pace: float,
) -> Dispatcher:
    renderer = Renderer(knowledge, clock)
    return Dispatcher(
        database, {"telegram": telegram_route(bot_api.url, **pace)}, renderer, clock, "fr", policy
    )


def cohort_with_people(
    database: Database, clock: Clock, zones: list[str | None], code: str = "TNG27"
) -> tuple[int, list[str]]:
    """A cohort with ``DATES`` and one Telegram person per zone (None: the cohort's); returns user ids."""
    with database.session() as session:
        cohort = cohorts.create(session, code, "MENTOR 3", "Tanger", "Africa/Casablanca", DATES, clock())
        ids = []
        for zone in zones:
            person = users.get_or_create(session, "telegram", new_chat(), clock())
            person.timezone = zone
            cohorts.enroll(session, cohort, person, clock())
            ids.append(person.id)
        return cohort.id, ids
