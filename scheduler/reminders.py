"""Materialising plans: each person of a cohort gets one outbox row per plan step, in their local time.

Re-running is the way to re-plan: after a cohort date, a plan or a person's time zone changed, the rows
still pending move to their new time, rows for steps that no longer apply go, sent rows are left alone,
and the dedupe key (cohort, plan step, person) keeps every step to one row. People who withdrew consent to
reminders or blocked the bot get nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.actions import say
from bot.storage import cohorts, consents, outbox, outbox_plans
from bot.storage.db import chunked
from bot.storage.models import Cohort, User
from scheduler.plans import Plan, Step
from scheduler.timing import QuietHours, due_at, zone

KIND = "reminder"
# A step whose time passed less than this long ago is still sent (a late enrolment, a short outage).
GRACE = timedelta(hours=6)


@dataclass(frozen=True)
class TimelineItem:
    """One step of one person's timeline."""

    plan: Plan
    step: Step
    due: datetime

    @property
    def zone(self) -> str | None:
        """The zone the step is timed in when the plan fixes one (Italy), else None: the person's."""
        return self.plan.timezone

    @property
    def ref(self) -> str:
        """``plan.step``, as shown to staff and carried by check-in buttons."""
        return f"{self.plan.name}.{self.step.id}"


class Planner:
    """Turns the plans into each person's reminders and keeps those in step with changes."""

    def __init__(self, plans: Sequence[Plan], quiet: QuietHours) -> None:
        self.plans = tuple(plans)
        self.quiet = quiet

    def timeline(self, cohort: Cohort, user: User) -> list[TimelineItem]:
        """Every step that applies to the person (the cohort has its date), in time order."""
        return self._timeline(cohorts.dates_of(cohort), user.timezone or cohort.timezone)

    def _timeline(self, days: dict[str, date], home: str) -> list[TimelineItem]:
        """The timeline of everyone whose zone is ``home``: the same for all of them."""
        items = [
            TimelineItem(
                plan,
                step,
                due_at(days[step.date], step.offset_days, step.at, zone(plan.timezone or home), self.quiet),
            )
            for plan in self.plans
            for step in plan.steps
            if step.date in days
        ]
        return sorted(items, key=lambda item: item.due)

    def plan_cohort(
        self, session: Session, cohort: Cohort, now: datetime, user_ids: Sequence[str] | None = None
    ) -> dict[str, int]:
        """Bring the reminders of the cohort's people (or of ``user_ids``) in line; return counts."""
        totals = {"added": 0, "moved": 0, "cancelled": 0, "removed": 0}
        days = cohorts.dates_of(cohort)
        timelines: dict[str, list[TimelineItem]] = {}  # by zone: worked out once per zone, not per person
        for people in chunked(cohorts.members(session, cohort, user_ids)):
            ids = [p.id for p in people]
            allowed = _reminders_allowed(session, ids)
            by_zone: dict[str, list[str]] = {}
            for person in people:
                if person.id in allowed:
                    by_zone.setdefault(person.timezone or cohort.timezone, []).append(person.id)
            desired = []
            for home, members in by_zone.items():
                if home not in timelines:
                    timelines[home] = self._timeline(days, home)
                desired += [_series(cohort, item, members) for item in timelines[home]]
            scope = _in_cohort(cohort) & (outbox.TABLE.c.kind == KIND) & outbox.TABLE.c.user_id.in_(ids)
            counts = outbox_plans.sync_planned(session, scope, desired, now, now - GRACE)
            totals = {key: totals[key] + counts[key] for key in totals}
        return totals

    def plan_person(self, session: Session, user_id: str, now: datetime) -> None:
        """Re-plan one person in every cohort they are in."""
        for cohort in cohorts.cohorts_of(session, user_id):
            self.plan_cohort(session, cohort, now, [user_id])

    def plan_everyone(self, session: Session, now: datetime) -> None:
        """Re-plan every cohort (at start-up, so that edited plans take effect)."""
        for cohort in cohorts.all_cohorts(session):
            self.plan_cohort(session, cohort, now)

    def unplan(self, session: Session, cohort: Cohort, user_id: str) -> None:
        """Drop what is pending for one person in one cohort (they left it)."""
        outbox.drop_pending(session, _in_cohort(cohort) & (outbox.TABLE.c.user_id == user_id))


def _series(cohort: Cohort, item: TimelineItem, user_ids: Sequence[str]) -> outbox_plans.Series:
    """One step of the cohort for the people of one zone."""
    return outbox_plans.Series(
        prefix=key_prefix(cohort, item),
        kind=KIND,
        message_key=item.step.message,
        not_before=item.due,
        content=[say.string(item.step.message), *_quick_replies(item)],
        user_ids=user_ids,
        cohort_id=cohort.id,
    )


def key_prefix(cohort: Cohort, item: TimelineItem) -> str:
    """The dedupe key of a cohort's step, less the person's id at its end."""
    return f"{KIND}:{cohort.code}:{item.ref}:"


def reminder_key(cohort: Cohort, item: TimelineItem, person: User) -> str:
    """The dedupe key of one person's reminder for one step of one cohort."""
    return key_prefix(cohort, item) + person.id


def _in_cohort(cohort: Cohort) -> Any:
    """The cohort's rows, for a query that also names its people: written ``cohort_id + 0`` so that the
    database looks them up by person. SQLite, with no statistics, would otherwise take the cohort's index and
    read every row of the cohort for each batch of people (an import of 343,000 people read 700 million)."""
    return (outbox.TABLE.c.cohort_id + 0) == cohort.id


def _quick_replies(item: TimelineItem) -> list[say.Payload]:
    """The step's buttons; each command carries the step, so an answer says which check-in it answers."""
    if not item.step.quick_replies:
        return []
    choices = []
    for reply in item.step.quick_replies:
        command, _, argument = reply.command.partition(" ")
        choices.append(say.command_button(reply.label, command, f"{argument} {item.ref}".strip()))
    return [say.buttons(*choices)]


def _reminders_allowed(session: Session, user_ids: Sequence[str]) -> set[str]:
    """The people who may get reminders: reachable, and not having withdrawn consent to them."""
    reachable = set(
        session.execute(select(User.id).where(User.id.in_(user_ids), User.unreachable_at.is_(None))).scalars()
    )
    latest = consents.latest_decisions(session, "reminders", user_ids)
    return {user_id for user_id in reachable if latest.get(user_id, True)}
