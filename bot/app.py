"""The composition root: builds every part from the settings, once, and wires them together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import yaml

from bot.actions.deps import ActionDeps
from bot.actions.registry import build_actions
from bot.channels.telegram import TelegramChannel
from bot.core.agent import load_agent
from bot.core.commands import Commands
from bot.core.conversation import Conversation
from bot.core.render import Renderer
from bot.errors import ConfigError
from bot.settings import Settings
from bot.storage import users
from bot.storage.db import Database, make_engine, upgrade_schema
from knowledge import loader
from knowledge.model import KnowledgeBase
from nlu.language.layer import LanguageLayer
from nlu.scam_signals import ScamSignals

PLACES_FILE = loader.KNOWLEDGE_DIR / "places.yml"


def utc_now() -> datetime:
    """The real clock (tests pass their own)."""
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class App:
    """The built application."""

    settings: Settings
    database: Database
    knowledge: KnowledgeBase
    conversation: Conversation


def open_database(settings: Settings) -> Database:
    """Connect and bring the schema up to date."""
    engine = make_engine(settings.database_url)
    upgrade_schema(engine)
    return Database(engine)


def load_knowledge() -> KnowledgeBase:
    """Load the knowledge base; refuse to start on content errors (re-check dates are not checked here)."""
    knowledge, problems = loader.load()
    errors = [p for p in problems if p.error]
    if errors:
        raise ConfigError(
            "knowledge", f"{len(errors)} problems, first: {errors[0]} (run `mentor kb validate`)"
        )
    return knowledge


def city_countries(path: Path = PLACES_FILE) -> dict[str, str]:
    """Canonical city → country code."""
    return dict(yaml.safe_load(path.read_text(encoding="utf-8"))["cities"])


def build(settings: Settings, clock: Callable[[], datetime] = utc_now) -> App:
    """Build the whole bot."""
    database = open_database(settings)
    knowledge = load_knowledge()
    deps = ActionDeps(knowledge=knowledge, database=database, clock=clock, city_countries=city_countries())
    agent = load_agent(settings.rasa_model, settings.database_url, build_actions(deps))
    conversation = Conversation(
        agent=agent,
        layer=LanguageLayer.load(settings.langid_model),
        scam_signals=ScamSignals.load(),
        renderer=Renderer(knowledge, clock),
        commands=Commands(database, knowledge, clock),
        database=database,
        clock=clock,
        default_language=settings.default_language,
    )
    return App(settings=settings, database=database, knowledge=knowledge, conversation=conversation)


def telegram_channel(built: App, clock: Callable[[], datetime] = utc_now) -> TelegramChannel:
    """The Telegram channel over the built bot; a person who blocks the bot is marked unreachable."""
    assert built.settings.telegram is not None

    def unreachable(external_id: str) -> None:
        with built.database.session() as session:
            user = users.find(session, TelegramChannel.name, external_id)
            if user is not None:
                users.mark_unreachable(session, user.id, clock())

    return TelegramChannel(built.conversation, built.knowledge, built.settings.telegram, unreachable)
