"""The outbox as staff see it: how many messages in each state, and how late the oldest due one is."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.storage import outbox
from bot.storage.db import Database


def outbox_status(database: Database, now: datetime) -> str:
    """Counts by state and the oldest message that is due."""
    with database.session() as session:
        status = outbox.status(session, now)
    counts = ", ".join(f"{state} {count}" for state, count in sorted(status.counts.items())) or "empty"
    oldest = (
        "nothing is due"
        if status.oldest_due is None
        else (
            f"oldest due since {status.oldest_due:%Y-%m-%d %H:%M} UTC ({_age(now - status.oldest_due)} ago)"
        )
    )
    given_up = sorted((status.reasons or {}).items())
    why = "".join(f"\n  {state}: {count} ({reason})" for (state, reason), count in given_up)
    return f"outbox: {counts}{why}\n{oldest}"


def _age(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    return (
        f"{seconds // 3600} h {seconds % 3600 // 60} min"
        if seconds >= 3600
        else f"{seconds // 60} min {seconds % 60} s"
    )
