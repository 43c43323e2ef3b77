"""Where calls for applications stand at a given moment: open, coming, or none.

Computed each time someone asks, from ``calls.yml`` and the clock, so the answer is never stale.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from knowledge.model import Call


@dataclass(frozen=True)
class CallStatus:
    """The calls a person can act on now, the next to open, and the last to have closed."""

    open: tuple[Call, ...]
    upcoming: Call | None
    last_closed: Call | None


def status(calls: Iterable[Call], now: datetime, country: str | None = None) -> CallStatus:
    """Sort the calls relevant to ``country`` (all when unknown) around ``now`` (timezone-aware)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    relevant = [c for c in calls if country is None or not c.countries or country in c.countries]
    open_calls = sorted(
        (c for c in relevant if (c.opens is None or c.opens <= now) and now < c.closes),
        key=lambda c: c.closes,
    )
    upcoming = min((c for c in relevant if c.opens is not None and c.opens > now), key=_opens, default=None)
    closed = max((c for c in relevant if c.closes <= now), key=lambda c: c.closes, default=None)
    return CallStatus(open=tuple(open_calls), upcoming=upcoming, last_closed=closed)


def _opens(call: Call) -> datetime:
    assert call.opens is not None
    return call.opens
