"""Cohorts in storage: bulk enrolment within every database's limits, and values that fit their columns."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from bot import app
from bot.settings import Settings
from bot.storage import cohorts
from bot.storage.db import Database
from bot.storage.models import Enrollment, User

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)
# More ids than SQLite binds in one statement (32,766 since SQLite 3.32).
MANY = 40_000


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    opened = app.open_database(settings)
    yield opened
    opened.engine.dispose()


def test_forty_thousand_people_are_enrolled_and_listed_in_batches(database: Database) -> None:
    people = [cohorts.Member("telegram", str(5_000_000 + n)) for n in range(MANY)]
    with database.session() as session:
        cohort = cohorts.create(session, "BIG27", "MENTOR 3", "Tanger", "Africa/Casablanca", {}, NOW)
        ids = cohorts.enroll_many(session, cohort, people, NOW)
        listed = cohorts.members(session, cohort, ids[::-1])  # more ids than one statement may bind
    assert len(set(ids)) == MANY
    assert [u.external_id for u in listed] == [p.external_id for p in people]  # in the order they joined


def test_enrolling_again_keeps_the_person_and_updates_what_was_given(database: Database) -> None:
    with database.session() as session:
        cohort = cohorts.create(session, "TNG27", "MENTOR 3", "Tanger", "Africa/Casablanca", {}, NOW)
        other = cohorts.create(session, "TUN27", "MENTOR 3", "Tunis", "Africa/Tunis", {}, NOW)
        (first,) = cohorts.enroll_many(session, cohort, [cohorts.Member("telegram", "1", None, "ar")], NOW)
        again = cohorts.enroll_many(
            session,
            cohort,
            [cohorts.Member("telegram", "1", "Europe/Rome"), cohorts.Member("whatsapp", "1")],
            NOW,
        )
        cohorts.enroll_many(session, other, [cohorts.Member("telegram", "1")], NOW)
    assert again[0] == first and again[1] != first
    with database.session() as session:
        person = session.get(User, first)
        assert person is not None and (person.timezone, person.chosen_language) == ("Europe/Rome", "ar")
        assert session.scalar(select(func.count()).select_from(Enrollment)) == 3
        assert session.scalar(select(func.count()).select_from(User)) == 2


@pytest.mark.parametrize(
    ("code", "programme", "dates", "message"),
    [
        ("a'b", "P", {}, "code: must be 1-32"),
        ("A" * 33, "P", {}, "code: must be 1-32"),
        ("OK", "P" * 65, {}, "programme: 65 characters, at most 64"),
        ("OK", "P", {"departure": date(1, 1, 1)}, "departure: 0001-01-01 is outside 2000-01-01..2100-12-31"),
        ("OK", "P", {"return": date(2101, 1, 1)}, "return: 2101-01-01 is outside"),
    ],
)
def test_a_cohort_that_does_not_fit_is_refused(
    database: Database, code: str, programme: str, dates: dict[str, date], message: str
) -> None:
    with database.session() as session, pytest.raises(cohorts.CohortError, match=message):
        cohorts.create(session, code, programme, "C", "UTC", dates, NOW)


def test_moving_a_date_out_of_range_is_refused(database: Database) -> None:
    with database.session() as session:
        cohort = cohorts.create(session, "TNG27", "MENTOR 3", "Tanger", "UTC", {}, NOW)
        with pytest.raises(cohorts.CohortError, match="departure: 9999-12-31 is outside"):
            cohorts.set_date(cohort, "departure", date(9999, 12, 31))
        cohorts.set_date(cohort, "departure", date(2100, 12, 31))
        assert cohorts.dates_of(cohort) == {"departure": date(2100, 12, 31)}
