"""What the dispatcher checks again when a row falls due, whatever was true when it was planned: quiet hours
in the person's zone, the consent for its purpose, that the person can be reached, and on WhatsApp that they
opted in. Telegram through the local Bot API server, WhatsApp through the local Graph API fake; time is moved
by hand."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.actions import say
from bot.channels.whatsapp_sender import outbox_sender
from bot.core.commands import Commands
from bot.core.messages import InboundMessage
from bot.core.render import Renderer
from bot.settings import DeliverySettings, Secret, WhatsAppSettings
from bot.staff.cohorts import CohortTools
from bot.staff.outbox import outbox_status
from bot.storage import consents, outbox, users
from bot.storage.db import Database
from bot.storage.models import OutboxMessage, User
from knowledge.model import KnowledgeBase
from scheduler.dispatcher import Dispatcher, RetryPolicy, Route
from scheduler.rate_limits import ChannelPace
from scheduler.reminders import Planner
from scheduler.service import DeliveryService
from tests.bot_api import BotApiServer
from tests.scheduler.conftest import Clock, cohort_with_people, make_dispatcher, new_chat
from tests.whatsapp_api import WhatsAppServer, whatsapp_graph_server

CASABLANCA_EVENING = datetime(2026, 11, 23, 19, 55, tzinfo=timezone.utc)  # 20:55 in Casablanca (UTC+1)
MESSAGE = "reminder_return_checkin_7"


def _row(
    database: Database, user_id: str, channel: str, key: str, due: datetime, kind: str = "reminder"
) -> None:
    with database.session() as session:
        planned = outbox.Planned(key, user_id, channel, kind, MESSAGE, due, [say.string(MESSAGE)])
        outbox.enqueue_once(session, [planned], due)


def _person(
    database: Database, clock: Clock, channel: str = "telegram", external_id: str | None = None
) -> str:
    with database.session() as session:
        person = users.get_or_create(session, channel, external_id or new_chat(), clock())
        person.timezone = "Africa/Casablanca"
        return person.id


def _state(database: Database, key: str) -> tuple[str, str | None, datetime, int]:
    with database.session() as session:
        row = session.execute(select(OutboxMessage).where(OutboxMessage.dedupe_key == key)).scalar_one()
        return row.status, row.last_error, row.not_before, row.attempts


async def _drain(dispatcher: Dispatcher) -> dict[str, int]:
    sender: Any = dispatcher.routes["telegram"].sender
    async with sender.bot:
        return dict(await dispatcher.drain())


def _service_dispatcher(
    database: Database, knowledge: KnowledgeBase, clock: Clock, bot_api: BotApiServer, **policy: float
) -> Dispatcher:
    """The dispatcher as ``mentor run`` has it: the delivery service applies the settings' quiet hours."""
    dispatcher = make_dispatcher(database, knowledge, clock, bot_api, RetryPolicy(**policy))  # type: ignore[arg-type]
    DeliveryService(database, dispatcher, lambda: (), DeliverySettings(), 180, clock)
    return dispatcher


def test_a_retry_that_falls_due_at_23_local_waits_until_quiet_hours_end(
    database: Database, knowledge: KnowledgeBase, bot_api: BotApiServer
) -> None:
    clock = Clock(CASABLANCA_EVENING)
    user_id = _person(database, clock)
    chat = int(_external_id(database, user_id))
    _row(database, user_id, "telegram", "quiet:retry", clock())

    def dispatcher() -> Dispatcher:  # one per pass: a sender belongs to one event loop
        return _service_dispatcher(database, knowledge, clock, bot_api, first_delay=7200.0)

    bot_api.fault("sendMessage", 500, times=1)
    assert asyncio.run(_drain(dispatcher())) == {"retry": 1}
    status, _, retry_at, attempts = _state(database, "quiet:retry")
    assert (status, attempts) == ("pending", 1) and retry_at <= datetime(
        2026, 11, 23, 22, tzinfo=timezone.utc
    )

    clock.now = datetime(2026, 11, 23, 22, 0, tzinfo=timezone.utc)  # 23:00 in Casablanca: the retry is due
    assert asyncio.run(_drain(dispatcher())) == {"deferred": 1}
    morning = datetime(2026, 11, 24, 8, 0, tzinfo=timezone.utc)  # 09:00 in Casablanca
    assert _state(database, "quiet:retry")[::2] == ("pending", morning)
    assert _state(database, "quiet:retry")[3] == 1  # waiting is not an attempt
    assert bot_api.sent(chat) == []

    clock.now = morning
    assert asyncio.run(_drain(dispatcher())) == {"sent": 1}
    assert len(bot_api.sent(chat)) == 1


def _external_id(database: Database, user_id: str) -> str:
    with database.session() as session:
        return str(session.get(User, user_id).external_id)  # type: ignore[union-attr]


