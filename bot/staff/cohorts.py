"""Cohort management: create, show, set a date, enroll and remove people, import a CSV, preview timelines.

Every change that can move a reminder re-plans the people it concerns in the same transaction.
People are named ``channel:external_id`` (``telegram:123456789``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.settings import REPLY_LANGUAGES
from bot.staff.errors import StaffError
from bot.staff.people_file import CHANNELS, EXTERNAL_ID, listing, read_people
from bot.storage import cohorts, outbox_plans, users
from bot.storage.db import Database, chunked
from bot.storage.models import Cohort, Enrollment, HelpRequest, OutboxMessage
from scheduler.reminders import Planner, reminder_key
from scheduler.timing import zone


@dataclass(frozen=True)
class Person:
    """A person named on the command line or in a CSV row."""

    channel: str
    external_id: str


def parse_person(text: str) -> Person:
    """``telegram:123`` → Person; ``StaffError`` when malformed."""
    channel, sep, external_id = text.partition(":")
    if not sep or channel not in CHANNELS or not EXTERNAL_ID.fullmatch(external_id):
        raise StaffError(f"{text!r}: write a person as channel:id, the channel one of {', '.join(CHANNELS)}")
    return Person(channel, external_id)


def parse_date(name: str, text: str) -> date:
    """The ISO date given for the date ``name``; ``StaffError`` naming it otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise StaffError(f"{name}: {text[:40]!r} is not a date like 2027-03-15") from None


