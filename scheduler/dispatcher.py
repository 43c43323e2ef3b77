"""The outbox dispatcher: claims due rows, sends them through the channel adapters, records each outcome.

One pass (``drain``) runs until nothing is due. Claiming, sending and recording overlap: a claimer fills a
bounded queue, workers send within each channel's pace, and a recorder writes outcomes four times a second,
so that after a crash only the messages sent in the last moment before it can go out twice. Outcomes:

- sent: done;
- the platform said to wait (429): every send on that channel pauses for ``retry_after``, then it is retried;
- a passing failure (5xx, timeout): tried again later with exponential backoff and jitter, up to a limit;
- the person blocked the bot (403): marked unreachable, and everything pending for them is cancelled;
- outside the channel's service window (WhatsApp: 24 hours after the person last wrote; checked at send
  time, and when the platform refuses free text with 131047): sent as its approved template, or
  undeliverable with the reason (no template for it in the person's language, or none approved); past
  the day's limit of people reached that way, it waits for the next day with the reason;
- anything else: failed, with the reason.

Before a row is sent, what may have changed since it was planned is checked again: a person who blocked the
bot since gets nothing (cancelled, put back if they come back); a consent withdrawn since, or never given
where the channel requires opt-in (WhatsApp: undecided is not yes), cancels it with the reason; and a row
that falls due inside quiet hours in the person's zone (after a retry, an outage or a late ``set-date``)
waits, without counting an attempt, until they end.

The day's count of people reached by template (``MENTOR_WHATSAPP_DAILY_LIMIT``) is read from the outbox
rows sent as templates since 00:00 UTC, once a day and after a restart, then kept up to date in memory: only
one process delivers from a database. The day is UTC's, for every business, since Meta does not count in the
recipients' zones.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, TypeVar

from bot.core.messages import OutboundMessage, Sender, Sent, TemplateSender, is_command_payload
from bot.core.render import Renderer
from bot.core.send_errors import ContactUnreachable, OutsideServiceWindow, SendError, WaitUntil
from bot.storage import consents, outbox, users
from bot.storage.db import Database
from bot.storage.outbox import Claimed, Outcome
from scheduler.rate_limits import ChannelPace
from scheduler.timing import QuietHours, person_zone, soonest_outside

logger = logging.getLogger(__name__)
T = TypeVar("T")
RECORD_EVERY_SECONDS = 0.25
OUTSIDE_WINDOW = "outside the 24-hour window, and the channel has no templates"


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how soon a message is tried again after a passing failure."""

    max_attempts: int = 8
    first_delay: float = 5.0
    max_delay: float = 3600.0
    max_throttled_waits: int = 10

    def retry_at(self, attempts_before: int, now: datetime) -> datetime | None:
        """When to try again after a failed attempt; None when that was the last allowed."""
        attempt = attempts_before + 1
        if attempt >= self.max_attempts:
            return None
        delay = min(self.max_delay, self.first_delay * 2 ** (attempt - 1))
        return now + timedelta(seconds=delay * random.uniform(0.5, 1.0))


@dataclass(frozen=True)
class Route:
    """Where messages of one channel go, and at what pace."""

    sender: Sender
    pace: ChannelPace
    daily_limit: int | None = None  # people a day reached by template outside the service window (None: any)

    @property
    def opt_in_required(self) -> bool:
        """Whether nothing proactive may go to a person before they said yes to its purpose."""
        return self.sender.capabilities.opt_in_required