def _claimed_then_lost(database: Database, clock: Clock) -> None:
    """The row is claimed by a dispatcher that then dies (its claim is released at the restart)."""
    with database.session() as session:
        assert outbox.claim_due(session, clock(), 10, timedelta(minutes=5), ["telegram"])


def test_a_consent_withdrawn_cancels_what_is_pending_and_what_was_in_flight(
    database: Database, knowledge: KnowledgeBase, bot_api: BotApiServer, planner: Planner
) -> None:
    clock = Clock(datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc))
    user_id = _person(database, clock)
    chat = int(_external_id(database, user_id))
    _row(database, user_id, "telegram", "consent:in-flight", clock())
    _row(database, user_id, "telegram", "consent:later", clock() + timedelta(days=3))
    _row(database, user_id, "telegram", "consent:other-kind", clock(), kind="test")
    _claimed_then_lost(database, clock)  # the due rows were claimed when the person withdrew
    commands = Commands(database, knowledge, clock, planner)
    commands.run(
        user_id, InboundMessage("telegram", str(chat), "consent", "command", argument="reminders off")
    )
    assert _state(database, "consent:later")[:2] == ("cancelled", "the person withdrew consent to reminders")
    assert _state(database, "consent:in-flight")[0] == "sending"
    with database.session() as session:
        outbox.release_claims(session)  # the restart

    counts = asyncio.run(_drain(make_dispatcher(database, knowledge, clock, bot_api)))
    assert counts == {"cancelled": 1, "sent": 1}  # the kind that needs no consent still goes
    assert _state(database, "consent:in-flight")[:2] == (
        "cancelled",
        "the person withdrew consent to reminders",
    )
    assert len(bot_api.sent(chat)) == 1
    assert "cancelled: 2 (the person withdrew consent to reminders)" in outbox_status(database, clock())

    commands.run(user_id, InboundMessage("telegram", str(chat), "consent", "command", argument="reminders"))
    assert _state(database, "consent:later")[:2] == ("pending", None)  # still to come: put back
    assert _state(database, "consent:in-flight")[0] == "cancelled"


def test_a_person_who_blocked_the_bot_while_a_row_was_in_flight_gets_nothing(
    database: Database, knowledge: KnowledgeBase, bot_api: BotApiServer
) -> None:
    clock = Clock(datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc))
    user_id = _person(database, clock)
    chat = int(_external_id(database, user_id))
    _row(database, user_id, "telegram", "blocked:in-flight", clock())
    _claimed_then_lost(database, clock)
    with database.session() as session:  # a reply to them was refused meanwhile: 403
        users.mark_unreachable(session, user_id, clock())
        outbox.release_claims(session)
    assert asyncio.run(_drain(make_dispatcher(database, knowledge, clock, bot_api))) == {"cancelled": 1}
    assert _state(database, "blocked:in-flight")[:2] == ("cancelled", outbox.BLOCKED)
    assert bot_api.sent(chat) == []


def test_an_enrolment_by_staff_does_not_make_a_blocked_person_reachable(
    database: Database, planner: Planner, clock: Clock, tmp_path: Any
) -> None:
    cohort_with_people(database, clock, [])
    blocked = new_chat()
    with database.session() as session:
        person = users.get_or_create(session, "telegram", blocked, clock())
        users.mark_unreachable(session, person.id, clock())
        user_id = person.id
    tools = CohortTools(database, planner, clock)
    assert tools.enroll("TNG27", f"telegram:{blocked}", timezone="Africa/Tunis").endswith(
        "0 reminders pending"
    )
    people = tmp_path / "people.csv"
    people.write_text(f"cohort,channel,external_id\nTNG27,telegram,{blocked}\n", encoding="utf-8")
    tools.import_csv(people)
    with database.session() as session:
        person = session.get(User, user_id)
        assert person is not None and person.unreachable_at is not None and person.last_inbound_at is None
        assert session.execute(select(OutboxMessage.id).where(OutboxMessage.user_id == user_id)).all() == []


# --- WhatsApp ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph() -> Iterator[WhatsAppServer]:
    with whatsapp_graph_server() as url, httpx.Client(timeout=30) as client:
        server = WhatsAppServer(url, client)
        server.limit(enforce=False)
        yield server


def _whatsapp(
    database: Database, knowledge: KnowledgeBase, clock: Clock, graph: WhatsAppServer, daily_limit: int = 250
) -> Dispatcher:
    from fakes.whatsapp_graph import APP_SECRET, BUSINESS, TOKEN, VERIFY_TOKEN

    settings = WhatsAppSettings(
        token=Secret(TOKEN),
        phone_number_id=BUSINESS.phone_number_id,
        app_secret=Secret(APP_SECRET),
        verify_token=Secret(VERIFY_TOKEN),
        api_url=graph.api_url,
        daily_limit=daily_limit,
    )
    sender = outbox_sender(settings, 2, lambda: {("mentor_departure_checklist", "fr")})
    routes = {"whatsapp": Route(sender, ChannelPace(1000, 1000), settings.daily_limit)}
    return Dispatcher(database, routes, Renderer(knowledge, clock), clock, "fr")


