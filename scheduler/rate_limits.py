"""The sending pace of one channel: messages a second overall and per chat, and a pause after a 429.

Built on ``aiolimiter``'s leaky bucket. The overall bucket is cut into tenths of a second so that no
one-second window ever holds much more than the limit (a full one-second bucket would allow a burst of twice
the limit at the start). That still lets a window hold the limit plus a tenth, which Telegram tolerates but
WhatsApp does not (130429 past its messages a second, 131056 for a second message to a person within 6 s,
as the platform clocks them). A ``strict`` pace counts instead: at most the limit less ``STRICT_HEADROOM``
in any second (a late start is made up within the second; a bucket of one would lose it), spread out, and
the per-chat interval stretched by ``STRICT_CHAT_HEADROOM``, the spare absorbing the jitter between our
clock and the platform's arrivals.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque

from aiolimiter import AsyncLimiter

STRICT_HEADROOM = 0.03
# One chat's interval gets more spare: it costs nothing to the overall rate, and one request can take a few
# tenths of a second longer than the next (a new connection, a busy machine), which closes the gap Meta sees.
STRICT_CHAT_HEADROOM = 0.1


class SlidingWindow:
    """At most ``count`` releases in any ``seconds``, none sooner than ``spacing`` after the one before."""

    def __init__(self, count: int, seconds: float = 1.0, spacing: float = 0.0) -> None:
        self.count = count
        self.seconds = seconds
        self.spacing = spacing
        self._released: deque[float] = deque()

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            while self._released and self._released[0] <= now - self.seconds:
                self._released.popleft()
            wait = self._released[-1] + self.spacing - now if self._released else 0.0
            if len(self._released) >= self.count:
                wait = max(wait, self._released[0] + self.seconds - now)
            if wait <= 0:
                self._released.append(now)
                return
            await asyncio.sleep(wait)


class ChannelPace:
    """Waits until one more message may go to a chat."""

    def __init__(self, per_second: float, per_chat_per_second: float, strict: bool = False) -> None:
        burst = max(1.0, per_second / 10)
        self._overall: AsyncLimiter | SlidingWindow = AsyncLimiter(burst, burst / per_second)
        if strict:
            count = max(1, int(per_second * (1 - STRICT_HEADROOM)))
            self._overall = SlidingWindow(count, spacing=0.5 / per_second)
            per_chat_per_second /= 1 + STRICT_CHAT_HEADROOM
        self._per_chat_period = 1 / per_chat_per_second
        self._next_to: dict[str, float] = {}  # chat: when it may have its next message (monotonic clock)
        self._resume_at = 0.0

    async def wait(self, chat: str) -> None:
        """Return when a message to ``chat`` keeps within every limit. A chat's interval counts from when
        its last message was let through the overall limit: counted from before that wait, a message held
        back by the overall limit would leave less than the interval before the chat's next one."""
        loop = asyncio.get_running_loop()
        while True:
            while (delay := max(self._resume_at, self._next_to.get(chat, 0.0)) - loop.time()) > 0:
                await asyncio.sleep(delay)
            await self._overall.acquire()
            now = loop.time()
            if self._next_to.get(chat, 0.0) <= now and self._resume_at <= now:
                self._next_to[chat] = now + self._per_chat_period
                return

    def pause(self, seconds: float) -> None:
        """Hold every message for ``seconds`` (the platform said to wait)."""
        self._resume_at = max(self._resume_at, asyncio.get_running_loop().time() + seconds)

    def forget_idle_chats(self) -> None:
        """Drop the chats that could take a message now (they hold no state worth keeping)."""
        now = time.monotonic()  # the event loop's clock
        self._next_to = {chat: at for chat, at in self._next_to.items() if at > now}
