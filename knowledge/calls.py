"""Where calls for applications stand at a given moment: open, coming, or none.

Computed each time someone asks, from ``calls.yml`` and the clock, so the answer is never stale.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from knowledge import loader
from knowledge.model import Call

logger = logging.getLogger(__name__)


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


class CallsFile:
    """``calls.yml`` while the bot runs: re-read when edited; a broken edit keeps the last good calls."""

    def __init__(self, calls: Iterable[Call], path: Path = loader.KNOWLEDGE_DIR / "calls.yml") -> None:
        self.path = path
        self._calls = tuple(calls)
        self._stamp = self._modified()

    def _modified(self) -> int | None:
        try:
            return self.path.stat().st_mtime_ns
        except OSError:
            return None

    def current(self) -> tuple[Call, ...]:
        """The calls as the file says now."""
        stamp = self._modified()
        if stamp != self._stamp:
            self._stamp = stamp
            calls, problems = loader.load_calls(self.path)
            if problems:
                logger.warning("calls file not reloaded: %d problems (see mentor kb validate)", len(problems))
            else:
                self._calls = tuple(calls)
                logger.info("calls file reloaded: %d calls", len(calls))
        return self._calls
