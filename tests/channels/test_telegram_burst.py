"""A burst on the running bot's webhook: 5,000 updates from 500 people in 30 s, then a newcomer's question.

The newcomer is answered within 10 s (the intake serves the least-served person first), every person's
replies come in the order they wrote, and none is lost. About three minutes: marked slow.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from bot.evaluation.telegram_harness import BotProcess, free_port, start_bot, webhook_env
from tests.bot_api import BotApiServer

pytestmark = [pytest.mark.model, pytest.mark.slow]

SECRET = "burst-secret_5"
PEOPLE = 500
EACH = 10
SECONDS = 30.0
TOPICS = (
    "/art27_what",
    "/art27_visa",
    "/art27_documents",
    "/art27_permit",
    "/art27_duration",
    "/apply_how",
    "/training_language",
    "/life_health",
    "/safety_scams",
    "/return_mentoring",
)


@pytest.fixture(scope="module")
def running(
    bot_api: BotApiServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[BotProcess, str]]:
    env = webhook_env(free_port(), SECRET)
    bot = start_bot(bot_api.url, tmp_path_factory.mktemp("burst"), **env)
    bot_api.wait_until(lambda c: c["webhook_url"] == env["MENTOR_TELEGRAM_WEBHOOK_URL"])
    try:
        yield bot, env["MENTOR_TELEGRAM_WEBHOOK_URL"]
    finally:
        assert bot.stop() == 0


def _update(update_id: int, chat: int, text: str) -> bytes:
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": chat, "type": "private"},
        "from": {"id": chat, "is_bot": False, "first_name": "P", "language_code": "fr"},
        "text": text,
    }
    return json.dumps({"update_id": update_id, "message": message}).encode()


def _texts(bot_api: BotApiServer, chat: int) -> list[str]:
    return [m["text"] for m in bot_api.sent(chat)]


def test_a_burst_is_answered_in_order_and_a_newcomer_within_ten_seconds(
    bot_api, running, capsys: pytest.CaptureFixture[str]
) -> None:
    _, url = running
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    local = threading.local()
    clients: list[httpx.Client] = []

    def post(body: bytes) -> int:
        if not hasattr(local, "client"):
            local.client = httpx.Client(timeout=30)
            clients.append(local.client)
        return local.client.post(url, content=body, headers=headers).status_code

    try:
        _burst(bot_api, post, capsys)
    finally:
        for client in clients:
            client.close()


def _burst(bot_api: BotApiServer, post: Callable[[bytes], int], capsys: pytest.CaptureFixture[str]) -> None:
    # What each topic's answer looks like, asked once each by people outside the burst.
    expected: dict[str, list[str]] = {}
    for number, topic in enumerate(TOPICS):
        chat = 880_000 + number
        assert post(_update(10_000 + number, chat, topic)) == 200
        expected[topic] = [m["text"] for m in bot_api.wait_for(chat, 1)]
    plan = [
        (person * EACH + n, 700_000 + person, TOPICS[(person + n) % len(TOPICS)])
        for n in range(EACH)
        for person in range(PEOPLE)
    ]
    started = time.monotonic()
    with ThreadPoolExecutor(16) as pool:
        futures = []
        for number, (update_id, chat, text) in enumerate(plan):
            delay = started + SECONDS * number / len(plan) - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(post, _update(1_000_000 + update_id, chat, text)))
        statuses = [future.result() for future in futures]
    assert statuses.count(200) == len(plan), {s: statuses.count(s) for s in set(statuses)}

    newcomer = 890_001
    asked = time.monotonic()
    assert post(_update(2_000_000, newcomer, "quels documents pour le visa ?")) == 200
    bot_api.wait_for(newcomer, 1, timeout=10.0)
    waited = time.monotonic() - asked
    assert waited <= 10.0
    first = f"\nburst of {len(plan)} sent in {asked - started:.1f} s; the newcomer waited {waited:.2f} s"

    deadline = time.monotonic() + 300
    for person in range(PEOPLE):
        chat = 700_000 + person
        wanted = [text for n in range(EACH) for text in expected[TOPICS[(person + n) % len(TOPICS)]]]
        while len(_texts(bot_api, chat)) < len(wanted) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _texts(bot_api, chat) == wanted, f"person {person}"
    with capsys.disabled():  # the figures the README gives, shown in the test run's output
        sys.stdout.write(f"{first}; all answered {time.monotonic() - started:.0f} s after it began\n")
