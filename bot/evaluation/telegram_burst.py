"""A burst on the bot's Telegram webhook: many people writing at once, then a newcomer's question.

Shared by the burst test (which asserts on it) and ``mentor bench`` (which reports it). People send intent
payloads, so that each answer is known in advance (asked once before the burst): a person's replies then show
whether they came in the order written and whether any was lost.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

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
FIRST_CHAT = 700_000
NEWCOMER = 890_001


@dataclass(frozen=True)
class BurstResult:
    """What the burst showed."""

    updates: int
    accepted: int
    sent_in_s: float
    newcomer_wait_s: float | None
    all_answered_after_s: float | None
    out_of_order_or_lost: list[int]


def update(update_id: int, chat: int, text: str) -> bytes:
    """A private text message from ``chat``, as Telegram posts it."""
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": chat, "type": "private"},
        "from": {"id": chat, "is_bot": False, "first_name": "P", "language_code": "fr"},
        "text": text,
    }
    return json.dumps({"update_id": update_id, "message": message}).encode()


class _Poster:
    """POSTs to the webhook from many threads, one connection each."""

    def __init__(self, url: str, secret: str) -> None:
        self.url = url
        self.headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
        self.local = threading.local()
        self.clients: list[httpx.Client] = []

    def __call__(self, body: bytes) -> int:
        if not hasattr(self.local, "client"):
            self.local.client = httpx.Client(timeout=60)
            self.clients.append(self.local.client)
        return self.local.client.post(self.url, content=body, headers=self.headers).status_code

    def close(self) -> None:
        for client in self.clients:
            client.close()


def run(
    api_url: str, webhook: str, secret: str, people: int = 500, each: int = 10, seconds: float = 30.0
) -> BurstResult:
    """Send ``people × each`` updates over ``seconds``, ask as a newcomer, wait for every reply."""
    post = _Poster(webhook, secret)
    with httpx.Client(timeout=10) as api:
        try:
            return _run(api, api_url, post, people, each, seconds)
        finally:
            post.close()


def _texts(api: httpx.Client, api_url: str, chat: int) -> list[str]:
    return [m["text"] for m in api.get(f"{api_url}/test/sent", params={"chat_id": chat}).json()]


def _wait(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _run(
    api: httpx.Client, api_url: str, post: _Poster, people: int, each: int, seconds: float
) -> BurstResult:
    expected: dict[str, list[str]] = {}
    for number, topic in enumerate(TOPICS):  # each answer once, asked by someone outside the burst
        chat = 880_000 + number
        post(update(10_000 + number, chat, topic))
        _wait(lambda c=chat: bool(_texts(api, api_url, c)), 30)
        time.sleep(0.5)  # a multi-message answer completes
        expected[topic] = _texts(api, api_url, chat)
    plan = [
        (1_000_000 + person * each + n, FIRST_CHAT + person, TOPICS[(person + n) % len(TOPICS)])
        for n in range(each)
        for person in range(people)
    ]
    started = time.monotonic()
    with ThreadPoolExecutor(16) as pool:
        futures = []
        for number, (update_id, chat, text) in enumerate(plan):
            delay = started + seconds * number / len(plan) - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(post, update(update_id, chat, text)))
        statuses = [future.result() for future in futures]
    asked = time.monotonic()
    post(update(2_000_000, NEWCOMER, "quels documents pour le visa ?"))
    newcomer = _wait(lambda: bool(_texts(api, api_url, NEWCOMER)), 60)
    waited = time.monotonic() - asked if newcomer else None
    wrong = []
    deadline = time.monotonic() + 600
    for person in range(people):
        chat = FIRST_CHAT + person
        wanted = [text for n in range(each) for text in expected[TOPICS[(person + n) % len(TOPICS)]]]
        _wait(
            lambda c=chat, w=wanted: len(_texts(api, api_url, c)) >= len(w),
            max(0, deadline - time.monotonic()),
        )
        if _texts(api, api_url, chat) != wanted:
            wrong.append(person)
    finished = time.monotonic() - started if time.monotonic() < deadline else None
    return BurstResult(len(plan), statuses.count(200), asked - started, waited, finished, wrong)
