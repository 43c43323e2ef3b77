"""Delivery figures for ``mentor bench``: materialising reminders, and the dispatcher's sending rate.

- Materialising: one cohort with every date set and enough people for 100,000 reminders, planned in one
  pass on a throwaway SQLite file; time, and peak Python memory (tracemalloc) of the pass.
- Throughput: messages due now for distinct people, sent by the dispatcher through the real Telegram sender
  to the local Bot API server, which enforces the same limit and answers 429 beyond it. Once with the limit
  raised to 1,000 a second, once with the default 25 a second over two minutes. The achieved rate counts
  from the first claim to the last outcome recorded.
"""

from __future__ import annotations

import asyncio
import math
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx

from bot import app
from bot.actions import say
from bot.app import DISPATCH_CONNECTIONS
from bot.channels.telegram_sender import outbox_sender
from bot.core.render import Renderer
from bot.evaluation.telegram_harness import TEST_TOKEN, bot_api_server
from bot.settings import Secret, Settings, TelegramSettings
from bot.storage import cohorts, outbox
from bot.storage.db import Database
from bot.storage.models import Enrollment, User
from scheduler.dispatcher import Dispatcher, Route
from scheduler.rate_limits import ChannelPace

REMINDERS = 100_000
DATES = {
    "selection_result": date(2027, 1, 4),
    "training_start": date(2027, 2, 1),
    "departure": date(2027, 5, 3),
    "arrival": date(2027, 5, 4),
    "traineeship_start": date(2027, 5, 17),
    "traineeship_end": date(2027, 11, 17),
    "return": date(2027, 12, 1),
}
CONNECTIONS = 16


def scratch_database(folder: str, settings: Settings, name: str) -> Database:
    return app.open_database(
        Settings(database_url=f"sqlite:///{Path(folder) / name}", model_dir=settings.model_dir)
    )


def add_people(
    database: Database,
    count: int,
    now: datetime,
    prefix: str,
    channel: str = "telegram",
    address: Callable[[int], str] = lambda n: str(1_000_000 + n),
) -> list[str]:
    """``count`` people on ``channel``, the ``n``-th at ``address(n)``, who last wrote ``now``."""
    ids = [f"{prefix}{n:07d}" for n in range(count)]
    with database.session() as session:
        rows = [
            {
                "id": i,
                "channel": channel,
                "external_id": address(n),
                "created_at": now,
                "last_seen_at": now,
                "last_inbound_at": now,
            }
            for n, i in enumerate(ids)
        ]
        for start in range(0, len(rows), 5000):
            session.execute(User.__table__.insert(), rows[start : start + 5000])
    return ids


def enqueue(
    database: Database,
    ids: list[str],
    now: datetime,
    channel: str,
    rounds: int = 1,
    due: datetime | None = None,
) -> None:
    """One reminder per person and round, due at ``due`` (now by default); every person's first round comes
    before any second."""
    due = due or now
    content = [say.string("reminder_return_checkin_30")]
    planned = [
        outbox.Planned(
            f"bench:{i}:{r}", i, channel, "bench", "bench", due - timedelta(seconds=rounds - r), content
        )
        for r in range(rounds)
        for i in ids
    ]
    with database.session() as session:
        outbox.enqueue_once(session, planned, now)


async def drain(
    database: Database, channel: str, route: Route, opened: AbstractAsyncContextManager[Any], workers: int
) -> tuple[float, dict[str, int]]:
    """Send everything due on ``channel`` through ``route`` (its sender ``opened`` around the pass): the
    seconds from the first claim to the last outcome recorded, and the outcomes."""
    renderer = Renderer(app.load_knowledge(), app.utc_now)
    dispatcher = Dispatcher(database, {channel: route}, renderer, app.utc_now, "fr", workers=workers)
    async with opened:
        started = time.perf_counter()
        counts = await dispatcher.drain()
        return time.perf_counter() - started, dict(counts)


def rate(per_second: float, messages: int, elapsed: float, counts: dict[str, int]) -> dict[str, Any]:
    """The achieved rate of a dispatch pass against its limit."""
    achieved = counts.get("sent", 0) / elapsed
    return {
        "limit_per_second": per_second,
        "messages": messages,
        "sent": counts.get("sent", 0),
        "outcomes": counts,
        "seconds": round(elapsed, 2),
        "achieved_per_second": round(achieved, 1),
        "share_of_limit": round(achieved / per_second, 3),
    }


def materialise(settings: Settings) -> dict[str, Any]:
    """Plan 100,000 reminders in one pass."""
    knowledge = app.load_knowledge()
    planner = app.load_planner(settings, knowledge)
    now = datetime(2026, 11, 22, tzinfo=timezone.utc)
    steps = sum(len(plan.steps) for plan in planner.plans)
    with tempfile.TemporaryDirectory() as folder:
        database = scratch_database(folder, settings, "materialise.db")
        ids = add_people(database, math.ceil(REMINDERS / steps), now, "m")
        with database.session() as session:
            cohort = cohorts.create(session, "BENCH", "MENTOR 3", "Tanger", "Africa/Casablanca", DATES, now)
            session.execute(
                Enrollment.__table__.insert(),
                [{"cohort_id": cohort.id, "user_id": i, "enrolled_at": now} for i in ids],
            )
        tracemalloc.start()
        started = time.perf_counter()
        with database.session() as session:
            counts = planner.plan_cohort(session, cohorts.get(session, "BENCH"), now)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        started = time.perf_counter()
        with database.session() as session:
            replanned = planner.plan_cohort(session, cohorts.get(session, "BENCH"), now)
        again = time.perf_counter() - started
        database.engine.dispose()
    return {
        "people": len(ids),
        "reminders": counts["added"],
        "seconds": round(elapsed, 2),
        "reminders_per_second": round(counts["added"] / elapsed),
        "peak_python_memory_mb": round(peak / 2**20, 1),
        "replan_unchanged_seconds": round(again, 2),
        "replan_changes": sum(replanned.values()),
    }


def throughput(settings: Settings, per_second: float, messages: int) -> dict[str, Any]:
    """Send ``messages`` due messages at the ``per_second`` limit; the achieved rate and 429s provoked."""
    now = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory() as folder, bot_api_server() as url:
        database = scratch_database(folder, settings, "dispatch.db")
        enqueue(database, add_people(database, messages, now, "d"), now, "telegram")
        httpx.post(
            f"{url}/test/limits", json={"per_second": per_second, "per_chat_per_second": 1}
        ).raise_for_status()
        telegram = TelegramSettings(Secret(TEST_TOKEN), api_url=f"{url}/bot")
        sender = outbox_sender(telegram, DISPATCH_CONNECTIONS)
        route = Route(sender, ChannelPace(per_second, 1.0))
        elapsed, counts = asyncio.run(drain(database, "telegram", route, sender, CONNECTIONS))
        stats = httpx.get(f"{url}/test/stats").json()
        database.engine.dispose()
    return {
        **rate(per_second, messages, elapsed, counts),
        "429_provoked": stats["throttled"],
        "delivered_by_server": stats["delivered"],
    }
