"""The dispatcher against a misbehaving Bot API server: 429 storms, 5xx bursts, people who blocked the bot.

Real HTTP to the local Bot API server and the real clock (retries are made quick by the policy).
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone

from sqlalchemy import select

from bot.actions import say
from bot.storage import outbox, users
from bot.storage.db import Database
from bot.storage.models import OutboxMessage, User
from knowledge.model import KnowledgeBase
from scheduler.dispatcher import Dispatcher, RetryPolicy
from tests.bot_api import BotApiServer
from tests.scheduler.conftest import make_dispatcher, new_chat

QUICK = RetryPolicy(max_attempts=4, first_delay=0.05, max_delay=0.2)


def real_now() -> datetime:
    return datetime.now(timezone.utc)


def _due(database: Database, count: int, per_person: int = 1) -> list[str]:
    """``count`` people with ``per_person`` messages due now; returns their chat ids."""
    chats = []
    now = real_now()
    with database.session() as session:
        planned = []
        for _ in range(count):
            person = users.get_or_create(session, "telegram", new_chat(), now)
            chats.append(person.external_id)
            for number in range(per_person):
                planned.append(
                    outbox.Planned(
                        f"test:{person.id}:{number}",
                        person.id,
                        "telegram",
                        "test",
                        "reminder_return_checkin_7",
                        now,
                        [say.string("reminder_return_checkin_7")],
                    )
                )
        outbox.enqueue_once(session, planned, now)
    return chats


async def _drain_until_settled(dispatcher: Dispatcher, database: Database, seconds: float = 30) -> None:
    """Dispatch until nothing is pending, as the every-second job would."""
    async with dispatcher.routes["telegram"].sender.bot:  # type: ignore[attr-defined]
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            await dispatcher.drain()
            with database.session() as session:
                if not session.scalar(
                    select(OutboxMessage.id).where(OutboxMessage.status == "pending").limit(1)
                ):
                    return
            await asyncio.sleep(0.05)
        raise AssertionError("messages still pending")


def _rows(database: Database) -> list[OutboxMessage]:
    with database.session() as session:
        return list(session.execute(select(OutboxMessage)).scalars())


def test_a_429_storm_is_waited_out_and_every_message_arrives_once(
    database: Database, knowledge: KnowledgeBase, bot_api: BotApiServer
) -> None:
    chats = _due(database, 20)
    bot_api.fault("sendMessage", 429, times=30, retry_after=1)
    started = time.monotonic()
    asyncio.run(_drain_until_settled(make_dispatcher(database, knowledge, real_now, bot_api), database))
    assert time.monotonic() - started >= 1.0  # retry_after was honoured
    assert [len(bot_api.sent(int(chat))) for chat in chats] == [1] * 20
    assert all(row.status == "sent" and row.attempts == 1 for row in _rows(database))


def test_bursts_of_5xx_are_retried_with_backoff_and_the_reason_is_kept(
    database: Database, knowledge: KnowledgeBase, bot_api: BotApiServer
) -> None:
    chats = _due(database, 10)
    bot_api.fault("sendMessage", 502, times=8)
    asyncio.run(
        _drain_until_settled(make_dispatcher(database, knowledge, real_now, bot_api, QUICK), database)
    )
    assert [len(bot_api.sent(int(chat))) for chat in chats] == [1] * 10
    rows = _rows(database)
    assert all(row.status == "sent" for row in rows)
    retried = [row for row in rows if row.attempts > 1]
    assert retried and all(row.last_error == "network or server error" for row in retried)


def test_a_message_that_keeps_failing_is_given_up_with_its_reason(
    database: Database, knowledge: KnowledgeBase, bot_api: BotApiServer
) -> None:
    [chat] = _due(database, 1)
    bot_api.fault("sendMessage", 500, times=QUICK.max_attempts)
    asyncio.run(
        _drain_until_settled(make_dispatcher(database, knowledge, real_now, bot_api, QUICK), database)
    )
    [row] = _rows(database)
    assert (row.status, row.attempts) == ("failed", QUICK.max_attempts)
    assert row.last_error == "network or server error; gave up after retries"
    assert bot_api.sent(int(chat)) == []


def test_a_person_who_blocked_the_bot_is_marked_and_nothing_more_is_tried(
    database: Database, knowledge: KnowledgeBase, bot_api: BotApiServer
) -> None:
    blocked, fine = _due(database, 2, per_person=1)
    with database.session() as session:  # two more for the blocked person, due later
        person = users.find(session, "telegram", blocked)
        assert person is not None
        later = [
            outbox.Planned(
                f"later:{n}", person.id, "telegram", "test", "x", real_now().replace(year=2030), []
            )
            for n in range(2)
        ]
        outbox.enqueue_once(session, later, real_now())
    bot_api.block(int(blocked))
    asyncio.run(_drain_until_settled(make_dispatcher(database, knowledge, real_now, bot_api), database))
    assert len(bot_api.sent(int(fine))) == 1 and bot_api.sent(int(blocked)) == []
    with database.session() as session:
        person = session.execute(select(User).where(User.external_id == blocked)).scalar_one()
        assert person.unreachable_at is not None
        states = sorted(
            (row.status, row.last_error)
            for row in session.execute(
                select(OutboxMessage).where(OutboxMessage.user_id == person.id)
            ).scalars()
        )
    assert states == [
        ("cancelled", "the person blocked the bot"),
        ("cancelled", "the person blocked the bot"),
        ("failed", "blocked"),
    ]
    with database.session() as session:  # they unblock the bot and write: they can be reached again
        person = users.get_or_create(session, "telegram", blocked, real_now())
        users.record_inbound(session, person, real_now())
    with database.session() as session:
        person = session.execute(select(User).where(User.external_id == blocked)).scalar_one()
        statuses = session.execute(select(OutboxMessage.status).where(OutboxMessage.user_id == person.id))
        assert person.unreachable_at is None and sorted(statuses.scalars()) == [
            "failed",
            "pending",
            "pending",
        ]
