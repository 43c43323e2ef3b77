"""When a step falls in a person's local time, moved out of quiet hours.

Times are built in the person's zone with ``zoneinfo`` (the ``tzdata`` package carries Morocco's Ramadan
offset changes), then stored in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
ZONES_OF_COUNTRIES = {"MA": "Africa/Casablanca", "TN": "Africa/Tunis", "IT": "Europe/Rome"}


def parse_clock(value: str) -> time:
    """``"18:00"`` → 18:00; ``ValueError`` for anything else."""
    match = _CLOCK.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"{value!r} is not a time of day like 18:00")
    return time(int(match.group(1)), int(match.group(2)))


def zone(name: str) -> ZoneInfo:
    """The IANA zone; ``ValueError`` naming it when it does not exist."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a time zone such as Africa/Casablanca") from None


@dataclass(frozen=True)
class QuietHours:
    """Hours when nobody gets a message, in their own time (``start`` may be after ``end``: overnight)."""

    start: time = time(21, 0)
    end: time = time(9, 0)

    @classmethod
    def parse(cls, value: str) -> QuietHours:
        """``"21:00-09:00"``; ``ValueError`` for anything else."""
        start, sep, end = value.partition("-")
        if not sep:
            raise ValueError(f"{value!r} is not a range like 21:00-09:00")
        return cls(parse_clock(start), parse_clock(end))

    def contains(self, moment: time) -> bool:
        """Whether a local time of day is quiet."""
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def move_out(self, local: datetime) -> datetime:
        """The same moment, or the end of the quiet hours it falls in (local, aware)."""
        if not self.contains(local.timetz().replace(tzinfo=None)):
            return local
        day = local.date()
        if self.start > self.end and local.time() >= self.start:
            day += timedelta(days=1)
        return datetime.combine(day, self.end, tzinfo=local.tzinfo)


def due_at(day: date, offset_days: int, at: time, where: ZoneInfo, quiet: QuietHours) -> datetime:
    """The UTC moment of ``at`` local time, ``offset_days`` from ``day``, outside quiet hours."""
    local = datetime.combine(day + timedelta(days=offset_days), at, tzinfo=where)
    return quiet.move_out(local).astimezone(timezone.utc)


def soonest_outside(now: datetime, where: ZoneInfo, quiet: QuietHours) -> datetime:
    """``now``, or the end of the quiet hours it falls in for someone in ``where`` (UTC)."""
    return quiet.move_out(now.astimezone(where)).astimezone(timezone.utc)


def person_zone(own: str | None, country: str | None, default: str) -> ZoneInfo:
    """Where a person lives: their own (or their cohort's) zone, else their country's, else ``default``."""
    return zone(own or ZONES_OF_COUNTRIES.get(country or "", default))
