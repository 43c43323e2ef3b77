"""Call alerts: each subscriber to news hears once when a call opens and once N days before it closes.

A pass looks at the calls as the file says now and adds outbox rows keyed by (call id, alert, person), so a
reloaded or edited file never sends an alert twice. Only the nearest closing alert is planned: someone who
subscribes two days before a call closes gets "closes in 2 days", not also the 7-day one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.actions import say
from bot.storage import consents, outbox
from bot.storage.db import chunked
from bot.storage.models import User
from knowledge import calls
from knowledge.model import Call
from scheduler.timing import QuietHours, person_zone, soonest_outside

KIND = "call_alert"


def plan_alerts(
    session: Session,
    now: datetime,
    current_calls: Iterable[Call],
    closing_days: Sequence[int],
    quiet: QuietHours,
    default_timezone: str,
) -> int:
    """Add the alerts due at ``now`` for every open call; return how many were added."""
    open_calls = calls.status(current_calls, now).open
    if not open_calls:
        return 0
    people = _subscribers(session)
    planned: list[outbox.Planned] = []
    for call in open_calls:
        alerts = [("opened", "call_opened_intro")]
        nearest = min((d for d in closing_days if now >= call.closes - timedelta(days=d)), default=None)
        if nearest is not None:
            alerts.append((f"closes-{nearest}d", "call_closing_intro"))
        for person in people:
            if call.countries and person.country and person.country not in call.countries:
                continue
            where = person_zone(person.timezone, person.country, default_timezone)
            for alert, intro in alerts:
                planned.append(
                    outbox.Planned(
                        dedupe_key=f"{KIND}:{call.id}:{alert}:{person.id}",
                        user_id=person.id,
                        channel=person.channel,
                        kind=KIND,
                        message_key=intro,
                        not_before=soonest_outside(now, where, quiet),
                        content=[say.string(intro), say.open_call(call.id)],
                    )
                )
    return outbox.enqueue_once(session, planned, now)


def _subscribers(session: Session) -> list[User]:
    """Reachable people whose newest decision on news is yes."""
    subscribed = [
        user_id for user_id, granted in consents.latest_decisions(session, "news").items() if granted
    ]
    found: list[User] = []
    for chunk in chunked(subscribed):
        found += session.execute(
            select(User).where(User.id.in_(chunk), User.unreachable_at.is_(None))
        ).scalars()
    return found
