"""What the local Bot API server remembers, and the flood limits it enforces."""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

OVERALL_TOLERANCE = 1.2
CHAT_TOLERANCE = 0.8


@dataclass
class Fault:
    """A failure to answer instead of success, ``times`` times."""

    status: int
    times: int
    retry_after: int | None = None


@dataclass
class BotApiState:
    """Everything the fake server remembers."""

    updates: deque[dict[str, Any]] = field(default_factory=deque)
    sent: dict[int, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    calls: list[str] = field(default_factory=list)
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    faults: dict[str, deque[Fault]] = field(default_factory=lambda: defaultdict(deque))
    blocked: set[int] = field(default_factory=set)
    webhook_url: str | None = None
    webhook_secret: str | None = None
    new_update: asyncio.Event = field(default_factory=asyncio.Event)
    reply_waiters: dict[int, asyncio.Future[float]] = field(default_factory=dict)
    limits: SendLimits | None = None
    recent_sends: deque[float] = field(default_factory=deque)
    last_send_to: dict[int, float] = field(default_factory=dict)
    throttled: int = 0
    delivered: int = 0


@dataclass(frozen=True)
class SendLimits:
    """Telegram's flood limits, as this server enforces them."""

    per_second: float
    per_chat_per_second: float

    def refuses(self, state: BotApiState, chat_id: int, now: float) -> bool:
        """Whether one more message to ``chat_id`` at ``now`` would be flooding."""
        while state.recent_sends and state.recent_sends[0] <= now - 1.0:
            state.recent_sends.popleft()
        if len(state.recent_sends) >= self.per_second * OVERALL_TOLERANCE:
            return True
        last = state.last_send_to.get(chat_id)
        return last is not None and now - last < CHAT_TOLERANCE / self.per_chat_per_second