class CohortTools:
    """The cohort subcommands over one database."""

    def __init__(self, database: Database, planner: Planner, clock: Callable[[], datetime]) -> None:
        self.database = database
        self.planner = planner
        self.clock = clock

    def create(self, code: str, programme: str, city: str, timezone: str, dates: dict[str, str]) -> str:
        """A new cohort."""
        _check_zone(timezone)
        days = {name: parse_date(name, value) for name, value in dates.items()}
        with self.database.session() as session:
            try:
                cohort = cohorts.create(session, code, programme, city, timezone, days, self.clock())
            except cohorts.CohortError as error:
                raise StaffError(str(error)) from None
            return f"cohort {cohort.code} created; people join with the link payload cohort_{cohort.code}"

    def show(self, code: str) -> str:
        """The cohort's dates, people, messages by state and open help requests."""
        with self.database.session() as session:
            cohort = self._cohort(session, code)
            people = session.scalar(
                select(func.count()).select_from(Enrollment).where(Enrollment.cohort_id == cohort.id)
            )
            states = Counter(
                dict(
                    session.execute(
                        select(OutboxMessage.status, func.count())
                        .where(OutboxMessage.cohort_id == cohort.id)
                        .group_by(OutboxMessage.status)
                    ).all()
                )
            )
            help_requests = session.scalar(
                select(func.count())
                .select_from(HelpRequest)
                .join(Enrollment, Enrollment.user_id == HelpRequest.user_id)
                .where(Enrollment.cohort_id == cohort.id, HelpRequest.handled_at.is_(None))
            )
            lines = [f"cohort {cohort.code}: {cohort.programme}, {cohort.city} ({cohort.timezone})"]
            lines += [
                f"  {name}: {day}" for name, day in sorted(cohorts.dates_of(cohort).items(), key=_by_day)
            ]
            lines.append(f"people: {people}")
            lines.append("reminders: " + (", ".join(f"{k} {v}" for k, v in sorted(states.items())) or "none"))
            lines.append(f"open help requests: {help_requests}")
            return "\n".join(lines)

    def set_date(self, code: str, name: str, value: str) -> str:
        """Set or move one date and re-plan everyone in the cohort."""
        day = parse_date(name, value)
        with self.database.session() as session, outbox_plans.large_write(session):
            cohort = self._cohort(session, code)
            try:
                cohorts.set_date(cohort, name, day)
            except cohorts.CohortError as error:
                raise StaffError(str(error)) from None
            session.flush()
            counts = self.planner.plan_cohort(session, cohort, self.clock())
        return f"{code}: {name} is {day}; reminders {_counts(counts)}"

    def enroll(self, code: str, who: str, timezone: str | None = None, language: str | None = None) -> str:
        """Put a person in the cohort (creating them if new; again to change their time zone or language)
        and plan their reminders."""
        person = parse_person(who)
        if timezone:
            _check_zone(timezone)
        if language and language not in REPLY_LANGUAGES:
            raise StaffError(f"language must be one of {', '.join(REPLY_LANGUAGES)}")
        with self.database.session() as session:
            cohort = self._cohort(session, code)
            member = cohorts.Member(person.channel, person.external_id, timezone, language)
            (user_id,) = cohorts.enroll_many(session, cohort, [member], self.clock())
            self.planner.plan_person(session, user_id, self.clock())
            planned = session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.user_id == user_id, OutboxMessage.status == "pending")
            )
        return f"{who} is in {code}; {planned} reminders pending"

    def remove(self, code: str, who: str) -> str:
        """Take a person out of the cohort; what was pending for them in it is dropped."""
        person = parse_person(who)
        with self.database.session() as session:
            cohort = self._cohort(session, code)
            user = users.find(session, person.channel, person.external_id)
            if user is None or not cohorts.remove(session, cohort, user.id):
                raise StaffError(f"{who} is not in {code}")
            self.planner.unplan(session, cohort, user.id)
        return f"{who} left {code}"

    def import_csv(self, path: Path) -> str:
        """Enroll everyone in a CSV file, or nobody: every bad line is reported with its number. Large files
        go in batches of ``CHUNK`` people, all in one transaction."""
        with self.database.session() as session:
            codes = {c.code for c in cohorts.all_cohorts(session)}
        found = read_people(path, codes)
        by_cohort: dict[str, list[cohorts.Member]] = {}
        for (code, _, _), (_, member) in found.people.items():
            by_cohort.setdefault(code, []).append(member)
        now = self.clock()
        with self.database.session() as session, outbox_plans.large_write(session):
            for code, members in by_cohort.items():
                cohort = self._cohort(session, code)
                ids = cohorts.enroll_many(session, cohort, members, now)
                for batch in chunked(ids):
                    self.planner.plan_cohort(session, cohort, now, batch)
        report = f"imported {len(found.people)} people into {len(by_cohort)} cohorts"
        if found.duplicates:
            report += "\n" + listing(found.duplicates, "duplicates") + "\n(each person counted once)"
        return report

    def preview(self, code: str) -> str:
        """Each person's timeline in their local time, and where each reminder stands."""
        with self.database.session() as session:
            cohort = self._cohort(session, code)
            states = dict(
                session.execute(
                    select(OutboxMessage.dedupe_key, OutboxMessage.status).where(
                        OutboxMessage.cohort_id == cohort.id
                    )
                ).all()
            )
            lines = []
            for person in cohorts.members(session, cohort):
                where = person.timezone or cohort.timezone
                lines.append(f"{person.channel}:{person.external_id} ({where})")
                for item in self.planner.timeline(cohort, person):
                    local = item.due.astimezone(zone(item.zone or where))
                    status = states.get(reminder_key(cohort, item, person), "not planned")
                    lines.append(f"  {local:%a %Y-%m-%d %H:%M %Z}  {item.ref:<42} {status}")
            return "\n".join(lines) or f"{code} has nobody yet"

    @staticmethod
    def _cohort(session: Session, code: str) -> Cohort:
        try:
            return cohorts.get(session, code)
        except cohorts.CohortError as error:
            raise StaffError(str(error)) from None


def _by_day(item: tuple[str, date]) -> date:
    return item[1]


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{value} {key}" for key, value in counts.items())


def _check_zone(name: str) -> None:
    try:
        zone(name)
    except ValueError as error:
        raise StaffError(str(error)) from None