class Dispatcher:
    """Delivers the due outbox rows of the channels it has routes for (others wait for their channel)."""

    def __init__(
        self,
        database: Database,
        routes: Mapping[str, Route],
        renderer: Renderer,
        clock: Callable[[], datetime],
        default_language: str,
        policy: RetryPolicy | None = None,
        batch: int = 200,
        workers: int = 8,
        lease: timedelta = timedelta(minutes=5),
        quiet: QuietHours | None = None,
        default_timezone: str = "Africa/Casablanca",
    ) -> None:
        self.database = database
        self.routes = routes
        self.renderer = renderer
        self.clock = clock
        self.default_language = default_language
        self.policy = policy or RetryPolicy()
        self.batch = batch
        self.workers = workers
        self.lease = lease
        self.quiet = quiet
        self.default_timezone = default_timezone
        self._database_turn = asyncio.Lock()
        # channel: the UTC day, and the people reached by template that day
        self._reached: dict[str, tuple[date, set[str]]] = {}

    def keep_quiet(self, quiet: QuietHours, default_timezone: str) -> None:
        """Hold back what falls due inside ``quiet`` hours in the person's zone (``default_timezone`` for
        someone whose zone is not known) until they end."""
        self.quiet, self.default_timezone = quiet, default_timezone

    async def drain(self) -> Counter[str]:
        """Send everything due now; return how many messages ended in each outcome."""
        counts: Counter[str] = Counter()
        queue: asyncio.Queue[Claimed | None] = asyncio.Queue(maxsize=self.batch)
        finished: list[Outcome] = []

        async def work() -> None:
            while (claimed := await queue.get()) is not None:
                finished.append(await self._deliver(claimed))

        async def record_continuously() -> None:
            while not stopping.is_set():
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stopping.wait(), RECORD_EVERY_SECONDS)
                await self._record(finished, counts)
            await self._record(finished, counts)  # what finished while the last write was running

        stopping = asyncio.Event()
        workers = [asyncio.create_task(work()) for _ in range(self.workers)]
        recorder = asyncio.create_task(record_continuously())
        try:
            while claimed := await self._in_database(self._claim, self.clock()):
                for item in claimed:
                    await queue.put(item)
                for route in self.routes.values():
                    route.pace.forget_idle_chats()
            for _ in workers:
                await queue.put(None)
            await asyncio.gather(*workers)
        finally:
            # Also when this pass is cancelled (shutdown): what was sent is written down before it ends.
            for worker in workers:
                worker.cancel()
            stopping.set()
            await recorder
        if counts:
            logger.info("outbox pass: %s", dict(counts))
        return counts

    async def _in_database(self, work: Callable[..., T], *args: Any) -> T:
        """Run storage work in a thread, one at a time, in its own transaction."""

        def run() -> T:
            with self.database.session() as session:
                return work(session, *args)

        async with self._database_turn:
            return await asyncio.to_thread(run)

    def _claim(self, session: Any, now: datetime) -> list[Claimed]:
        """Claim due rows, each with the person's decision in force on the consent its kind needs."""
        claimed = outbox.claim_due(session, now, self.batch, self.lease, list(self.routes))
        needing: dict[str, list[str]] = {}
        for row in claimed:
            if (purpose := outbox.PURPOSE_OF_KIND.get(row.kind)) is not None:
                needing.setdefault(purpose, []).append(row.user_id)
        decisions = {
            purpose: consents.latest_decisions(session, purpose, ids) for purpose, ids in needing.items()
        }
        return [
            replace(row, consent=decisions[purpose].get(row.user_id))
            if (purpose := outbox.PURPOSE_OF_KIND.get(row.kind)) is not None
            else row
            for row in claimed
        ]

    async def _record(self, finished: list[Outcome], counts: Counter[str]) -> None:
        if not finished:
            return
        outcomes = finished[:]
        del finished[: len(outcomes)]
        await self._in_database(self._write_outcomes, outcomes)
        counts.update(o.result for o in outcomes)

    def _write_outcomes(self, session: Any, outcomes: list[Outcome]) -> None:
        outbox.record(session, outcomes)
        for outcome in outcomes:
            if outcome.result == "blocked":
                users.mark_unreachable(session, outcome.user_id, outcome.at)
            elif outcome.result in ("failed", "retry"):
                logger.warning("outbox row %d %s: %s", outcome.id, outcome.result, outcome.error)

    async def _deliver(self, claimed: Claimed) -> Outcome:
        """Send one claimed row and say what became of it."""
        route = self.routes[claimed.channel]
        held = self._held(route, claimed)
        if held is not None:
            return held
        outside = self._outside_window(route, claimed)
        message = self._compose(claimed)
        if message is None:
            return self._outcome(claimed, "failed", "nothing left to say (the call closed or was removed)")
        for _ in range(self.policy.max_throttled_waits):
            await route.pace.wait(claimed.external_id)
            try:
                if outside:
                    sent = await self._template(route, claimed, message)
                    return self._sent(claimed, message, sent, by_template=True)
                else:
                    sent = await route.sender.send(claimed.external_id, message)
            except ContactUnreachable as error:
                return self._outcome(claimed, "blocked", error.reason)
            except WaitUntil as error:  # not tried (the day's limit): it waits, with the reason
                return self._outcome(claimed, "deferred", error.reason, error.until)
            except OutsideServiceWindow as error:
                if outside:
                    return self._outcome(claimed, "undeliverable", error.reason)
                outside = True  # the platform refused free text (131047): the template path
                continue
            except SendError as error:
                if error.retry_after is not None:
                    route.pace.pause(error.retry_after)
                    continue
                if not error.retryable:
                    return self._outcome(claimed, "failed", error.reason)
                retry_at = self.policy.retry_at(claimed.attempts, self.clock())
                if retry_at is None:
                    return self._outcome(claimed, "failed", f"{error.reason}; gave up after retries")
                return self._outcome(claimed, "retry", error.reason, retry_at)
            except Exception as error:  # a bug must not stop the other messages: record it, with its trace
                logger.exception("outbox row %d: unexpected failure", claimed.id)
                return self._outcome(claimed, "failed", f"unexpected {type(error).__name__}")
            return self._sent(claimed, message, sent, by_template=False)
        return self._outcome(claimed, "retry", "throttled again and again", self.clock())

    def _sent(self, claimed: Claimed, message: OutboundMessage, sent: Sent, by_template: bool) -> Outcome:
        offered = tuple(b.payload for b in message.buttons if is_command_payload(b.payload))
        return Outcome(
            claimed.id,
            claimed.user_id,
            "sent",
            self.clock(),
            message_id=sent.message_id,
            offered=offered,
            by_template=by_template,
        )

    def _held(self, route: Route, claimed: Claimed) -> Outcome | None:
        """The checks at send time: cancelled (blocked since, or no consent in force), deferred (quiet hours
        in the person's zone), or None: it may go now."""
        if claimed.unreachable:
            return self._outcome(claimed, "cancelled", outbox.BLOCKED)
        purpose = outbox.PURPOSE_OF_KIND.get(claimed.kind)
        if purpose is not None and not consents.in_force(purpose, claimed.consent, route.opt_in_required):
            why = consents.withdrawn(purpose) if claimed.consent is False else consents.not_given(purpose)
            return self._outcome(claimed, "cancelled", why)
        if self.quiet is None:
            return None
        now = self.clock()
        try:
            where = person_zone(claimed.timezone, claimed.country, self.default_timezone)
        except ValueError:  # a zone that no longer exists: the default one's quiet hours still apply
            where = person_zone(None, claimed.country, self.default_timezone)
        after = soonest_outside(now, where, self.quiet)
        return None if after <= now else Outcome(claimed.id, claimed.user_id, "deferred", now, retry_at=after)

    async def _template(self, route: Route, claimed: Claimed, message: OutboundMessage) -> Sent:
        """Send the row's approved template, counting the person among today's people reached by template;
        ``WaitUntil`` tomorrow when the day's limit of such people is reached."""
        if not route.sender.capabilities.templates or not isinstance(route.sender, TemplateSender):
            raise OutsideServiceWindow(OUTSIDE_WINDOW)
        limit = route.daily_limit
        reached: set[str] = set()
        new = False
        if limit is not None:
            reached = await self._reached_today(claimed.channel)
            new = claimed.user_id not in reached
            if new and len(reached) >= limit:
                today = self.clock().astimezone(timezone.utc).date()
                tomorrow = datetime.combine(today + timedelta(days=1), time(), timezone.utc)
                raise WaitUntil(f"daily limit of {limit} people outside the 24-hour window reached", tomorrow)
            reached.add(claimed.user_id)
        try:
            return await route.sender.send_template(claimed.external_id, claimed.message_key, message)
        except BaseException:
            if new:
                reached.discard(claimed.user_id)
            raise

    async def _reached_today(self, channel: str) -> set[str]:
        """The people reached by template on ``channel`` since 00:00 UTC: read from the outbox the first time
        each day (so a restart keeps the count), then kept here as templates go out."""
        today = self.clock().astimezone(timezone.utc).date()
        known = self._reached.get(channel)
        if known is None or known[0] != today:
            since = datetime.combine(today, time(), timezone.utc)
            people = await self._in_database(outbox.reached_by_template, channel, since)
            known = self._reached.get(channel)
            if known is None or known[0] != today:  # another worker may have read it meanwhile
                known = self._reached[channel] = (today, people)
        return known[1]

    def _outside_window(self, route: Route, claimed: Claimed) -> bool:
        """Whether the channel takes free text from the bot only within a window the person opened, and this
        person's last message is older than that (or there is none)."""
        window = route.sender.capabilities.service_window
        if window is None:
            return False
        last = claimed.last_inbound_at
        return last is None or self.clock() - last > window

    def _outcome(
        self, claimed: Claimed, result: str, error: str | None = None, retry_at: datetime | None = None
    ) -> Outcome:
        return Outcome(claimed.id, claimed.user_id, result, self.clock(), error, retry_at)

    def _compose(self, claimed: Claimed) -> OutboundMessage | None:
        """The row's content in the person's language, as one message with its buttons."""
        language = claimed.language or self.default_language
        parts = self.renderer.render(claimed.content, language)
        if not parts:
            return None
        buttons = tuple(button for part in parts for button in part.buttons)
        return OutboundMessage("\n\n".join(part.text for part in parts), language, buttons)
