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
from datetime import date, datetime, timezone
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


def _database(folder: str, settings: Settings, name: str) -> Database:
    return app.open_database(
        Settings(database_url=f"sqlite:///{Path(folder) / name}", model_dir=settings.model_dir)
    )


def _people(database: Database, count: int, now: datetime, prefix: str) -> list[str]:
    ids = [f"{prefix}{n:07d}" for n in range(count)]
    with database.session() as session:
        rows = [
            {
                "id": i,
                "channel": "telegram",
                "external_id": str(1_000_000 + n),
                "created_at": now,
                "last_seen_at": now,
            }
            for n, i in enumerate(ids)
        ]
        for start in range(0, len(rows), 5000):
            session.execute(User.__table__.insert(), rows[start : start + 5000])
    return ids


def materialise(settings: Settings) -> dict[str, Any]:
    """Plan 100,000 reminders in one pass."""
    knowledge = app.load_knowledge()
    planner = app.load_planner(settings, knowledge)
    now = datetime(2026, 11, 22, tzinfo=timezone.utc)
    steps = sum(len(plan.steps) for plan in planner.plans)
    with tempfile.TemporaryDirectory() as folder:
        database = _database(folder, settings, "materialise.db")
        ids = _people(database, math.ceil(REMINDERS / steps), now, "m")
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
    knowledge = app.load_knowledge()
    now = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory() as folder, bot_api_server() as url:
        database = _database(folder, settings, "dispatch.db")
        ids = _people(database, messages, now, "d")
        with database.session() as session:
            content = [say.string("reminder_return_checkin_30")]
            planned = [
                outbox.Planned(f"bench:{i}", i, "telegram", "bench", "bench", now, content) for i in ids
            ]
            outbox.enqueue_once(session, planned, now)
        httpx.post(
            f"{url}/test/limits", json={"per_second": per_second, "per_chat_per_second": 1}
        ).raise_for_status()
        telegram = TelegramSettings(Secret(TEST_TOKEN), api_url=f"{url}/bot")
        sender = outbox_sender(telegram, DISPATCH_CONNECTIONS)
        route = Route(sender, ChannelPace(per_second, 1.0))
        dispatcher = Dispatcher(
            database,
            {"telegram": route},
            Renderer(knowledge, app.utc_now),
            app.utc_now,
            "fr",
            workers=CONNECTIONS,
        )

        async def send_all() -> tuple[float, dict[str, int]]:
            async with sender.bot:
                started = time.perf_counter()
                counts = await dispatcher.drain()
                return time.perf_counter() - started, dict(counts)

        elapsed, counts = asyncio.run(send_all())
        stats = httpx.get(f"{url}/test/stats").json()
        database.engine.dispose()
    achieved = counts.get("sent", 0) / elapsed
    return {
        "limit_per_second": per_second,
        "messages": messages,
        "sent": counts.get("sent", 0),
        "seconds": round(elapsed, 2),
        "achieved_per_second": round(achieved, 1),
        "share_of_limit": round(achieved / per_second, 3),
        "429_provoked": stats["throttled"],
        "delivered_by_server": stats["delivered"],
    }
