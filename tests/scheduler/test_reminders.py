"""Materialising and re-planning reminders, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select, update

from bot.core.commands import Commands
from bot.core.messages import InboundMessage
from bot.staff.outbox import outbox_status
from bot.storage import cohorts, personal_data
from bot.storage.db import Database
from bot.storage.models import Cohort, Enrollment, HelpRequest, OutboxMessage, User
from knowledge.model import KnowledgeBase
from scheduler.reminders import Planner
from tests.scheduler.conftest import Clock, cohort_with_people

STEPS = 19


def _rows(database: Database, user_id: str) -> dict[str, OutboxMessage]:
    with database.session() as session:
        query = select(OutboxMessage).where(OutboxMessage.user_id == user_id)
        return {row.dedupe_key.split(":")[2]: row for row in session.execute(query).scalars()}


def _plan(database: Database, planner: Planner, cohort_id: int, now: datetime) -> dict[str, int]:
    with database.session() as session:
        return planner.plan_cohort(session, session.get(Cohort, cohort_id), now)


def test_enrolling_plans_every_step_once_and_planning_again_changes_nothing(
    database: Database, planner: Planner, clock: Clock
) -> None:
    cohort_id, [person] = cohort_with_people(database, clock, [None])
    assert _plan(database, planner, cohort_id, clock())["added"] == STEPS
    assert _plan(database, planner, cohort_id, clock()) == {
        "added": 0,
        "moved": 0,
        "cancelled": 0,
        "removed": 0,
    }
    rows = _rows(database, person)
    assert len(rows) == STEPS and {r.status for r in rows.values()} == {"pending"}


def test_moving_a_date_moves_what_is_pending_and_leaves_what_was_sent(
    database: Database, planner: Planner, clock: Clock
) -> None:
    cohort_id, [person] = cohort_with_people(database, clock, [None])
    _plan(database, planner, cohort_id, clock())
    before = _rows(database, person)
    with database.session() as session:  # the visa reminder went out already
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == before["pre_departure.visa_documents"].id)
            .values(status="sent", sent_at=clock())
        )
        cohort = session.get(Cohort, cohort_id)
        cohorts.set_date(cohort, "departure", date(2027, 3, 8))
    assert _plan(database, planner, cohort_id, clock())["moved"] == 1
    after = _rows(database, person)
    assert len(after) == STEPS
    assert (
        after["pre_departure.visa_documents"].not_before == before["pre_departure.visa_documents"].not_before
    )
    assert after["pre_departure.departure_checklist"].not_before == (
        before["pre_departure.departure_checklist"].not_before + timedelta(days=7)
    )


def test_a_new_time_zone_re_plans_and_a_removed_date_drops_its_steps(
    database: Database, planner: Planner, clock: Clock
) -> None:
    cohort_id, [person] = cohort_with_people(database, clock, [None])
    _plan(database, planner, cohort_id, clock())
    before = _rows(database, person)
    with database.session() as session:
        session.get(Cohort, cohort_id).dates = {
            k: v for k, v in session.get(Cohort, cohort_id).dates.items() if k != "return"
        }
        session.get(User, person).timezone = "Africa/Tunis"
    counts = _plan(database, planner, cohort_id, clock())
    after = _rows(database, person)
    assert counts["removed"] == 5 and len(after) == STEPS - 5
    # 10:00 in Tunis (UTC+1) is an hour before 10:00 in Casablanca (UTC+0 during Ramadan 2027).
    step = "pre_departure.selection_welcome"
    assert after[step].not_before == before[step].not_before  # both UTC+1 in December
    assert after["arrival.welcome"].not_before == before["arrival.welcome"].not_before  # Italian time
    assert after["pre_departure.soft_skills"].not_before == before[
        "pre_departure.soft_skills"
    ].not_before - timedelta(hours=1)


def test_a_late_enrolment_skips_steps_long_past(database: Database, planner: Planner, clock: Clock) -> None:
    cohort_id, [person] = cohort_with_people(database, clock, [None])
    _plan(database, planner, cohort_id, datetime(2027, 3, 5, tzinfo=timezone.utc))
    assert min(r.not_before for r in _rows(database, person).values()) >= datetime(
        2027, 3, 5, tzinfo=timezone.utc
    )
    assert "pre_departure.selection_welcome" not in _rows(database, person)


def test_stop_leaves_nothing_pending_and_consenting_again_plans_again(
    database: Database, knowledge: KnowledgeBase, planner: Planner, clock: Clock
) -> None:
    cohort_id, [person] = cohort_with_people(database, clock, [None])
    _plan(database, planner, cohort_id, clock())
    commands = Commands(database, knowledge, clock, planner)
    commands.run(person, InboundMessage("telegram", "x", "stop", "command"))
    assert {r.status for r in _rows(database, person).values()} == {"cancelled"}
    assert _plan(database, planner, cohort_id, clock())["added"] == 0  # staff re-planning does not undo /stop
    commands.run(person, InboundMessage("telegram", "x", "consent", "command", argument="reminders"))
    assert {r.status for r in _rows(database, person).values()} == {"pending"}
    assert len(_rows(database, person)) == STEPS


def test_a_check_in_answer_and_deleting_everything(
    database: Database, knowledge: KnowledgeBase, planner: Planner, clock: Clock
) -> None:
    cohort_id, [person] = cohort_with_people(database, clock, [None])
    _plan(database, planner, cohort_id, clock())
    commands = Commands(database, knowledge, clock, planner)
    reply = commands.run(
        person,
        InboundMessage("telegram", "x", "checkin", "command", argument="help return_mentoring.checkin_30"),
    )
    assert reply.payloads[0]["string"] == "checkin_help_recorded"
    with database.session() as session:
        [request] = session.execute(select(HelpRequest)).scalars()
        assert (request.user_id, request.step) == (person, "return_mentoring.checkin_30")
        personal_data.forget(session, person)
    with database.session() as session:
        for table in (OutboxMessage, Enrollment, HelpRequest):
            assert session.scalar(select(func.count()).select_from(table)) == 0


def test_outbox_status_counts_states_and_says_how_late_the_oldest_due_message_is(
    database: Database, planner: Planner, clock: Clock
) -> None:
    cohort_id, _ = cohort_with_people(database, clock, [None, None])
    _plan(database, planner, cohort_id, clock())
    assert outbox_status(database, clock()) == "outbox: pending 38\nnothing is due"
    later = datetime(2026, 12, 2, 11, 30, tzinfo=timezone.utc)  # the welcome was due at 09:00 UTC
    assert outbox_status(database, later) == (
        "outbox: pending 38\noldest due since 2026-12-02 09:00 UTC (2 h 30 min ago)"
    )
