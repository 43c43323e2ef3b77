"""What makes the local WhatsApp fake refuse a send: errors a test asks for, and Meta's sending limits.

Two limits: the phone number's throughput (messages a second, 80 by default; over it Meta answers 130429)
and the pair rate (one message to one person every 6 seconds, with a burst allowance; over it, 131056).
Breaches are counted whether or not they are enforced, so that a benchmark can run with the limits off and
still see whether it would have been refused; per-second counts of accepted sends are kept for the figures.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

THROUGHPUT = 130429
PAIR_RATE = 131056


@dataclass
class Fault:
    """An error code to answer instead of success, ``times`` times, to one recipient or to all."""

    code: int
    times: int
    recipient: str | None = None
    mode: str = "sync"  # "sync": an HTTP error; "async": accepted, then a failed status webhook

    def matches(self, keys: set[str]) -> bool:
        return self.recipient is None or self.recipient in keys


@dataclass
class SendLimits:
    """The limits, the recent sends they are judged on, and what was seen."""

    per_second: float = 80.0
    pair_seconds: float = 6.0
    pair_burst: int = 1
    enforce: bool = False
    recent: deque[float] = field(default_factory=deque)
    pair_tokens: dict[str, tuple[float, float]] = field(default_factory=dict)  # person: (tokens, at)
    last_to: dict[str, float] = field(default_factory=dict)
    breaches: Counter[int] = field(default_factory=Counter)
    per_second_counts: Counter[int] = field(default_factory=Counter)
    min_pair_gap: float | None = None
    started: float | None = None

    def configure(self, body: dict[str, Any]) -> None:
        """Set limits from a test's request; sends seen so far are forgotten."""
        self.per_second = float(body.get("per_second", self.per_second))
        self.pair_seconds = float(body.get("pair_seconds", self.pair_seconds))
        self.pair_burst = int(body.get("pair_burst", self.pair_burst))
        self.enforce = bool(body.get("enforce", True))
        self.recent.clear()
        self.pair_tokens.clear()
        self.last_to.clear()
        self.breaches.clear()
        self.per_second_counts.clear()
        self.min_pair_gap = None
        self.started = None

    def refuses(self, person: str, now: float) -> int | None:
        """The error code with which Meta would refuse one more message to ``person`` now, or None.

        A message that goes through (limits met, or not enforced) is recorded.
        """
        while self.recent and self.recent[0] <= now - 1.0:
            self.recent.popleft()
        code = None
        if len(self.recent) >= self.per_second:
            code = THROUGHPUT
        tokens, at = self.pair_tokens.get(person, (float(self.pair_burst), now))
        tokens = min(float(self.pair_burst), tokens + (now - at) / self.pair_seconds)
        if code is None and tokens < 1.0:
            code = PAIR_RATE
        if code is not None:
            self.breaches[code] += 1
            if self.enforce:
                return code
        self.pair_tokens[person] = (max(0.0, tokens - 1.0), now)
        self.recent.append(now)
        last = self.last_to.get(person)
        if last is not None:
            gap = now - last
            self.min_pair_gap = gap if self.min_pair_gap is None else min(self.min_pair_gap, gap)
        self.last_to[person] = now
        wall = time.time()
        if self.started is None:
            self.started = wall
        self.per_second_counts[int(wall - self.started)] += 1
        return None

    def figures(self) -> dict[str, Any]:
        """What ``/test/stats`` reports of the limits."""
        counts = self.per_second_counts
        return {
            "limits": {
                "per_second": self.per_second,
                "pair_seconds": self.pair_seconds,
                "pair_burst": self.pair_burst,
                "enforce": self.enforce,
            },
            "breaches": {str(k): v for k, v in sorted(self.breaches.items())},
            "per_second": [counts.get(second, 0) for second in range(max(counts) + 1)] if counts else [],
            "max_per_second": max(counts.values()) if counts else 0,
            "min_pair_gap": self.min_pair_gap,
        }
