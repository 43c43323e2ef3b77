"""The composition root: builds every part from the settings, once, and wires them together.

Rasa, TensorFlow and python-telegram-bot take seconds to import, so they are imported by the functions
that build them: staff commands that only need the database, knowledge and plans start fast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from bot.core.render import Renderer
from bot.errors import ConfigError
from bot.settings import ROOT, Settings, WhatsAppSettings
from bot.staff.cohorts import CohortTools
from bot.storage.db import Database, make_engine, upgrade_schema
from knowledge import loader
from knowledge.calls import CallsFile
from knowledge.model import KnowledgeBase
from scheduler import plans
from scheduler.dispatcher import Dispatcher, Route
from scheduler.rate_limits import ChannelPace
from scheduler.reminders import Planner
from scheduler.service import DeliveryService

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.routing import Mount

    from bot.channels.registry import Registry
    from bot.core.conversation import Conversation
    from bot.core.intake import Intake

# Concurrent sends of the dispatcher: 8 keep 1,000 messages a second flowing to a local Bot API server.
DISPATCH_CONNECTIONS = 8
# Meta's pair rate: one message every 6 seconds to one person.
WHATSAPP_PAIR_RATE = 1 / 6

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
    planner: Planner
    renderer: Renderer
    calls: CallsFile


def whatsapp_pace(settings: WhatsAppSettings) -> ChannelPace:
    """WhatsApp's pace: ``MENTOR_WHATSAPP_RATE`` and Meta's pair rate, strictly (Meta refuses any excess)."""
    return ChannelPace(settings.rate_per_second, WHATSAPP_PAIR_RATE, strict=True)


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


def load_planner(settings: Settings, knowledge: KnowledgeBase) -> Planner:
    """The reminder plans; refuse to start on a bad plan."""
    loaded, problems = plans.load_checked(knowledge.strings.get("fr", {}))
    if problems:
        raise ConfigError("plans", f"{len(problems)} problems, first: {problems[0]} (see mentor kb validate)")
    return Planner(loaded, settings.delivery.quiet_hours)


def city_countries(path: Path = PLACES_FILE) -> dict[str, str]:
    """Canonical city → country code."""
    return dict(yaml.safe_load(path.read_text(encoding="utf-8"))["cities"])


def build(settings: Settings, clock: Callable[[], datetime] = utc_now) -> App:
    """Build the whole bot."""
    from bot.actions.deps import ActionDeps
    from bot.actions.registry import build_actions
    from bot.core.agent import load_agent
    from bot.core.commands import Commands
    from bot.core.conversation import Conversation
    from bot.staff.review import rewrite_pending
    from nlu.language.layer import LanguageLayer
    from nlu.scam_signals import ScamSignals

    database = open_database(settings)
    knowledge = load_knowledge()
    deps = ActionDeps(
        knowledge=knowledge,
        database=database,
        clock=clock,
        city_countries=city_countries(),
        quiet_hours=settings.delivery.quiet_hours,
    )
    agent = load_agent(settings.rasa_model, settings.database_url, build_actions(deps))
    planner = load_planner(settings, knowledge)
    calls = CallsFile(knowledge.calls)
    renderer = Renderer(knowledge, clock, calls.current)
    conversation = Conversation(
        agent=agent,
        layer=LanguageLayer.load(settings.langid_model),
        scam_signals=ScamSignals.load(),
        renderer=renderer,
        commands=Commands(database, knowledge, clock, planner),
        database=database,
        clock=clock,
        default_language=settings.default_language,
        forgotten=lambda: rewrite_pending(database),
    )
    return App(settings, database, knowledge, conversation, planner, renderer, calls)


def intake(built: App, clock: Callable[[], datetime] = utc_now) -> Intake:
    """The queue between the channels and the conversation."""
    from bot.core.intake import Intake
    from bot.core.reachability import PlatformReports

    return Intake(built.conversation, PlatformReports(built.database, clock), built.database, clock)


def channels(built: App, taken_in: Intake) -> Registry:
    """Every configured messaging channel, each with its outbox sender and pace: the one list of adapters."""
    from bot.channels.registry import Registry

    settings = built.settings
    registry = Registry()
    if settings.telegram is not None:
        from bot.channels.telegram import TelegramChannel
        from bot.channels.telegram_sender import outbox_sender

        telegram = TelegramChannel(taken_in, taken_in.people, built.knowledge, settings.telegram)
        pace = ChannelPace(settings.telegram.rate_per_second, settings.telegram.chat_rate_per_second)
        registry.add(telegram, Route(outbox_sender(settings.telegram, DISPATCH_CONNECTIONS), pace))
    if settings.whatsapp is not None:
        from bot.channels import whatsapp_sender
        from bot.channels.whatsapp import WhatsAppChannel

        whatsapp = WhatsAppChannel(taken_in, built.database, settings.whatsapp)
        pace = whatsapp_pace(settings.whatsapp)
        sender = whatsapp_sender.outbox_sender(
            settings.whatsapp, DISPATCH_CONNECTIONS, approved_templates(built.database)
        )
        registry.add(whatsapp, Route(sender, pace, settings.whatsapp.daily_limit))
    for adapter in registry.adapters:
        taken_in.register(adapter)
    return registry


def approved_templates(database: Database, seconds: float = 30.0) -> Callable[[], set[tuple[str, str]]]:
    """The approved WhatsApp templates as last synced, read from the database at most every ``seconds``."""
    import time

    from bot.storage import templates

    cache: dict[str, tuple[float, set[tuple[str, str]]]] = {}

    def approved() -> set[tuple[str, str]]:
        now = time.monotonic()
        if "at" not in cache or now - cache["at"][0] > seconds:
            with database.session() as session:
                cache["at"] = (now, templates.approved(session))
        return cache["at"][1]

    return approved


def web(built: App, registry: Registry) -> Starlette:
    """The one web app: every channel's routes, the staff console and ``/healthz``."""
    from bot.web.app import web_app

    return web_app(
        [*registry.routes(), console(built.settings, built.database, knowledge=built.knowledge)],
        built.database.answers,
    )


