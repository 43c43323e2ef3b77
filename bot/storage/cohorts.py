"""Cohorts and who is in them. Their named dates are what reminder plans count from."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.storage.db import chunked
from bot.storage.models import Cohort, Enrollment, User, new_id

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
# Dates outside this range are typing mistakes, and the far ones overflow the reminder arithmetic.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
# The join link payload is cohort_<code>: Telegram allows A-Z a-z 0-9 _ - in a payload of at most 64.
CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")


@dataclass(frozen=True)
class Member:
    """Someone to put in a cohort, with the zone and reply language staff gave (None: leave as is)."""

    channel: str
    external_id: str
    timezone: str | None = None
    language: str | None = None


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
    """A new cohort; its code must be unused and fit the join link, its names their columns."""
    if not CODE.fullmatch(code):
        raise CohortError("code: must be 1-32 of letters, digits, _ and - (it goes into the join link)")
    for column, value in (("programme", programme), ("city", city), ("timezone", timezone)):
        check_length(Cohort, column, value)
    if find(session, code) is not None:
        raise CohortError(f"cohort {code!r} already exists")
    for name, day in dates.items():
        _check_date(name, day)
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
    _check_date(name, day)
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


def enroll_many(session: Session, cohort: Cohort, people: Sequence[Member], now: datetime) -> list[str]:
    """Put everyone in the cohort, creating who is new, in bulk statements of ``CHUNK`` people (an import of
    hundreds of thousands stays within every database's limits); return their user ids in order. A given
    zone or language replaces the person's; someone already in the cohort stays in once."""
    ids: list[str] = []
    for chunk in chunked(people):
        known = _users_by_address(session, chunk)
        created: list[dict[str, object]] = []
        for person in chunk:
            address = (person.channel, person.external_id)
            if address in known:
                _update_user(session, known[address], person)
                continue
            known[address] = new_id()
            created.append(
                {
                    "id": known[address],
                    "channel": person.channel,
                    "external_id": person.external_id,
                    "timezone": person.timezone,
                    "chosen_language": person.language,
                    "created_at": now,
                    "last_seen_at": now,
                }
            )
        if created:
            session.execute(User.__table__.insert(), created)
        chunk_ids = [known[(p.channel, p.external_id)] for p in chunk]
        enrolled = set(
            session.execute(
                select(Enrollment.user_id).where(
                    Enrollment.cohort_id == cohort.id, Enrollment.user_id.in_(chunk_ids)
                )
            ).scalars()
        )
        joining = [i for i in dict.fromkeys(chunk_ids) if i not in enrolled]
        if joining:
            session.execute(
                Enrollment.__table__.insert(),
                [{"cohort_id": cohort.id, "user_id": i, "enrolled_at": now} for i in joining],
            )
        ids.extend(chunk_ids)
    return ids


def _users_by_address(session: Session, people: Sequence[Member]) -> dict[tuple[str, str], str]:
    """The ids of those of ``people`` already known, by (channel, external id)."""
    found: dict[tuple[str, str], str] = {}
    for channel in {p.channel for p in people}:
        wanted = [p.external_id for p in people if p.channel == channel]
        rows = session.execute(
            select(User.id, User.external_id).where(User.channel == channel, User.external_id.in_(wanted))
        )
        found.update({(channel, external_id): user_id for user_id, external_id in rows})
    return found


def _update_user(session: Session, user_id: str, person: Member) -> None:
    values = {"timezone": person.timezone, "chosen_language": person.language}
    given = {key: value for key, value in values.items() if value}
    if given:
        session.execute(update(User.__table__).where(User.__table__.c.id == user_id).values(**given))


def remove(session: Session, cohort: Cohort, user_id: str) -> bool:
    """Take the person out of the cohort; False when they were not in it."""
    result = session.execute(
        delete(Enrollment).where(Enrollment.cohort_id == cohort.id, Enrollment.user_id == user_id)
    )
    return bool(result.rowcount)


def members(session: Session, cohort: Cohort, user_ids: Sequence[str] | None = None) -> list[User]:
    """The people in the cohort (only those of ``user_ids`` when given), in the order they joined."""
    query = (
        select(User, Enrollment.id)
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.cohort_id == cohort.id)
        .order_by(Enrollment.id)
    )
    if user_ids is None:
        return list(session.execute(query).scalars())
    rows = [row for chunk in chunked(user_ids) for row in session.execute(query.where(User.id.in_(chunk)))]
    return [user for user, _ in sorted(rows, key=_second)]


def _second(row: tuple[User, int]) -> int:
    return row[1]


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


def _check_date(name: str, day: date) -> None:
    if name not in COHORT_DATES:
        raise CohortError(f"unknown date {name!r}; the dates are: {', '.join(COHORT_DATES)}")
    if not FIRST_DAY <= day <= LAST_DAY:
        raise CohortError(f"{name}: {day.isoformat()} is outside {FIRST_DAY}..{LAST_DAY}")


def check_length(table: type[Cohort] | type[User], column: str, value: str) -> None:
    """Refuse a value longer than its column (read from the model, so the two cannot drift apart)."""
    limit = table.__table__.c[column].type.length
    if not value.strip():
        raise CohortError(f"{column}: must not be empty")
    if limit is not None and len(value) > limit:
        raise CohortError(f"{column}: {len(value)} characters, at most {limit}")
