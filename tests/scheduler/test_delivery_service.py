"""The delivery service: APScheduler jobs stored in the database, and one dispatcher per database."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from datetime import datetime, timedelta, timezone
from datetime import time as clock_time

import pytest
from sqlalchemy import select, text

from bot.actions import say
from bot.settings import DeliverySettings
from bot.storage import locks, outbox, users
from bot.storage.db import Database
from bot.storage.models import OutboxMessage
from knowledge.model import KnowledgeBase
from scheduler.service import JOB_TABLE, LOCK, AlreadyRunning, DeliveryService
from scheduler.timing import QuietHours
from tests.bot_api import BotApiServer
from tests.scheduler.conftest import make_dispatcher, new_chat

# No quiet hours: these tests run on the real clock, at any hour (they are tested on a moved clock).
ALWAYS_ALLOWED = QuietHours(clock_time(0), clock_time(0))


def real_now() -> datetime:
    return datetime.now(timezone.utc)


def _service(database: Database, knowledge: KnowledgeBase, bot_api: BotApiServer) -> DeliveryService:
    dispatcher = make_dispatcher(database, knowledge, real_now, bot_api)
    sender = dispatcher.routes["telegram"].sender
    return DeliveryService(
        database,
        dispatcher,
        lambda: (),
        DeliverySettings(quiet_hours=ALWAYS_ALLOWED),
        180,
        real_now,
        [sender.bot],  # type: ignore[attr-defined]
    )


def test_the_service_sends_what_is_due_and_keeps_its_jobs_in_the_database(
    database: Database, knowledge: KnowledgeBase, bot_api: BotApiServer
) -> None:
    chat = new_chat()
    with database.session() as session:
        person = users.get_or_create(session, "telegram", chat, real_now())
        message = outbox.Planned(
            "svc:1", person.id, "telegram", "test", "x", real_now(), [say.string("checkin_ok_reply")]
        )
        outbox.enqueue_once(session, [message], real_now())
    service = _service(database, knowledge, bot_api)
    service.acquire()
    with pytest.raises(AlreadyRunning, match="another `mentor run`"):
        _service(database, knowledge, bot_api).acquire()

    async def run() -> list[str]:
        await service.start()
        try:
            deadline = time.monotonic() + 20
            while not bot_api.sent(int(chat)) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            with database.engine.connect() as connection:
                return sorted(connection.execute(text(f"SELECT id FROM {JOB_TABLE}")).scalars())
        finally:
            await service.stop()

    jobs = asyncio.run(run())
    assert jobs == ["call_alerts", "dispatch", "lock_heartbeat", "retention"]
    [sent] = bot_api.sent(int(chat))
    assert sent["text"] == knowledge.string("checkin_ok_reply", "fr")
    with database.session() as session:
        assert session.scalar(select(OutboxMessage.status)) == "sent"
    _service(database, knowledge, bot_api).acquire()  # stopping gave the lease up


def test_a_lease_is_taken_over_when_its_holder_died_or_let_it_expire(database: Database) -> None:
    now = real_now()
    ttl = timedelta(seconds=60)
    dead = f"{socket.gethostname()}:999999999:dead"
    elsewhere = "other-host:123:abc"
    with database.session() as session:
        assert locks.acquire(session, LOCK, dead, now, ttl) is None
    with database.session() as session:  # its process is gone: taken over at once
        assert locks.acquire(session, LOCK, f"{socket.gethostname()}:{os.getpid()}:me", now, ttl) is None
        locks.release(session, LOCK, f"{socket.gethostname()}:{os.getpid()}:me")
    with database.session() as session:
        assert locks.acquire(session, LOCK, elsewhere, now, ttl) is None
    with database.session() as session:  # alive elsewhere: refused until it expires
        assert locks.acquire(session, LOCK, "me", now, ttl) == elsewhere
        assert locks.acquire(session, LOCK, "me", now + ttl + timedelta(seconds=1), ttl) is None
        assert not locks.renew(session, LOCK, elsewhere, now, ttl)
