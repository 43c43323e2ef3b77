"""Round trips through the local Bot API server, in polling and in webhook mode, one user and 200 at once.

A round trip is measured by the server: from a user's update arriving (queued for getUpdates, or POSTed to the
webhook) to the bot's first ``sendMessage`` for that chat. The load run plays 200 people who each write a
few messages, a few seconds apart, all active at the same time; a reply that never comes counts as lost.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bot.evaluation import telegram_burst
from bot.evaluation.telegram_harness import bot_api_server, free_port, start_bot, webhook_env
from bot.evaluation.timing import ms, percentile

SEQUENTIAL = 100
PEOPLE = 200
MESSAGES_EACH = 3
THINK_SECONDS = (10.0, 30.0)  # people reply at chat pace: about 10 messages a second from 200
SECRET = "bench-secret"


def _summary(round_trips: list[float]) -> dict[str, float]:
    return {
        "p50_ms": ms(percentile(round_trips, 0.5), 1),
        "p95_ms": ms(percentile(round_trips, 0.95), 1),
        "mean_ms": ms(statistics.fmean(round_trips), 1),
    }


async def _ask(client: httpx.AsyncClient, url: str, chat_id: int, text: str) -> float | None:
    reply = await client.post(
        f"{url}/test/ask", json={"chat_id": chat_id, "text": text, "timeout": 60}, timeout=70
    )
    return reply.json().get("round_trip")


async def _sequential(url: str, texts: list[str]) -> list[float]:
    async with httpx.AsyncClient() as client:
        times = [await _ask(client, url, 10_000 + n % 20, texts[n % len(texts)]) for n in range(SEQUENTIAL)]
    return [t for t in times if t is not None]


async def _crowd(url: str, texts: list[str]) -> tuple[list[float], int, float]:
    randomness = random.Random(27)
    limits = httpx.Limits(max_connections=PEOPLE, max_keepalive_connections=PEOPLE)
    async with httpx.AsyncClient(limits=limits) as client:

        async def person(number: int) -> list[float | None]:
            results = []
            for _ in range(MESSAGES_EACH):
                await asyncio.sleep(randomness.uniform(*THINK_SECONDS))
                results.append(await _ask(client, url, 20_000 + number, randomness.choice(texts)))
            return results

        started = time.perf_counter()
        everyone = await asyncio.gather(*(person(n) for n in range(PEOPLE)))
        elapsed = time.perf_counter() - started
    flat = [t for person_times in everyone for t in person_times]
    answered = [t for t in flat if t is not None]
    return answered, len(flat) - len(answered), elapsed


def _wait_ready(url: str, webhook: str | None, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    with httpx.Client() as client:
        while time.monotonic() < deadline:
            state = client.get(f"{url}/test/calls").json()
            if (webhook and state["webhook_url"] == webhook) or (
                not webhook and "getUpdates" in state["calls"]
            ):
                return
            time.sleep(0.2)
    raise RuntimeError("the bot did not start")


def measure(texts: list[str]) -> dict[str, Any]:
    """Figures for both modes."""
    figures: dict[str, Any] = {}
    for mode in ("polling", "webhook"):
        with bot_api_server() as url, tempfile.TemporaryDirectory() as folder:
            env = webhook_env(free_port(), SECRET) if mode == "webhook" else {}
            bot = start_bot(url, Path(folder), **env)
            try:
                _wait_ready(url, env.get("MENTOR_TELEGRAM_WEBHOOK_URL"))
                one = asyncio.run(_sequential(url, texts))
                crowd, lost, elapsed = asyncio.run(_crowd(url, texts))
            finally:
                bot.stop()
        figures[mode] = {
            "one_user": {**_summary(one), "messages": SEQUENTIAL},
            "people_at_once": {
                **_summary(crowd),
                "people": PEOPLE,
                "messages": PEOPLE * MESSAGES_EACH,
                "lost": lost,
                "replies_per_second": round(len(crowd) / elapsed, 1),
            },
        }
    return figures


def burst() -> dict[str, Any]:
    """The burst of ``telegram_burst``, on a fresh bot in webhook mode."""
    with bot_api_server() as url, tempfile.TemporaryDirectory() as folder:
        env = webhook_env(free_port(), SECRET)
        bot = start_bot(url, Path(folder), **env)
        try:
            _wait_ready(url, env["MENTOR_TELEGRAM_WEBHOOK_URL"])
            result = telegram_burst.run(url, env["MENTOR_TELEGRAM_WEBHOOK_URL"], SECRET)
        finally:
            bot.stop()
    return {
        "updates": result.updates,
        "people": result.updates // 10,
        "sent_in_s": round(result.sent_in_s, 1),
        "accepted": result.accepted,
        "newcomer_answered_after_s": result.newcomer_wait_s and round(result.newcomer_wait_s, 2),
        "all_answered_after_s": result.all_answered_after_s and round(result.all_answered_after_s, 1),
        "people_out_of_order_or_lost": len(result.out_of_order_or_lost),
    }
