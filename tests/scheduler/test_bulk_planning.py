"""Planning a whole cohort at once (one INSERT ... SELECT per step and zone) makes exactly the rows that
planning its people one by one makes, and exactly each person's timeline; on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete, select, update

from bot.storage import consents
from bot.storage.db import Database
from bot.storage.models import Cohort, OutboxMessage, User
from scheduler.reminders import Planner, reminder_key
from tests.scheduler.conftest import Clock, cohort_with_people

ZONES = [None, "Africa/Tunis", "Europe/Rome", None, "Africa/Tunis", None, "Africa/Casablanca", None]
# Between the training start and departure: the steps long past are skipped, the others planned.
NOW = datetime(2027, 1, 20, 8, 0, tzinfo=timezone.utc)


def _outbox(database: Database) -> dict[str, tuple[Any, ...]]:
    """Every row by dedupe key, with everything but its id and creation time."""
    table = OutboxMessage.__table__
    with database.session() as session:
        rows = session.execute(select(table)).mappings().all()
    return {
        row["dedupe_key"]: tuple(row[c.name] for c in table.columns if c.name not in ("id", "created_at"))
        for row in rows
    }


def test_planning_a_cohort_at_once_makes_the_rows_of_planning_each_person(
    database: Database, planner: Planner, clock: Clock
) -> None:
    cohort_id, people = cohort_with_people(database, clock, ZONES)
    withdrew, blocked = people[3], people[5]
    with database.session() as session:
        consents.record(session, withdrew, "reminders", False, clock())
        session.execute(update(User).where(User.id == blocked).values(unreachable_at=clock()))

    with database.session() as session:
        counts = planner.plan_cohort(session, session.get(Cohort, cohort_id), NOW)
    at_once = _outbox(database)

    with database.session() as session:
        session.execute(delete(OutboxMessage))
        cohort = session.get(Cohort, cohort_id)
        one_by_one = sum(planner.plan_cohort(session, cohort, NOW, [p])["added"] for p in people)
    assert _outbox(database) == at_once and one_by_one == counts["added"] == len(at_once)

    with database.session() as session:
        cohort = session.get(Cohort, cohort_id)
        expected = {
            reminder_key(cohort, item, person): (person.id, "telegram", item.step.message, item.due)
            for person in session.execute(select(User).where(User.id.in_(people))).scalars()
            if person.id not in (withdrew, blocked)
            for item in planner.timeline(cohort, person)
            if item.due >= NOW.replace(hour=2)  # the grace of six hours
        }
    planned = {
        key: (row.user_id, row.channel, row.message_key, row.not_before)
        for key, row in _rows(database).items()
    }
    assert planned == expected and 0 < len(expected) < 6 * 19
    assert {row.status for row in _rows(database).values()} == {"pending"}
    check_ins = [row for row in _rows(database).values() if len(row.content) > 1]
    assert check_ins and all(
        row.dedupe_key.split(":")[2] in str(row.content[1]["buttons"]) for row in check_ins
    )


def test_re_planning_at_once_after_a_change_does_what_re_planning_each_person_does(
    database: Database, planner: Planner, clock: Clock
) -> None:
    cohort_id, people = cohort_with_people(database, clock, ZONES)

    def after_a_change(at_once: bool) -> tuple[dict[str, tuple[Any, ...]], dict[str, int]]:
        with database.session() as session:
            session.execute(delete(OutboxMessage))
            session.execute(update(User).where(User.id == people[0]).values(timezone=None))
            _set_departure(session.get(Cohort, cohort_id), "2027-03-01")
            planner.plan_cohort(session, session.get(Cohort, cohort_id), clock())
        with database.session() as session:  # a person moves, the departure too, and time passes
            session.execute(update(User).where(User.id == people[0]).values(timezone="Africa/Tunis"))
            _set_departure(session.get(Cohort, cohort_id), "2027-03-08")
        with database.session() as session:
            cohort = session.get(Cohort, cohort_id)
            if at_once:
                counts = planner.plan_cohort(session, cohort, NOW)
            else:
                each = [planner.plan_cohort(session, cohort, NOW, [p]) for p in people]
                counts = {key: sum(c[key] for c in each) for key in each[0]}
        return _outbox(database), counts

    rows, counts = after_a_change(at_once=True)
    assert after_a_change(at_once=False) == (rows, counts)
    assert counts["moved"] and counts["cancelled"] and not counts["added"]
    assert {row.status for row in _rows(database).values()} == {"pending", "cancelled"}


def _set_departure(cohort: Cohort, day: str) -> None:
    cohort.dates = {**cohort.dates, "departure": day}


def _rows(database: Database) -> dict[str, OutboxMessage]:
    with database.session() as session:
        rows = session.execute(select(OutboxMessage)).scalars().all()
        session.expunge_all()
    return {row.dedupe_key: row for row in rows}
