"""The real bot process killed with SIGKILL while 5,000 messages are due, then restarted.

At the end every message has arrived, and only those in flight at the kill may have arrived twice: the test
counts them and reports the figure. A second ``mentor run`` on the same database refuses to start.
"""

from __future__ import annotations

import signal
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot import app
from bot.actions import say
from bot.evaluation.telegram_harness import start_bot
from bot.settings import Settings
from bot.storage import outbox
from bot.storage.db import Database
from bot.storage.models import OutboxMessage, User
from tests.bot_api import BotApiServer

pytestmark = pytest.mark.model
MESSAGES = 5000
RATE = "250"  # messages a second: the first process is killed part-way through
# No quiet hours: the processes run on the real clock, at any hour.
ANY_HOUR = "00:00-00:00"


def _seed(database: Database) -> None:
    """5,000 people, each with one message due now."""
    now = datetime.now(timezone.utc)
    with database.session() as session:
        session.execute(
            User.__table__.insert(),
            [
                {
                    "id": f"p{n:05d}",
                    "channel": "telegram",
                    "external_id": str(50_000 + n),
                    "created_at": now,
                    "last_seen_at": now,
                }
                for n in range(MESSAGES)
            ],
        )
        planned = [
            outbox.Planned(
                f"kill:{n}",
                f"p{n:05d}",
                "telegram",
                "test",
                "reminder_return_checkin_7",
                now,
                [say.string("reminder_return_checkin_7")],
            )
            for n in range(MESSAGES)
        ]
        outbox.enqueue_once(session, planned, now)


def _count(database: Database, status: str) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).where(OutboxMessage.status == status)) or 0)


def _wait(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_killed_dispatcher_resumes_and_sends_everything_once(
    bot_api: BotApiServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database_url = f"sqlite:///{tmp_path / 'telegram.db'}"
    database = app.open_database(Settings.from_env({"MENTOR_DATABASE_URL": database_url}, dotenv=None))
    _seed(database)
    bot_api.limit(per_second=float(RATE))

    first = start_bot(bot_api.url, tmp_path, MENTOR_TELEGRAM_RATE=RATE, MENTOR_QUIET_HOURS=ANY_HOUR)
    _wait(lambda: bot_api.stats()["delivered"] > 0, 120, "the first process to send")
    second = start_bot(
        bot_api.url,
        tmp_path / "second",
        MENTOR_TELEGRAM_RATE=RATE,
        MENTOR_DATABASE_URL=database_url,
        MENTOR_QUIET_HOURS=ANY_HOUR,
    )
    assert second.process.wait(timeout=120) == 1
    assert "another `mentor run`" in second.log.read_text()

    delivered_before = bot_api.stats()["delivered"]
    assert 0 < delivered_before < MESSAGES, "the first process should still be sending"
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=10)
    in_flight = _count(database, "sending")

    restarted = start_bot(
        bot_api.url,
        tmp_path / "restarted",
        MENTOR_TELEGRAM_RATE=RATE,
        MENTOR_DATABASE_URL=database_url,
        MENTOR_QUIET_HOURS=ANY_HOUR,
    )
    try:
        _wait(lambda: _count(database, "sent") == MESSAGES, 180, "every message to be sent")
    finally:
        assert restarted.stop() == 0, restarted.log.read_text()[-3000:]
    stats = bot_api.stats()
    by_count = {int(k): v for k, v in stats["chats_by_count"].items()}
    duplicates = sum((times - 1) * chats for times, chats in by_count.items())
    assert sum(by_count.values()) == MESSAGES  # every person got the message
    assert duplicates <= in_flight
    with capsys.disabled():  # the figure the issue asks to report, shown in the test run's output
        sys.stdout.write(
            f"\nSIGKILL after {delivered_before} of {MESSAGES} sent: {in_flight} in flight, "
            f"{duplicates} sent twice, {MESSAGES - sum(by_count.values())} lost, "
            f"{stats['throttled']} 429s waited out\n"
        )
    database.engine.dispose()
