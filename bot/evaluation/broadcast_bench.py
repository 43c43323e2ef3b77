"""Broadcast figures for ``mentor bench``: a preview over 100,000 people, and writing a broadcast to all of
them into the outbox (approval), on a throwaway SQLite file.

100,000 people the broadcast reaches and 8,000 it leaves out (blocked, consent withdrawn, never given),
spread over both channels, six reply languages, three countries (so three zones) and two days of last
messages (some outside WhatsApp's window), so that every part of the queries does its work.
Run alone: ``python -m bot.evaluation.broadcast_bench``.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bot import app
from bot.settings import REPLY_LANGUAGES, Settings
from bot.staff.accounts import Staff
from bot.staff.broadcasts import Broadcasts
from bot.storage import staff
from bot.storage.db import chunked
from bot.storage.models import Consent, User

PEOPLE = 100_000
LEFT_OUT = 8_000
PREVIEW_TARGET_S = 1.0
QUEUE_TARGET_S = 15.0


def seed(database: Any, reached: int, left_out: int, now: datetime) -> None:
    """``reached`` people a news broadcast reaches, then ``left_out`` it does not (blocked, consent withdrawn,
    never given), across channels, languages, countries and last messages."""
    users, decisions = [], []
    for n in range(reached + left_out):
        user_id = f"b{n:07d}"
        excluded = (n - reached) % 3 if n >= reached else None
        users.append({
            "id": user_id, "channel": "whatsapp" if n % 3 == 0 else "telegram", "external_id": str(10**8 + n),
            "reply_language": REPLY_LANGUAGES[n % len(REPLY_LANGUAGES)], "country": ("MA", "TN", "IT")[n % 3],
            "created_at": now, "last_seen_at": now, "last_inbound_at": now - timedelta(hours=n % 48),
            "unreachable_at": now if excluded == 0 else None,
        })  # fmt: skip
        if excluded != 2:
            decisions.append({"user_id": user_id, "purpose": "news", "granted": excluded != 1, "at": now})
    with database.session() as session:
        for chunk in chunked(users, 5000):
            session.execute(User.__table__.insert(), list(chunk))
        for chunk in chunked(decisions, 5000):
            session.execute(Consent.__table__.insert(), list(chunk))


def measure(settings: Settings, count: int = PEOPLE, left_out: int = LEFT_OUT) -> dict[str, Any]:
    """Seconds to preview a broadcast over ``count + left_out`` people and to queue it for ``count``
    (wall clock, and this process's CPU time: SQLite works in it)."""
    now = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory() as folder:
        bench = dataclasses.replace(settings, database_url=f"sqlite:///{Path(folder) / 'broadcast.db'}")
        database = app.open_database(bench)
        seed(database, count, left_out, now)
        with database.session() as session:
            drafter = Staff.of(staff.add(session, "bench-b@example.org", "-", ["broadcaster"], "en", now))
            approver = Staff.of(staff.add(session, "bench-a@example.org", "-", ["approver"], "en", now))
        tools = Broadcasts(database, app.utc_now, {"art27.visa"}, "fr", bench.delivery)
        texts = {language: f"Bench text in {language}." for language in ("fr", "ary", "ar")}
        made = tools.create(drafter, "bench", "consent=news", texts, buttons=["art27.visa"])
        started, cpu = time.perf_counter(), time.process_time()
        previewed = tools.preview(made.id)
        preview_s, preview_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        _, queued = tools.approve(approver, made.id)
        queue_s, queue_cpu = time.perf_counter() - started, time.process_time() - cpu
        started = time.perf_counter()
        figures = tools.figures(made.id)
        figures_s = time.perf_counter() - started
        database.engine.dispose()
    return {
        "people": count + left_out,
        "preview_s": round(preview_s, 3),
        "preview_cpu_s": round(preview_cpu, 3),
        "preview_target_s": PREVIEW_TARGET_S,
        "recipients": previewed.audience.recipients,
        "left_out": previewed.audience.left_out,
        "queue_s": round(queue_s, 3),
        "queue_cpu_s": round(queue_cpu, 3),
        "queue_target_s": QUEUE_TARGET_S,
        "rows_written": queued,
        "figures_s": round(figures_s, 3),
        "figures_recipients": figures.recipients,
        "database": "SQLite file",
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(measure(Settings.from_env()), indent=2) + "\n")
