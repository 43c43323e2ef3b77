"""The strict pace WhatsApp needs: no second holds more than the limit less the headroom, and one chat's
messages are further apart than its interval, while the rate stays close to the limit."""

from __future__ import annotations

import asyncio
import itertools

from scheduler.rate_limits import STRICT_CHAT_HEADROOM, STRICT_HEADROOM, ChannelPace


def _busiest_second(times: list[float]) -> int:
    """The most messages in one second (less 5 ms: a worker notes its time a scheduling step after it was
    let through, so two notes exactly a second apart may come out a hair closer)."""
    return max(sum(1 for t in times if start <= t < start + 0.995) for start in times)


def test_a_strict_pace_never_puts_more_than_the_limit_less_the_headroom_in_any_second() -> None:
    per_second, messages = 40, 100

    async def run() -> list[float]:
        pace = ChannelPace(per_second, 1.0, strict=True)
        loop = asyncio.get_running_loop()
        times = []

        async def worker(first: int) -> None:
            for n in range(first, messages, 4):
                await pace.wait(f"chat-{n}")
                times.append(loop.time())

        await asyncio.gather(*(worker(w) for w in range(4)))
        return sorted(times)

    times = asyncio.run(run())
    allowed = int(per_second * (1 - STRICT_HEADROOM))
    assert _busiest_second(times) <= allowed
    achieved = (len(times) - 1) / (times[-1] - times[0])
    assert achieved >= 0.9 * per_second  # 100 messages in about 2.5 s, not one a timer tick


def test_a_strict_pace_keeps_one_chat_past_its_interval_with_headroom() -> None:
    async def run() -> list[float]:
        pace = ChannelPace(100, 10.0, strict=True)
        loop = asyncio.get_running_loop()
        times = []
        for _ in range(4):
            await pace.wait("one person")
            times.append(loop.time())
        return times

    times = asyncio.run(run())
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.1 * (1 + STRICT_CHAT_HEADROOM) - 0.002


def test_the_default_pace_allows_a_tenth_over_in_a_second_which_whatsapp_refuses() -> None:
    """Why WhatsApp's pace is strict: the tenth-of-a-second bucket lets a second start with a burst."""

    async def run() -> list[float]:
        pace = ChannelPace(40, 1.0)
        loop = asyncio.get_running_loop()
        times = []
        for n in range(60):
            await pace.wait(f"chat-{n}")
            times.append(loop.time())
        return times

    assert _busiest_second(asyncio.run(run())) > 40


def test_a_chat_interval_counts_from_when_its_message_passed_the_overall_limit() -> None:
    """A person's first message held back behind others (overall limit) and their second asked for soon
    after: the two still go a whole interval apart."""

    async def run() -> list[float]:
        pace = ChannelPace(5, 2.0, strict=True)  # 4 a second overall, one every 0.55 s to a chat
        loop = asyncio.get_running_loop()
        to_x: list[float] = []

        async def send(chat: str, after: float) -> None:
            await asyncio.sleep(after)
            await pace.wait(chat)
            if chat == "x":
                to_x.append(loop.time())

        others = [send(f"other-{n}", 0.0) for n in range(4)]  # the first second is full
        await asyncio.gather(*others, send("x", 0.01), send("x", 0.6))
        return to_x

    first, second = asyncio.run(run())
    assert second - first >= 0.5 * (1 + STRICT_CHAT_HEADROOM) - 0.002
