"""Local times, quiet hours and Morocco's Ramadan offset."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from scheduler.timing import QuietHours, due_at, parse_clock

CASABLANCA = ZoneInfo("Africa/Casablanca")
QUIET = QuietHours()  # 21:00-09:00


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (time(18, 0), datetime(2027, 1, 10, 18, 0, tzinfo=CASABLANCA)),  # outside: unchanged
        (time(21, 30), datetime(2027, 1, 11, 9, 0, tzinfo=CASABLANCA)),  # evening: next morning
        (time(6, 0), datetime(2027, 1, 10, 9, 0, tzinfo=CASABLANCA)),  # early morning: the same morning
        (
            time(9, 0),
            datetime(2027, 1, 10, 9, 0, tzinfo=CASABLANCA),
        ),  # the end of the quiet hours is not quiet
    ],
)
def test_a_step_in_quiet_hours_moves_to_the_morning(local: time, expected: datetime) -> None:
    due = due_at(date(2027, 1, 10), 0, local, CASABLANCA, QUIET)
    assert due.astimezone(CASABLANCA) == expected


def test_quiet_hours_within_one_day_and_bad_ranges() -> None:
    lunch = QuietHours.parse("12:00-14:00")
    assert lunch.contains(time(13, 0)) and not lunch.contains(time(14, 0)) and not lunch.contains(time(23, 0))
    for bad in ("21:00", "25:00-09:00", "9-10", ""):
        with pytest.raises(ValueError):
            QuietHours.parse(bad)
    with pytest.raises(ValueError):
        parse_clock("18h")


def test_morocco_changes_offset_around_ramadan() -> None:
    """18:00 in Casablanca is 17:00 UTC in January 2027 and 18:00 UTC during Ramadan (mid-February)."""
    january = due_at(date(2027, 1, 20), 0, time(18, 0), CASABLANCA, QUIET)
    ramadan = due_at(date(2027, 2, 20), 0, time(18, 0), CASABLANCA, QUIET)
    assert january == datetime(2027, 1, 20, 17, 0, tzinfo=timezone.utc)
    assert ramadan == datetime(2027, 2, 20, 18, 0, tzinfo=timezone.utc)


def test_offsets_count_in_days_from_the_date() -> None:
    rome = ZoneInfo("Europe/Rome")
    assert due_at(date(2027, 3, 1), -45, time(11, 0), rome, QUIET) == datetime(
        2027, 1, 15, 10, 0, tzinfo=timezone.utc
    )
    assert due_at(date(2027, 3, 1), 30, time(11, 0), rome, QUIET) == datetime(
        2027, 3, 31, 9, 0, tzinfo=timezone.utc
    )
