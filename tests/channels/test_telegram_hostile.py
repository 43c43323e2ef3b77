"""The running bot's Telegram webhook tried as an attacker would, and Telegram's own facts honoured: hostile
bodies, redelivered updates, blocks and unblocks, forged buttons. The real ``mentor run``, in webhook mode,
against the local Bot API server."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, select

from bot.actions import say
from bot.evaluation.telegram_harness import BotProcess, free_port, start_bot, webhook_env
from bot.storage import outbox, users
from bot.storage.db import Database
from bot.storage.models import HelpRequest, OutboxMessage, User
from tests.bot_api import BotApiServer
from tests.channels import hostile

pytestmark = pytest.mark.model

SECRET = "hostile-secret_7"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


class Webhook:
    """The bot's webhook, called as Telegram would (or as an attacker would)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = httpx.Client(timeout=10)

    def post(self, body: bytes, headers: list[tuple[bytes, bytes]] | None = None) -> int:
        if headers is None:
            headers = [(HEADER.lower().encode(), SECRET.encode())]
        return self.client.post(self.url, content=body, headers=headers).status_code

    def send(self, update: dict[str, object]) -> int:
        return self.post(json.dumps(update).encode())

    def close(self) -> None:
        self.client.close()


@pytest.fixture(scope="module")
def running(
    bot_api: BotApiServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[BotProcess, Webhook]]:
    folder = tmp_path_factory.mktemp("hostile")
    env = webhook_env(free_port(), SECRET)
    # no quiet hours: the bot runs on the real clock, at any hour
    bot = start_bot(bot_api.url, folder, MENTOR_LOG_LEVEL="INFO", MENTOR_QUIET_HOURS="00:00-00:00", **env)
    bot_api.wait_until(lambda c: c["webhook_url"] == env["MENTOR_TELEGRAM_WEBHOOK_URL"])
    webhook = Webhook(env["MENTOR_TELEGRAM_WEBHOOK_URL"])
    try:
        yield bot, webhook
    finally:
        webhook.close()
        assert bot.stop() == 0, bot.log.read_text()[-3000:]


def _database(bot: BotProcess) -> Database:
    return Database(create_engine(bot.database_url, future=True))


def _question(update_id: int, chat: int, text: str) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private"},
            "from": {"id": chat, "is_bot": False, "first_name": "Amal", "language_code": "fr"},
            "text": text,
        },
    }


def test_ten_thousand_hostile_bodies_get_no_5xx_and_the_bot_still_answers(bot_api, running) -> None:
    bot, webhook = running
    statuses: Counter[int] = Counter()
    by_kind: Counter[tuple[str, int]] = Counter()
    for kind, body in hostile.bodies(10_000):
        status = webhook.post(body)
        statuses[status] += 1
        by_kind[(kind, status)] += 1
    for variant, headers in hostile.secret_headers(SECRET):
        for _ in range(25):
            status = webhook.post(b'{"update_id": 1}', headers)
            assert status == 403, f"secret header {variant}: {status}"
    assert not [s for s in statuses if s >= 500], by_kind
    malformed = ("not an object", "deep nesting", "broken JSON", "binary", "huge number", "text as list")
    assert all(status == 400 for kind, status in by_kind if kind in malformed), by_kind
    assert bot.process.poll() is None, "the bot died"
    log = bot.log.read_text()
    assert "Traceback" not in log
    assert "telegram update refused (400): wrong or missing message.chat" in log
    started = time.monotonic()
    bot_api.text(990_777, "quels documents pour le visa ?")
    bot_api.wait_for(990_777, 1, timeout=5.0)
    assert time.monotonic() - started <= 5.0


def test_the_same_update_delivered_five_times_is_answered_once(bot_api, running) -> None:
    _, webhook = running
    update = _question(5_000_001, 990_101, "c'est quoi le stage art 27")
    for _ in range(5):
        assert webhook.send(update) == 200
    once = 990_102
    assert webhook.send(_question(5_000_002, once, "c'est quoi le stage art 27")) == 200
    expected = len(bot_api.wait_for(once, 1))
    time.sleep(2.0)
    assert len(bot_api.sent(990_101)) == expected


