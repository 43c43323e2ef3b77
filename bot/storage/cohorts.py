"""Cohorts and who is in them. Their named dates are what reminder plans count from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.storage.models import Cohort, Enrollment, User

COHORT_DATES = (
    "selection_result",
    "training_start",
    "departure",
    "arrival",
    "traineeship_start",
    "traineeship_end",
    "return",
)
# Dates computed from others, so that a plan can say "half-way through the traineeship".
DERIVED_DATES = ("traineeship_midpoint",)


class CohortError(ValueError):
    """A cohort operation that cannot be done as asked (unknown code, bad date name...)."""


def create(
    session: Session,
    code: str,
    programme: str,
    city: str,
    timezone: str,
    dates: dict[str, date],
    now: datetime,
) -> Cohort:
    """A new cohort; its code must be unused."""
    if find(session, code) is not None:
        raise CohortError(f"cohort {code!r} already exists")
    for name in dates:
        _check_name(name)
    cohort = Cohort(
        code=code,
        programme=programme,
        city=city,
        timezone=timezone,
        dates={name: day.isoformat() for name, day in dates.items()},
        created_at=now,
    )
    session.add(cohort)
    session.flush()
    return cohort


def find(session: Session, code: str) -> Cohort | None:
    """The cohort with this code, if any."""
    return session.execute(select(Cohort).where(Cohort.code == code)).scalar_one_or_none()


def get(session: Session, code: str) -> Cohort:
    """The cohort with this code; ``CohortError`` when there is none."""
    cohort = find(session, code)
    if cohort is None:
        raise CohortError(f"no cohort {code!r}")
    return cohort


def set_date(cohort: Cohort, name: str, day: date) -> None:
    """Set or move one named date."""
    _check_name(name)
    cohort.dates = {**cohort.dates, name: day.isoformat()}


def dates_of(cohort: Cohort) -> dict[str, date]:
    """The cohort's dates, derived ones included."""
    days = {name: date.fromisoformat(value) for name, value in cohort.dates.items()}
    start, end = days.get("traineeship_start"), days.get("traineeship_end")
    if start is not None and end is not None:
        days["traineeship_midpoint"] = start + (end - start) / 2
    return days


def enroll(session: Session, cohort: Cohort, user: User, now: datetime) -> bool:
    """Put the person in the cohort; False when they already were."""
    existing = session.execute(
        select(Enrollment).where(Enrollment.cohort_id == cohort.id, Enrollment.user_id == user.id)
    ).scalar_one_or_none()
    if existing is not None:
        return False
    session.add(Enrollment(cohort_id=cohort.id, user_id=user.id, enrolled_at=now))
    session.flush()
    return True


def remove(session: Session, cohort: Cohort, user_id: str) -> bool:
    """Take the person out of the cohort; False when they were not in it."""
    result = session.execute(
        delete(Enrollment).where(Enrollment.cohort_id == cohort.id, Enrollment.user_id == user_id)
    )
    return bool(result.rowcount)


def members(session: Session, cohort: Cohort, user_ids: Sequence[str] | None = None) -> list[User]:
    """The people in the cohort (only those of ``user_ids`` when given), in the order they joined."""
    query = (
        select(User)
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.cohort_id == cohort.id)
        .order_by(Enrollment.id)
    )
    if user_ids is not None:
        query = query.where(User.id.in_(user_ids))
    return list(session.execute(query).scalars())


def cohorts_of(session: Session, user_id: str) -> list[Cohort]:
    """The cohorts a person is in."""
    query = (
        select(Cohort)
        .join(Enrollment, Enrollment.cohort_id == Cohort.id)
        .where(Enrollment.user_id == user_id)
    )
    return list(session.execute(query).scalars())


def all_cohorts(session: Session) -> list[Cohort]:
    """Every cohort, oldest first."""
    return list(session.execute(select(Cohort).order_by(Cohort.id)).scalars())


def _check_name(name: str) -> None:
    if name not in COHORT_DATES:
        raise CohortError(f"unknown date {name!r}; the dates are: {', '.join(COHORT_DATES)}")
