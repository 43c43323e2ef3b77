"""When a broadcast goes to each person: now, one instant, or one wall-clock time in each person's own zone,
always moved out of quiet hours in that zone.

A person's zone is their own, else their cohort's, else their country's, else the default zone
(``bot.storage.audiences.zone_of``): everyone in one zone is due at the same moment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from bot.settings import DeliverySettings
from bot.staff.errors import StaffError
from scheduler.timing import ZONES_OF_COUNTRIES, QuietHours, soonest_outside, zone

AT_FORMAT = "%Y-%m-%d %H:%M"


def wall_clock(text: str) -> datetime:
    """``YYYY-MM-DD HH:MM`` as a wall-clock time; its zone is a placeholder the caller replaces."""
    return datetime.strptime(text, AT_FORMAT).replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Timing:
    """``now``; ``at`` one instant (``send_at``, UTC); ``local`` the wall-clock time ``local_at`` in each
    recipient's zone."""

    kind: str
    send_at: datetime | None = None
    local_at: str | None = None

    @classmethod
    def of(cls, row: Any) -> Timing:
        return cls(row.timing, row.send_at, row.local_at)

    def quiet_note(self, quiet: QuietHours) -> str | None:
        """A warning when a local time falls inside quiet hours (rows then wait until they end)."""
        if self.kind != "local" or self.local_at is None:
            return None
        if not quiet.contains(wall_clock(self.local_at).time()):
            return None
        return (
            f"{self.local_at[11:]} is inside quiet hours ({quiet.start:%H:%M}-{quiet.end:%H:%M}): "
            f"each person gets it at {quiet.end:%H:%M} their time"
        )

    def describe(self) -> str:
        """In words, for the commands' output."""
        if self.kind == "at" and self.send_at is not None:
            return f"at {self.send_at:%Y-%m-%d %H:%M} UTC"
        if self.kind == "local":
            return f"at {self.local_at} in each person's own zone"
        return "as soon as it is approved"


def parse_timing(at: str | None, local: bool, zone_name: str, now: datetime, default_zone: str) -> Timing:
    """The timing staff asked for; ``StaffError`` naming ``at`` or ``zone`` when it cannot be."""
    if at is None:
        if local:
            raise StaffError("local: needs --at 'YYYY-MM-DD HH:MM'")
        return Timing("now")
    try:
        naive = wall_clock(" ".join(at.split()))
    except ValueError:
        raise StaffError(f"at: {at[:40]!r} is not a time like 2026-12-05 10:00") from None
    if local:
        zones = {*ZONES_OF_COUNTRIES.values(), default_zone}
        if all(naive.replace(tzinfo=ZoneInfo(z)) <= now for z in zones):
            raise StaffError(f"at: {naive:{AT_FORMAT}} has passed in every zone")
        return Timing("local", local_at=f"{naive:{AT_FORMAT}}")
    try:
        where = zone(zone_name)
    except ValueError as error:
        raise StaffError(f"zone: {error}") from None
    send_at = naive.replace(tzinfo=where).astimezone(timezone.utc)
    if send_at <= now:
        raise StaffError(f"at: {naive:{AT_FORMAT}} ({zone_name}) is in the past")
    return Timing("at", send_at=send_at)


def zone_times(
    timing: Timing, zones: Iterable[str], now: datetime, delivery: DeliverySettings
) -> dict[str, datetime]:
    """The not-before time (UTC) of the people of each zone: the asked time, never before ``now``, out of
    quiet hours there. A zone name that is not one counts as the default zone."""
    times = {}
    for name in zones:
        try:
            where = zone(name)
        except ValueError:
            where = zone(delivery.default_timezone)
        if timing.kind == "local" and timing.local_at is not None:
            base = wall_clock(timing.local_at).replace(tzinfo=where).astimezone(timezone.utc)
        elif timing.kind == "at" and timing.send_at is not None:
            base = timing.send_at
        else:
            base = now
        times[name] = soonest_outside(max(base, now), where, delivery.quiet_hours)
    return times
