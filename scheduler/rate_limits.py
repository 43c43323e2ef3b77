"""The sending pace of one channel: messages a second overall and per chat, and a pause after a 429.

Built on ``aiolimiter``'s leaky bucket. The overall bucket is cut into tenths of a second so that no
one-second window ever holds much more than the limit (a full one-second bucket would allow a burst of twice
the limit at the start).
"""

from __future__ import annotations

import asyncio

from aiolimiter import AsyncLimiter


class ChannelPace:
    """Waits until one more message may go to a chat."""

    def __init__(self, per_second: float, per_chat_per_second: float) -> None:
        burst = max(1.0, per_second / 10)
        self._overall = AsyncLimiter(burst, burst / per_second)
        self._per_chat_period = 1 / per_chat_per_second
        self._chats: dict[str, AsyncLimiter] = {}
        self._resume_at = 0.0

    async def wait(self, chat: str) -> None:
        """Return when a message to ``chat`` keeps within every limit."""
        loop = asyncio.get_running_loop()
        while (delay := self._resume_at - loop.time()) > 0:
            await asyncio.sleep(delay)
        limiter = self._chats.get(chat)
        if limiter is None:
            limiter = self._chats[chat] = AsyncLimiter(1, self._per_chat_period)
        await limiter.acquire()
        await self._overall.acquire()

    def pause(self, seconds: float) -> None:
        """Hold every message for ``seconds`` (the platform said to wait)."""
        self._resume_at = max(self._resume_at, asyncio.get_running_loop().time() + seconds)

    def forget_idle_chats(self) -> None:
        """Drop the buckets of chats that could take a message now (they hold no state worth keeping)."""
        self._chats = {chat: bucket for chat, bucket in self._chats.items() if not bucket.has_capacity()}