def console(
    settings: Settings,
    database: Database,
    clock: Callable[[], datetime] = utc_now,
    knowledge: KnowledgeBase | None = None,
    root: Path | None = None,
) -> Mount:
    """The staff console under ``/console``, on the staff services of ``database``: add a page module's
    service to ``Services`` here. ``root`` is the repository whose ``nlu/reviewed`` and ``knowledge/`` files
    the review loop and upkeep write (this one unless a test gives a copy)."""
    from bot.console.app import console as console_mount
    from bot.console.keys import signing_key
    from bot.console.pages import Services
    from bot.settings import TelegramSettings, WhatsAppSettings
    from bot.staff.accounts import StaffAccounts
    from bot.staff.audit_log import AuditLog
    from bot.staff.broadcasts import Broadcasts
    from bot.staff.campaigns import Campaigns
    from bot.staff.preferences import Preferences
    from bot.staff.review import ReviewService
    from bot.staff.similarity import RasaUnderstanding
    from bot.staff.tickets import TicketDesk
    from bot.staff.upkeep import Upkeep
    from knowledge import teams

    knowledge = knowledge or load_knowledge()
    repository = root or ROOT
    titles = {topic: entry.title for topic, entry in knowledge.entries.items()}
    # the sends a minute each channel allows, for the broadcast chart (the defaults when it is not set up)
    channels = {
        "telegram": settings.telegram or TelegramSettings,
        "whatsapp": settings.whatsapp or WhatsAppSettings,
    }
    services = Services(
        accounts=StaffAccounts(database, clock),
        audit=AuditLog(database, clock),
        preferences=Preferences(database, clock),
        broadcasts=Broadcasts(database, clock, titles.keys(), settings.default_language, settings.delivery),
        campaigns=Campaigns(database, clock, settings.default_language),
        topics=titles,
        per_minute_limits={name: int(c.rate_per_second * 60) for name, c in channels.items()},
        tickets=TicketDesk(database, teams.load(list(titles)), teams.load_saved_replies(), clock),
        # the model is loaded at the first grouping, so the console starts (and serves) without one
        review=ReviewService(database, clock, lambda: RasaUnderstanding(settings.rasa_model), repository),
        review_model=settings.rasa_model,
        upkeep=Upkeep(database, clock, repository / "knowledge" if root else loader.KNOWLEDGE_DIR),
    )
    return console_mount(services, signing_key(settings))


def delivery_service(
    built: App, registry: Registry, clock: Callable[[], datetime] = utc_now
) -> DeliveryService:
    """The outbox dispatcher and periodic jobs, sending through each configured channel at its pace."""
    settings = built.settings
    dispatcher = Dispatcher(
        built.database,
        registry.outbox,
        built.renderer,
        clock,
        settings.default_language,
        workers=DISPATCH_CONNECTIONS,
    )
    return DeliveryService(
        built.database,
        dispatcher,
        built.calls.current,
        settings.delivery,
        settings.retention_days,
        clock,
        registry.outbox_senders(),
    )


def cohort_tools(settings: Settings, clock: Callable[[], datetime] = utc_now) -> CohortTools:
    """The staff's cohort tools, without the language models."""
    return CohortTools(open_database(settings), load_planner(settings, load_knowledge()), clock)
