"""The teams file: routing a ticket to the team that fits, and when a team is next at work in its own zone."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from knowledge import loader, teams

TOPICS = list(loader.load()[0].entries)


@pytest.fixture(scope="module")
def loaded() -> teams.Teams:
    return teams.load(TOPICS)


@pytest.mark.parametrize(
    ("country", "language", "topic", "team"),
    [
        ("TN", "aeb", None, "tunis-sfax"),
        ("TN", "fr", "art27.visa", "tunis-sfax"),
        ("MA", "ary", "apply.how", "casablanca-benimellal"),
        ("TN", "aeb", "art27.permit", "milano-torino"),  # a topic the Italian team lists
        ("MA", "fr", "life.accommodation", "milano-torino"),
        (None, "aeb", None, "tunis-sfax"),  # no country known: the language decides
        (None, "ary", None, "casablanca-benimellal"),
        ("IT", "it", "art27.visa", "milano-torino"),
    ],
)
def test_a_ticket_goes_to_the_team_that_fits(loaded, country, language, topic, team) -> None:
    assert loaded.route(country, language, topic).id == team


def test_out_of_hours_the_next_opening_is_in_the_teams_zone(loaded) -> None:
    tunis = loaded.get("tunis-sfax")
    sunday = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)
    assert tunis.next_open(sunday) == datetime(2026, 11, 23, 8, 30, tzinfo=ZoneInfo("Africa/Tunis"))
    friday_afternoon = datetime(2026, 11, 27, 13, 30, tzinfo=timezone.utc)  # 14:30 in Tunis, after 13:00
    assert tunis.next_open(friday_afternoon) == datetime(2026, 11, 28, 9, 0, tzinfo=ZoneInfo("Africa/Tunis"))
    monday = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    assert tunis.is_open(monday) and not tunis.is_open(sunday)
    # Morocco: 09:00 local during Ramadan's offset change is still 09:00 on the wall clock.
    casablanca = loaded.get("casablanca-benimellal")
    ramadan = datetime(2027, 2, 15, 6, 0, tzinfo=timezone.utc)
    assert casablanca.next_open(ramadan).astimezone(ZoneInfo("Africa/Casablanca")).hour == 9


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("Africa/Tunis", "Mars/Olympus"), "zone"),
        (("[TN]", "[XX]"), "countries: unknown XX"),
        (('"08:30-16:30"', '"16:30-08:30"'), "hours.mon"),
        (("first_response_hours: 24", "first_response_hours: 0"), "first_response_hours"),
        (("art27.permit", "art27.nothing"), "topics: unknown art27.nothing"),
    ],
)
def test_a_mistake_in_the_file_is_named(tmp_path: Path, change, message) -> None:
    broken = tmp_path / "teams.yml"
    broken.write_text(teams.TEAMS_FILE.read_text(encoding="utf-8").replace(*change, 1), encoding="utf-8")
    with pytest.raises(teams.TeamsError, match=message):
        teams.load(TOPICS, broken)


def test_every_saved_reply_is_written_in_every_reply_language() -> None:
    replies = teams.load_saved_replies()
    assert replies and all(len(texts) == 6 and all(texts.values()) for texts in replies.values())