def test_blocking_marks_the_person_unreachable_and_unblocking_brings_them_back(bot_api, running) -> None:
    bot, _ = running
    chat = 990_201
    bot_api.text(chat, "salut")
    bot_api.wait_for(chat, 1)
    database = _database(bot)
    later = datetime(2099, 1, 1, 10, tzinfo=timezone.utc)
    with database.session() as session:
        person = users.find(session, "telegram", str(chat))
        assert person is not None
        planned = outbox.Planned(
            "hostile:block",
            person.id,
            "telegram",
            "reminder",
            "reminder_return_checkin_7",
            later,
            [say.string("reminder_return_checkin_7")],
        )
        outbox.enqueue_once(session, [planned], datetime.now(timezone.utc))
    bot_api.member(chat, "kicked")
    _wait(lambda: _status(database, chat) == ("blocked", "cancelled"))
    bot_api.member(chat, "member")
    _wait(lambda: _status(database, chat) == ("reachable", "pending"))
    database.engine.dispose()


def test_a_forged_check_in_button_creates_no_help_request_and_a_real_one_only_one(bot_api, running) -> None:
    bot, _ = running
    chat = 990_301
    bot_api.text(chat, "salut")
    greeting = bot_api.wait_for(chat, 1)
    for _ in range(5):  # pressed on the bot's greeting, which never offered it
        bot_api.press(
            chat, "cmd:checkin help return_mentoring.checkin_30", message_id=greeting[-1]["message_id"]
        )
    bot_api.wait_for(chat, len(greeting) + 5)
    database = _database(bot)
    with database.session() as session:
        person = users.find(session, "telegram", str(chat))
        assert person is not None
        content = [
            say.string("reminder_return_checkin_7"),
            say.buttons(
                say.command_button("button_checkin_help", "checkin", "help return_mentoring.checkin_7")
            ),
        ]
        now = datetime.now(timezone.utc)
        planned = outbox.Planned(
            "hostile:checkin", person.id, "telegram", "reminder", "checkin", now, content
        )
        outbox.enqueue_once(session, [planned], now)
        person_id = person.id
    before = len(bot_api.sent(chat))
    checkin = _checkin(bot_api, chat)
    for _ in range(3):
        bot_api.press(chat, "cmd:checkin help return_mentoring.checkin_7", message_id=checkin["message_id"])
    bot_api.wait_for(chat, before + 4)
    with database.session() as session:
        requests = (
            session.execute(select(HelpRequest).where(HelpRequest.user_id == person_id)).scalars().all()
        )
        assert [r.step for r in requests] == ["return_mentoring.checkin_7"]
    database.engine.dispose()


def _checkin(bot_api: BotApiServer, chat: int, timeout: float = 30.0) -> dict[str, Any]:
    """The check-in the running bot's dispatcher delivered to ``chat``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with_buttons = [m for m in bot_api.sent(chat) if "cmd:checkin" in str(m.get("reply_markup"))]
        if with_buttons:
            return with_buttons[-1]
        time.sleep(0.1)
    raise AssertionError("the check-in never arrived")


def _status(database: Database, chat: int) -> tuple[str, str]:
    with database.session() as session:
        person = session.execute(select(User).where(User.external_id == str(chat))).scalar_one()
        row = session.execute(
            select(OutboxMessage.status).where(OutboxMessage.dedupe_key == "hostile:block")
        ).scalar_one()
        return ("blocked" if person.unreachable_at else "reachable", row)


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
    except httpx.TransportError:
        return False


def _wait(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("never happened")


def test_an_update_taken_in_before_a_restart_is_not_answered_after_it(bot_api, tmp_path: Path) -> None:
    port = free_port()
    env = webhook_env(port, SECRET)
    update = _question(7_000_001, 990_401, "bonjour")
    for attempt in range(2):
        bot = start_bot(bot_api.url, tmp_path, **env)
        try:
            _wait(lambda: _healthy(port), timeout=60.0)
            webhook = Webhook(env["MENTOR_TELEGRAM_WEBHOOK_URL"])
            webhook.send(update)
            webhook.close()
            if attempt == 0:
                answered = len(bot_api.wait_for(990_401, 1))
            else:
                time.sleep(2.0)
                assert len(bot_api.sent(990_401)) == answered
        finally:
            assert bot.stop() == 0