async def _drain_whatsapp(dispatcher: Dispatcher) -> dict[str, int]:
    sender: Any = dispatcher.routes["whatsapp"].sender
    async with sender:
        return dict(await dispatcher.drain())


def _whatsapp_person(database: Database, clock: Clock, bsuid: str, wrote: bool, opted_in: bool | None) -> str:
    with database.session() as session:
        person = users.get_or_create(session, "whatsapp", bsuid, clock())
        person.last_inbound_at = clock() - timedelta(hours=1) if wrote else None
        if opted_in is not None:
            consents.record(session, person.id, "reminders", opted_in, clock())
        return person.id


def test_on_whatsapp_nothing_proactive_goes_before_the_person_opted_in(
    database: Database, knowledge: KnowledgeBase, graph: WhatsAppServer, bot_api: BotApiServer
) -> None:
    clock = Clock(datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc))
    undecided_id, opted_in_id = f"MA.{new_chat()}", f"MA.{new_chat()}"  # the fake outlives one database
    undecided = _whatsapp_person(database, clock, undecided_id, wrote=True, opted_in=None)
    opted_in = _whatsapp_person(database, clock, opted_in_id, wrote=True, opted_in=True)
    on_telegram = _person(database, clock)  # undecided too: Telegram keeps its rule for reminders
    for user_id, channel in ((undecided, "whatsapp"), (opted_in, "whatsapp"), (on_telegram, "telegram")):
        _row(database, user_id, channel, f"optin:{user_id}", clock())
    assert asyncio.run(_drain_whatsapp(_whatsapp(database, knowledge, clock, graph))) == {
        "cancelled": 1,
        "sent": 1,
    }
    assert _state(database, f"optin:{undecided}")[:2] == (
        "cancelled",
        "the person has not opted in to reminders",
    )
    assert graph.sent(undecided_id) == [] and len(graph.sent(opted_in_id)) == 1
    assert asyncio.run(_drain(make_dispatcher(database, knowledge, clock, bot_api))) == {"sent": 1}


def test_the_daily_limit_of_people_reached_by_template_is_counted_from_the_database(
    database: Database, knowledge: KnowledgeBase, graph: WhatsAppServer
) -> None:
    clock = Clock(datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc))
    bsuids = {n: new_chat() for n in (1, 2, 3)}  # the fake outlives one database
    first, second, third = (
        _whatsapp_person(database, clock, f"MA.{bsuids[n]}", wrote=False, opted_in=True) for n in (1, 2, 3)
    )
    with database.session() as session:
        for user_id, key in ((first, "limit:1"), (second, "limit:2")):
            planned = outbox.Planned(
                key, user_id, "whatsapp", "reminder", "reminder_departure_checklist", clock(),
                [say.string("reminder_departure_checklist")],
            )  # fmt: skip
            outbox.enqueue_once(session, [planned], clock())
    counts = asyncio.run(_drain_whatsapp(_whatsapp(database, knowledge, clock, graph, daily_limit=1)))
    assert counts == {"sent": 1, "deferred": 1}
    midnight = datetime(2026, 11, 24, tzinfo=timezone.utc)
    assert _state(database, "limit:2")[:3] == (
        "pending",
        "daily limit of 1 people outside the 24-hour window reached",
        midnight,
    )

    clock.now += timedelta(hours=2)  # a restart: a new dispatcher and sender, the count read from the outbox
    with database.session() as session:
        planned = [
            outbox.Planned(
                key, user_id, "whatsapp", "reminder", "reminder_departure_checklist", clock(),
                [say.string("reminder_departure_checklist")],
            )
            for user_id, key in ((third, "limit:3"), (first, "limit:1-again"))
        ]  # fmt: skip
        outbox.enqueue_once(session, planned, clock())
    counts = asyncio.run(_drain_whatsapp(_whatsapp(database, knowledge, clock, graph, daily_limit=1)))
    assert counts == {"sent": 1, "deferred": 1}  # the person already reached today may get another
    assert _state(database, "limit:1-again")[0] == "sent" and _state(database, "limit:3")[0] == "pending"
    assert [m["type"] for m in graph.sent(f"MA.{bsuids[1]}")] == ["template", "template"]
    assert graph.sent(f"MA.{bsuids[3]}") == []

    clock.now = midnight  # the next UTC day: one more person
    counts = asyncio.run(_drain_whatsapp(_whatsapp(database, knowledge, clock, graph, daily_limit=1)))
    assert counts == {"sent": 1, "deferred": 1}
