"""People asking the bot through a local platform fake's ``/test/ask`` route, one after another or many at
once; shared by the Telegram and WhatsApp round-trip benchmarks.

Each fake measures the round trip itself (a person's message delivered to the bot, to the bot's first
message to that person) and answers ``{"round_trip": seconds}``, or ``null`` when no reply came in time: a
lost reply. ``body(person, text)`` is what the fake's ``/test/ask`` takes for one person.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from bot.evaluation.timing import ms, percentile

Body = Callable[[int, str], dict[str, Any]]
PEOPLE = 200
MESSAGES_EACH = 3
THINK_SECONDS = (10.0, 30.0)  # people reply at chat pace: about 10 messages a second from 200
REPLY_TIMEOUT = 60
CROWD_FROM = 1000


@dataclass(frozen=True)
class Crowd:
    """How many people write, how many messages each, and how long each thinks before the next."""

    people: int = PEOPLE
    each: int = MESSAGES_EACH
    think: tuple[float, float] = THINK_SECONDS


def summary(round_trips: list[float]) -> dict[str, float | None]:
    """p50, p95 and mean in milliseconds (None when nothing was answered)."""
    if not round_trips:
        return {"p50_ms": None, "p95_ms": None, "mean_ms": None}
    return {
        "p50_ms": ms(percentile(round_trips, 0.5), 1),
        "p95_ms": ms(percentile(round_trips, 0.95), 1),
        "mean_ms": ms(statistics.fmean(round_trips), 1),
    }


async def _ask(client: httpx.AsyncClient, url: str, body: dict[str, Any]) -> float | None:
    reply = await client.post(f"{url}/test/ask", json={**body, "timeout": REPLY_TIMEOUT}, timeout=70)
    return reply.json().get("round_trip")


async def sequential(url: str, body: Body, texts: list[str], count: int, people: int = 20) -> list[float]:
    """``count`` questions one after another from ``people`` people in turn; the answered round trips."""
    async with httpx.AsyncClient() as client:
        times = [await _ask(client, url, body(n % people, texts[n % len(texts)])) for n in range(count)]
    return [t for t in times if t is not None]


async def at_once(url: str, body: Body, texts: list[str], crowd: Crowd) -> tuple[list[float], int, float]:
    """Everyone active at the same time, each writing ``crowd.each`` messages after thinking a while:
    the answered round trips, how many were lost, and the seconds the whole crowd took."""
    randomness = random.Random(27)
    limits = httpx.Limits(max_connections=crowd.people, max_keepalive_connections=crowd.people)
    async with httpx.AsyncClient(limits=limits) as client:

        async def person(number: int) -> list[float | None]:
            results = []
            for _ in range(crowd.each):
                await asyncio.sleep(randomness.uniform(*crowd.think))
                results.append(await _ask(client, url, body(number, randomness.choice(texts))))
            return results

        started = time.perf_counter()
        everyone = await asyncio.gather(*(person(n) for n in range(crowd.people)))
        elapsed = time.perf_counter() - started
    flat = [t for person_times in everyone for t in person_times]
    answered = [t for t in flat if t is not None]
    return answered, len(flat) - len(answered), elapsed


def figures(url: str, body: Body, texts: list[str], one_user: int, crowd: Crowd) -> dict[str, Any]:
    """A few people's round trips one after another (people 0 to 19), then the crowd's (numbered from
    1,000), as the benchmarks report them."""
    one = asyncio.run(sequential(url, body, texts, one_user))
    many, lost, elapsed = asyncio.run(at_once(url, lambda n, t: body(CROWD_FROM + n, t), texts, crowd))
    return {
        "one_user": {**summary(one), "messages": one_user},
        "people_at_once": {
            **summary(many),
            "people": crowd.people,
            "messages": crowd.people * crowd.each,
            "lost": lost,
            "replies_per_second": round(len(many) / elapsed, 1),
        },
    }
