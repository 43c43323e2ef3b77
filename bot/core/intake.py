"""Between the channels and the conversation core: each update taken in once, queued fairly, answered in
order per person.

A webhook only has to hand its message to ``Intake.offer`` and answer the platform at once; workers run the
turns off the request path. The queue is bounded (in all and per person): what does not fit is refused, so the
channel answers the platform with a status that makes it deliver again later. Each person's messages are
answered one at a time, in the order they arrived; among people, the one who has been served least during the
current backlog goes first, so that a person who writes during a flood is answered within a few turns instead
of after the whole backlog.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from bot.core.messages import InboundMessage, Sender, TurnHandler
from bot.core.send_errors import ContactUnreachable, SendError
from bot.storage import intake
from bot.storage.db import Database

logger = logging.getLogger(__name__)

Admission = Literal["queued", "duplicate", "flooding", "full"]
CAPACITY = 10_000
PER_PERSON = 50
WORKERS = 4


class ReplyChannel(Sender, Protocol):
    """A channel the intake answers through: sending, and showing that an answer is on its way."""

    async def typing(self, external_id: str) -> None:
        """Show that the bot is writing (best effort)."""


class Reachability(Protocol):
    """Where the intake reports what platforms say of a person: blocked the bot, or back."""

    def reachable(self, channel: str, external_id: str, reachable: bool) -> None:
        """Record that the platform can (or can no longer) deliver to this person."""


@dataclass
class _Queue:
    """One person's messages waiting, and how many of theirs were answered during this backlog."""

    messages: deque[tuple[int, InboundMessage]] = field(default_factory=deque)
    served: int = 0
    busy: bool = False


class Intake:
    """The bounded, fair queue of inbound messages and the workers that answer them."""

    def __init__(
        self,
        handler: TurnHandler,
        people: Reachability,
        database: Database,
        clock: Callable[[], datetime],
        capacity: int = CAPACITY,
        per_person: int = PER_PERSON,
        workers: int = WORKERS,
    ) -> None:
        self.handler = handler
        self.people = people
        self.database = database
        self.clock = clock
        self.capacity = capacity
        self.per_person = per_person
        self.workers = workers
        self.channels: dict[str, ReplyChannel] = {}
        self._queues: dict[tuple[str, str], _Queue] = {}
        self._ready: list[tuple[int, int, tuple[str, str]]] = []
        self._waiting = 0
        self._sequence = itertools.count()
        self._wakeup = asyncio.Condition()
        self.refused = 0

    def register(self, channel: ReplyChannel) -> None:
        """Answer the messages of this channel through it."""
        self.channels[channel.name] = channel

    @property
    def waiting(self) -> int:
        """Messages taken in and not yet answered."""
        return self._waiting

    def has_room(self, inbound: InboundMessage) -> bool:
        """Whether one more message of this person fits."""
        return self._room(inbound) is None

    def _room(self, inbound: InboundMessage) -> Admission | None:
        if self._waiting >= self.capacity:
            return "full"
        queue = self._queues.get((inbound.channel, inbound.external_id))
        return "flooding" if queue is not None and len(queue.messages) >= self.per_person else None

    async def offer(self, update_key: str | None, inbound: InboundMessage) -> Admission:
        """Take one message in: ``queued``; ``duplicate`` when this update was taken in before (it is not
        answered again); ``flooding`` when this person has too many messages waiting, ``full`` when the
        queue is (nothing recorded in both cases: the platform delivers it again later)."""
        refused = self._room(inbound)
        if refused is not None:
            self.refused += 1
            return refused
        if update_key is not None and not self._first_time(inbound.channel, update_key):
            return "duplicate"
        person = (inbound.channel, inbound.external_id)
        queue = self._queues.setdefault(person, _Queue())
        sequence = next(self._sequence)
        queue.messages.append((sequence, inbound))
        self._waiting += 1
        if not queue.busy and len(queue.messages) == 1:
            await self._make_ready(queue, person)
        return "queued"

    async def wait_for_room(self, inbound: InboundMessage) -> None:
        """Wait until one more message of this person fits (long polling holds updates back meanwhile)."""
        async with self._wakeup:
            await self._wakeup.wait_for(lambda: self.has_room(inbound))

    def _first_time(self, channel: str, update_key: str) -> bool:
        with self.database.session() as session:
            return intake.first_time(session, channel, update_key, self.clock())

    async def _make_ready(self, queue: _Queue, person: tuple[str, str]) -> None:
        heapq.heappush(self._ready, (queue.served, queue.messages[0][0], person))
        async with self._wakeup:
            self._wakeup.notify_all()

    async def run(self, stop: asyncio.Event) -> None:
        """Answer messages until ``stop`` is set; what is still queued then is left unanswered (the platform
        was told it arrived, so it is logged as a count)."""
        workers = [asyncio.create_task(self._work()) for _ in range(self.workers)]
        await stop.wait()
        for worker in workers:
            worker.cancel()
        for worker in workers:
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        if self._waiting:
            logger.warning("intake stopped with %d messages unanswered", self._waiting)

    async def _next(self) -> tuple[tuple[str, str], _Queue, InboundMessage]:
        async with self._wakeup:
            await self._wakeup.wait_for(lambda: bool(self._ready))
            _, _, person = heapq.heappop(self._ready)
        queue = self._queues[person]
        queue.busy = True
        _, inbound = queue.messages.popleft()
        return person, queue, inbound

    async def _work(self) -> None:
        while True:
            person, queue, inbound = await self._next()
            try:
                await self._answer(inbound)
            finally:
                self._waiting -= 1
                queue.busy = False
                queue.served += 1
                if queue.messages:
                    await self._make_ready(queue, person)
                else:
                    del self._queues[person]
                    async with self._wakeup:
                        self._wakeup.notify_all()

    async def _answer(self, inbound: InboundMessage) -> None:
        """Run the turn and send its replies through the person's channel."""
        channel = self.channels[inbound.channel]
        await channel.typing(inbound.external_id)
        result = await self.handler.handle(inbound)
        for message in result.messages:
            try:
                sent = await channel.send(inbound.external_id, message)
            except ContactUnreachable:
                self.people.reachable(inbound.channel, inbound.external_id, False)
                return
            except SendError as error:
                logger.warning("reply on %s not delivered: %s", inbound.channel, error.reason)
                return
            except Exception as error:  # a bug in one reply must not stop the workers (and the bot)
                logger.error("reply on %s failed: %s", inbound.channel, type(error).__name__)
                return
            if result.user_id is not None:
                self.handler.delivered(result.user_id, message, sent)
