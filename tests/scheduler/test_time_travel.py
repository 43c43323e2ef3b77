"""A whole cohort lived through with a clock moved by hand: every step arrives once, at its local time.

The dispatcher sends through the real Telegram sender to the local Bot API server; the clock jumps from one
due time to the next, so a year of reminders takes seconds and nothing sleeps.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.core.commands import Commands
from bot.core.messages import InboundMessage
from bot.storage import cohorts, outbox
from bot.storage.db import Database
from bot.storage.models import Cohort, OutboxMessage, User
from knowledge.model import KnowledgeBase
from scheduler.dispatcher import Dispatcher
from scheduler.reminders import Planner
from scheduler.timing import QuietHours
from tests.bot_api import BotApiServer
from tests.scheduler.conftest import DATES, Clock, cohort_with_people, make_dispatcher

QUIET = QuietHours(time(19, 30), time(8, 0))  # so that the 20:00 arrival step has to move
MOVED_AT = datetime(2027, 2, 1, tzinfo=timezone.utc)  # when staff move the departure date


async def _live_until(end: datetime, clock: Clock, database: Database, dispatcher: Dispatcher) -> None:
    """Jump from due time to due time, dispatching at each, until nothing is due before ``end``."""
    while True:
        with database.session() as session:
            due = session.scalar(
                select(OutboxMessage.not_before)
                .where(OutboxMessage.status == "pending")
                .order_by(OutboxMessage.not_before)
                .limit(1)
            )
        if due is None or due > end:
            clock.now = end
            return
        clock.now = max(clock.now, due)
        await dispatcher.drain()


def test_every_step_of_every_plan_arrives_once_at_its_local_time(
    database: Database, knowledge: KnowledgeBase, planner: Planner, clock: Clock, bot_api: BotApiServer
) -> None:
    planner = Planner(planner.plans, QUIET)
    zones = [None, "Africa/Tunis", "Europe/Rome", None]  # Morocco (the cohort's zone), Tunisia, Italy
    cohort_id, people = cohort_with_people(database, clock, zones)
    stopper = people[3]
    with database.session() as session:
        cohort = session.get(Cohort, cohort_id)
        planner.plan_cohort(session, cohort, clock())
    dispatcher = make_dispatcher(database, knowledge, clock, bot_api)

    async def live() -> None:
        async with dispatcher.routes["telegram"].sender.bot:  # type: ignore[attr-defined]
            await _live_until(MOVED_AT, clock, database, dispatcher)
            with database.session() as session:  # staff move the departure by a day, after steps went out
                cohort = session.get(Cohort, cohort_id)
                cohorts.set_date(cohort, "departure", date(2027, 3, 2))
                session.flush()
                planner.plan_cohort(session, cohort, clock())
            commands = Commands(database, knowledge, clock, planner)
            commands.run(stopper, InboundMessage("telegram", "x", "stop", "command"))
            await _live_until(datetime(2028, 6, 1, tzinfo=timezone.utc), clock, database, dispatcher)

    asyncio.run(live())

    with database.session() as session:
        cohort = session.get(Cohort, cohort_id)
        rows = session.execute(select(OutboxMessage)).scalars().all()
        people_by_id = {u.id: u for u in session.execute(select(User)).scalars()}
        for user_id in people[:3]:
            person = people_by_id[user_id]
            timeline = planner.timeline(cohort, person)
            mine = {r.dedupe_key: r for r in rows if r.user_id == user_id}
            assert len(mine) == len(timeline) == 19
            assert all(r.status == "sent" and r.attempts == 1 for r in mine.values())
            assert len(bot_api.sent(int(person.external_id))) == 19
            for item in timeline:
                row = mine[f"reminder:TNG27:{item.ref}:{user_id}"]
                where = ZoneInfo(item.zone or person.timezone or cohort.timezone)
                local = row.sent_at.astimezone(where)
                assert not QUIET.contains(local.time()), item.ref
                dates = DATES if row.sent_at < MOVED_AT else cohorts.dates_of(cohort)  # as planned when sent
                day = dates[item.step.date] + timedelta(days=item.step.offset_days)
                if QUIET.contains(item.step.at):  # moved to the end of the quiet hours
                    assert (local.date(), local.time()) == (day + timedelta(days=1), QUIET.end), item.ref
                else:
                    assert (local.date(), local.time()) == (day, item.step.at), item.ref
        stopped = [r for r in rows if r.user_id == stopper]
        assert all(r.status in ("sent", "cancelled") for r in stopped)
        assert all(
            r.sent_at < datetime(2027, 2, 2, tzinfo=timezone.utc) for r in stopped if r.status == "sent"
        )

    moroccan = people_by_id[people[0]]
    sent = {r.dedupe_key.split(":")[2]: r.sent_at for r in rows if r.user_id == moroccan.id}
    # 18:00 in Morocco is 17:00 UTC in January (UTC+1) and 18:00 UTC during Ramadan 2027 (UTC+0).
    assert sent["pre_departure.italian_course_start"] == datetime(2027, 1, 10, 17, 0, tzinfo=timezone.utc)
    assert sent["pre_departure.soft_skills"] == datetime(2027, 2, 8, 18, 0, tzinfo=timezone.utc)
    # The departure moved to 2 March after the visa step was sent: the checklist follows it, nothing twice.
    assert sent["pre_departure.departure_checklist"] == datetime(2027, 2, 27, 18, 0, tzinfo=timezone.utc)
    assert sent["pre_departure.visa_documents"] == datetime(2027, 1, 15, 10, 0, tzinfo=timezone.utc)
    with database.session() as session:
        assert outbox.status(session, clock()).counts == {
            "sent": 19 * 3 + len([r for r in stopped if r.status == "sent"]),
            "cancelled": len([r for r in stopped if r.status == "cancelled"]),
        }
