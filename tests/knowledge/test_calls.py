"""Deadlines are computed when asked, from the calls data and the clock."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from bot.core.render import Renderer
from knowledge import calls, loader
from knowledge.model import Call

ROME = ZoneInfo("Europe/Rome")


def _call(opens: datetime | None, closes: datetime, countries: tuple[str, ...] = ("MA", "TN")) -> Call:
    title = {lang: f"Call {lang}" for lang in ("fr", "ar", "en", "it")}
    return Call("c1", "TEST", title, countries, (), opens, closes, "Europe/Rome", "https://example.org")


def _renderer(at: datetime, *shipped: Call) -> Renderer:
    kb, _ = loader.load()
    return Renderer(dataclasses.replace(kb, calls=shipped), lambda: at)


def test_an_open_call_says_how_many_days_are_left_in_rome_time() -> None:
    call = _call(datetime(2026, 2, 1, tzinfo=ROME), datetime(2026, 3, 12, 23, 59, tzinfo=ROME))
    now = datetime(2026, 3, 7, 9, 0, tzinfo=timezone.utc)
    text = _renderer(now, call).deadline("en", None)
    assert "closes in 5 days, on March 12, 2026 at 23:59 (Rome time)" in text
    assert "12 mars 2026 à 23:59 (heure de Rome)" in _renderer(now, call).deadline("fr", None)


def test_the_last_hours_are_counted_in_hours() -> None:
    call = _call(None, datetime(2026, 3, 12, 23, 59, tzinfo=ROME))
    now = datetime(2026, 3, 12, 15, 0, tzinfo=timezone.utc)
    assert "closes in 7 hours" in _renderer(now, call).deadline("en", None)


def test_no_open_call_names_the_last_one_and_offers_to_notify() -> None:
    call = _call(None, datetime(2022, 9, 9, 23, 59, tzinfo=ROME))
    text = _renderer(datetime(2026, 11, 22, tzinfo=timezone.utc), call).deadline("en", None)
    assert text.startswith("No call is open right now.")
    assert "closed on September 9, 2022" in text
    assert "tell you if a new call opens" in text


def test_an_upcoming_call_gives_its_opening_date() -> None:
    call = _call(datetime(2027, 1, 10, 9, 0, tzinfo=ROME), datetime(2027, 2, 10, 23, 59, tzinfo=ROME))
    text = _renderer(datetime(2026, 11, 22, tzinfo=timezone.utc), call).deadline("en", None)
    assert "Next call: Call en. It opens on January 10, 2027 at 09:00 (Rome time)." in text


def test_status_filters_by_the_persons_country() -> None:
    now = datetime(2026, 3, 1, tzinfo=timezone.utc)
    call = _call(None, datetime(2026, 3, 12, tzinfo=ROME), countries=("TN",))
    assert calls.status([call], now, "TN").open == (call,)
    assert calls.status([call], now, "MA").open == ()
    assert calls.status([call], now, None).open == (call,)


def test_the_shipped_data_has_no_open_call_today() -> None:
    kb, _ = loader.load()
    status = calls.status(kb.calls, datetime(2026, 11, 22, tzinfo=timezone.utc))
    assert status.open == () and status.upcoming is None and status.last_closed is not None
