"""The saved checklist of the eligibility check: kept only when the person asks, ticked off item by item,
and the passport reminder it may plan (an outbox row like every other proactive message)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.actions import say
from bot.storage import consents, outbox
from bot.storage.models import Checklist, User
from scheduler.timing import ZONES_OF_COUNTRIES, QuietHours, due_at, zone

PASSPORT_REMINDER = "reminder_passport_renew"
REMINDER_AT = time(10, 0)
REMIND_DAYS_BEFORE = 60  # two months before the visa should be asked for: time to renew a passport


@dataclass(frozen=True)
class Saved:
    """A checklist as the person keeps it."""

    answers: dict[str, Any]
    items: list[str]
    ticked: list[str]
    office: str
    passport_expiry: str | None
    planned_start: str | None


def save(
    session: Session,
    user_id: str,
    answers: dict[str, Any],
    items: list[str],
    office: str,
    passport_expiry: str | None,
    planned_start: str | None,
    now: datetime,
) -> None:
    """Keep (or replace) the person's checklist; items already ticked stay ticked."""
    row = session.get(Checklist, user_id)
    if row is None:
        row = Checklist(user_id=user_id, ticked=[], saved_at=now)
        session.add(row)
    row.answers, row.items, row.office = answers, items, office
    row.ticked = [item for item in (row.ticked or []) if item in items]
    row.passport_expiry, row.planned_start, row.updated_at = passport_expiry, planned_start, now


def get(session: Session, user_id: str) -> Saved | None:
    """The person's saved checklist, if any."""
    row = session.get(Checklist, user_id)
    if row is None:
        return None
    return Saved(
        dict(row.answers),
        list(row.items),
        list(row.ticked),
        row.office,
        row.passport_expiry,
        row.planned_start,
    )


def tick(session: Session, user_id: str, item: str, now: datetime) -> bool:
    """Tick an item off (again: untick it); False when there is no such item on the person's list."""
    row = session.get(Checklist, user_id)
    if row is None or item not in row.items:
        return False
    ticked = list(row.ticked)
    row.ticked = [i for i in ticked if i != item] if item in ticked else [*ticked, item]
    row.updated_at = now
    return True


def export(session: Session, user_id: str) -> dict[str, Any] | None:
    """The saved checklist as plain data, for the person's export."""
    saved = get(session, user_id)
    if saved is None:
        return None
    return {
        "answers": saved.answers,
        "documents": [{"item": i, "done": i in saved.ticked} for i in saved.items],
        "visa_office": saved.office,
        "passport_expiry": saved.passport_expiry,
        "planned_start": saved.planned_start,
    }


def forget(session: Session, user_id: str) -> None:
    """Delete the person's checklist."""
    session.execute(delete(Checklist).where(Checklist.user_id == user_id))


def plan_passport_reminder(
    session: Session,
    user_id: str,
    expiry: date,
    renew_by: date,
    now: datetime,
    quiet: QuietHours,
    default_zone: str = "Africa/Casablanca",
) -> datetime | None:
    """Plan one reminder to renew the passport, 60 days before the visa should be asked for (or tomorrow
    when that is past), only with the person's consent to reminders; returns when it is due."""
    user = session.get(User, user_id)
    if user is None or user.unreachable_at is not None:
        return None
    if not consents.latest_decisions(session, "reminders", [user_id]).get(user_id, False):
        return None
    where = zone(user.timezone or ZONES_OF_COUNTRIES.get(user.country or "", default_zone))
    today = now.astimezone(where).date()
    day = max(renew_by - timedelta(days=REMIND_DAYS_BEFORE), today + timedelta(days=1))
    due = due_at(day, 0, REMINDER_AT, where, quiet)
    message = outbox.Planned(
        dedupe_key=f"passport:{user_id}:{expiry.isoformat()}",
        user_id=user_id,
        channel=user.channel,
        kind="reminder",
        message_key=PASSPORT_REMINDER,
        not_before=due,
        content=[say.dated(PASSPORT_REMINDER, {"expiry": expiry.isoformat()})],
    )
    outbox.enqueue_once(session, [message], now)
    return due
