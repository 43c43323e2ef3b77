"""The delivery service of ``mentor run``: APScheduler running the periodic jobs in the bot's event loop.

Jobs: the outbox dispatcher (every second; it holds back what falls due in ``MENTOR_QUIET_HOURS``), call
alerts (every minute, re-reading the calls file), the lock heartbeat, and the daily retention purge.
APScheduler keeps its job definitions in the same database (``SQLAlchemyJobStore``, table
``apscheduler_jobs``); reminders themselves are outbox rows, not jobs. Jobs are stored by reference
(``scheduler.service:dispatch_job``) and reach the running service through ``_running``.

Only one process may deliver from a database: ``acquire`` takes the ``dispatcher`` lease or raises
``AlreadyRunning`` naming the holder, and on success puts back in line what a crashed holder had claimed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from datetime import datetime, timedelta, timezone

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import create_engine

from bot.errors import MentorError
from bot.settings import DeliverySettings
from bot.storage import locks, outbox
from bot.storage.db import Database, engine_options, tune_sqlite
from knowledge.model import Call
from scheduler.call_alerts import plan_alerts
from scheduler.dispatcher import Dispatcher
from scheduler.retention import purge_expired

logger = logging.getLogger(__name__)

LOCK = "dispatcher"
LOCK_TTL = timedelta(seconds=60)
JOB_TABLE = "apscheduler_jobs"


class AlreadyRunning(MentorError):
    """Another process delivers from this database."""


class DeliveryService:
    """Owns the dispatcher lease and the periodic jobs."""

    def __init__(
        self,
        database: Database,
        dispatcher: Dispatcher,
        calls: Callable[[], Sequence[Call]],
        delivery: DeliverySettings,
        retention_days: int,
        clock: Callable[[], datetime],
        resources: Sequence[AbstractAsyncContextManager[object]] = (),
    ) -> None:
        self.database = database
        self.dispatcher = dispatcher
        dispatcher.keep_quiet(delivery.quiet_hours, delivery.default_timezone)  # checked again at send time
        self.calls = calls
        self.delivery = delivery
        self.retention_days = retention_days
        self.clock = clock
        self.resources = resources
        self.holder = locks.holder_id()
        self._scheduler: AsyncIOScheduler | None = None
        self._stack = AsyncExitStack()
        self._holding = False
        self._draining: asyncio.Task[object] | None = None

    def acquire(self) -> None:
        """Take the dispatcher lease, or raise ``AlreadyRunning``."""
        with self.database.session() as session:
            other = locks.acquire(session, LOCK, self.holder, self.clock(), LOCK_TTL)
            if other is not None:
                raise AlreadyRunning(
                    f"another `mentor run` ({other}) delivers from this database; stop it first "
                    f"(a crashed one lets go within {int(LOCK_TTL.total_seconds())} s)"
                )
            released = outbox.release_claims(session)
        self._holding = True
        if released:
            logger.warning("%d messages claimed by a stopped dispatcher are queued again", released)

    async def start(self) -> None:
        """Open the senders and start the jobs."""
        global _running
        for resource in self.resources:
            await self._stack.enter_async_context(resource)
        _running = self
        url = self.database.engine.url.render_as_string(hide_password=False)
        engine = create_engine(url, **engine_options(url))  # APScheduler 3.9 needs a non-"future" engine
        tune_sqlite(engine)
        scheduler = AsyncIOScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
            timezone=timezone.utc,
        )
        jobs = {
            "dispatch": (dispatch_job, {"seconds": 1}),
            "call_alerts": (call_alerts_job, {"minutes": 1}),
            "lock_heartbeat": (heartbeat_job, {"seconds": LOCK_TTL.total_seconds() / 3}),
            "retention": (retention_job, {"hours": 24}),
        }
        now = self.clock()
        for job_id, (function, every) in jobs.items():
            scheduler.add_job(
                f"{__name__}:{function.__name__}",
                "interval",
                id=job_id,
                replace_existing=True,
                next_run_time=now,
                **every,
            )
        scheduler.start()
        self._scheduler = scheduler
        logger.info("delivery service started")

    async def stop(self) -> None:
        """Stop the jobs, close the senders, give the lease up."""
        global _running
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        if self._draining is not None:
            self._draining.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._draining
        await self._stack.aclose()
        _running = None
        if self._holding:
            with self.database.session() as session:
                locks.release(session, LOCK, self.holder)
            self._holding = False
        logger.info("delivery service stopped")

    # --- the jobs --------------------------------------------------------------------------------

    async def dispatch(self) -> None:
        """Start a pass that sends what is due, unless one is still running or the lease was lost."""
        if self._holding and (self._draining is None or self._draining.done()):
            self._draining = asyncio.create_task(self.dispatcher.drain())
            self._draining.add_done_callback(_report_failure)

    def plan_call_alerts(self) -> int:
        """Plan the alerts due now for the calls as the file says now."""
        delivery = self.delivery
        with self.database.session() as session:
            return plan_alerts(
                session,
                self.clock(),
                self.calls(),
                delivery.call_alert_days,
                delivery.quiet_hours,
                delivery.default_timezone,
            )

    def renew_lease(self) -> None:
        """Keep the lease; stop sending at once if another process took it."""
        with self.database.session() as session:
            kept = locks.renew(session, LOCK, self.holder, self.clock(), LOCK_TTL)
        if not kept and self._holding:
            logger.error("the dispatcher lease was lost: this process stops sending")
            self._holding = False

    def purge(self) -> None:
        """The retention purge."""
        purge_expired(self.clock(), self.database, self.retention_days)


def _report_failure(task: asyncio.Task[object]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("outbox pass failed; the next one retries", exc_info=task.exception())


_running: DeliveryService | None = None


def _service() -> DeliveryService:
    if _running is None:
        raise RuntimeError("the delivery service is not running")
    return _running


async def dispatch_job() -> None:
    """APScheduler job: one dispatcher pass."""
    await _service().dispatch()


async def call_alerts_job() -> None:
    """APScheduler job: plan call alerts."""
    await asyncio.to_thread(_service().plan_call_alerts)


async def heartbeat_job() -> None:
    """APScheduler job: renew the dispatcher lease."""
    await asyncio.to_thread(_service().renew_lease)


async def retention_job() -> None:
    """APScheduler job: purge old history."""
    await asyncio.to_thread(_service().purge)
