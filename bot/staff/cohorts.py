"""Cohort management: create, show, set a date, enroll and remove people, import a CSV, preview timelines.

Every change that can move a reminder re-plans the people it concerns in the same transaction.
People are named ``channel:external_id`` (``telegram:123456789``).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.settings import REPLY_LANGUAGES
from bot.storage import cohorts, users
from bot.storage.db import Database
from bot.storage.models import Cohort, HelpRequest, OutboxMessage, User
from scheduler.reminders import Planner, reminder_key
from scheduler.timing import zone

CHANNELS = ("telegram", "whatsapp")
CSV_COLUMNS = ("cohort", "channel", "external_id")
CSV_OPTIONAL = ("timezone", "language")
MAX_CSV_BYTES = 10_000_000
_EXTERNAL_ID = re.compile(r"[A-Za-z0-9_+-]{1,64}")


class StaffError(ValueError):
    """A request staff must correct; the message says how."""


@dataclass(frozen=True)
class Person:
    """A person named on the command line or in a CSV row."""

    channel: str
    external_id: str


def parse_person(text: str) -> Person:
    """``telegram:123`` → Person; ``StaffError`` when malformed."""
    channel, sep, external_id = text.partition(":")
    if not sep or channel not in CHANNELS or not _EXTERNAL_ID.fullmatch(external_id):
        raise StaffError(f"{text!r}: write a person as channel:id, the channel one of {', '.join(CHANNELS)}")
    return Person(channel, external_id)


def parse_date(text: str) -> date:
    """An ISO date; ``StaffError`` otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise StaffError(f"{text!r} is not a date like 2027-03-15") from None


class CohortTools:
    """The cohort subcommands over one database."""

    def __init__(self, database: Database, planner: Planner, clock: Callable[[], datetime]) -> None:
        self.database = database
        self.planner = planner
        self.clock = clock

    def create(self, code: str, programme: str, city: str, timezone: str, dates: dict[str, str]) -> str:
        """A new cohort."""
        _check_zone(timezone)
        days = {name: parse_date(value) for name, value in dates.items()}
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
            people = cohorts.members(session, cohort)
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
                .where(HelpRequest.user_id.in_([p.id for p in people]), HelpRequest.handled_at.is_(None))
            )
            lines = [f"cohort {cohort.code}: {cohort.programme}, {cohort.city} ({cohort.timezone})"]
            lines += [
                f"  {name}: {day}" for name, day in sorted(cohorts.dates_of(cohort).items(), key=_by_day)
            ]
            lines.append(f"people: {len(people)}")
            lines.append("reminders: " + (", ".join(f"{k} {v}" for k, v in sorted(states.items())) or "none"))
            lines.append(f"open help requests: {help_requests}")
            return "\n".join(lines)

    def set_date(self, code: str, name: str, value: str) -> str:
        """Set or move one date and re-plan everyone in the cohort."""
        day = parse_date(value)
        with self.database.session() as session:
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
            added = self._enroll(session, cohort, person, timezone, language)
            self.planner.plan_person(session, added.id, self.clock())
            planned = session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.user_id == added.id, OutboxMessage.status == "pending")
            )
        return f"{who} is in {code}; {planned} reminders pending"

    def _enroll(
        self, session: Session, cohort: Cohort, person: Person, timezone: str | None, language: str | None
    ) -> User:
        user = users.get_or_create(session, person.channel, person.external_id, self.clock())
        if timezone:
            user.timezone = timezone
        if language:
            user.chosen_language = language
        cohorts.enroll(session, cohort, user, self.clock())
        return user

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
        """Enroll everyone in a CSV file, or nobody: every bad line is reported with its number."""
        rows = _read_csv(path)
        with self.database.session() as session:
            known = {c.code: c for c in cohorts.all_cohorts(session)}
            problems = [
                f"line {number}: {problem}" for number, row in rows for problem in _row_problems(row, known)
            ]
            if problems:
                raise StaffError("nothing imported:\n" + "\n".join(problems))
            enrolled: dict[str, list[str]] = {}
            for _, row in rows:
                person = Person(row["channel"], row["external_id"])
                user = self._enroll(
                    session,
                    known[row["cohort"]],
                    person,
                    row.get("timezone") or None,
                    row.get("language") or None,
                )
                enrolled.setdefault(row["cohort"], []).append(user.id)
            for code, ids in enrolled.items():
                self.planner.plan_cohort(session, known[code], self.clock(), ids)
        return f"imported {len(rows)} people into {len(enrolled)} cohorts"

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


def _read_csv(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The CSV's rows with their line numbers; ``StaffError`` when the file itself is unusable."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise StaffError(f"cannot read {path}: {error.strerror}") from None
    if len(raw) > MAX_CSV_BYTES:
        raise StaffError(f"{path} is larger than {MAX_CSV_BYTES // 1_000_000} MB; split it")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StaffError(f"{path} is not a UTF-8 text file (save it as CSV UTF-8)") from None
    if "\x00" in text:
        raise StaffError(f"{path} is not a text file")
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise StaffError(
            f"line 1: the header needs the columns {', '.join(CSV_COLUMNS)} (missing: {', '.join(missing)})"
        )
    unknown = [c for c in header if c not in CSV_COLUMNS + CSV_OPTIONAL]
    if unknown:
        raise StaffError(f"line 1: unknown columns {', '.join(unknown)}")
    reader.fieldnames = header
    try:
        rows = [
            (reader.line_num, {k: (v or "").strip() for k, v in row.items() if k is not None})
            for row in reader
        ]
    except csv.Error as error:
        raise StaffError(f"line {reader.line_num}: {error}") from None
    if not rows:
        raise StaffError(f"{path} has a header but no people")
    return rows


def _row_problems(row: dict[str, str], known: dict[str, Cohort]) -> list[str]:
    problems = []
    if row.get("cohort") not in known:
        problems.append(f"no cohort {row.get('cohort')!r}")
    if row.get("channel") not in CHANNELS:
        problems.append(f"channel must be one of {', '.join(CHANNELS)}")
    if not _EXTERNAL_ID.fullmatch(row.get("external_id", "")):
        problems.append("external_id must be 1-64 of letters, digits, _ + -")
    if row.get("timezone"):
        try:
            zone(row["timezone"])
        except ValueError as error:
            problems.append(str(error))
    if row.get("language") and row["language"] not in REPLY_LANGUAGES:
        problems.append(f"language must be one of {', '.join(REPLY_LANGUAGES)}")
    return problems
