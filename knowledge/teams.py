"""The mentor teams (``knowledge/teams.yml``): which team a ticket goes to, and when a team is next at work.

Pure functions of the file and a timezone-aware ``now``, so routing and the promise made to the person ("the
team answers from Monday 08:30") are tested on fixed dates without a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from knowledge.loader import KNOWLEDGE_DIR
from knowledge.model import REPLY_LANGUAGES

TEAMS_FILE = KNOWLEDGE_DIR / "teams.yml"
SAVED_REPLIES_FILE = KNOWLEDGE_DIR / "saved_replies.yml"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
COUNTRIES = ("MA", "TN", "IT")


class TeamsError(ValueError):
    """The teams or saved-replies file is wrong; the message names the team or reply and the field."""


@dataclass(frozen=True)
class Team:
    """One team: who it serves, its working hours (weekday index → (start, end)) in ``zone``."""

    id: str
    name: str
    zone: str
    countries: tuple[str, ...]
    languages: tuple[str, ...]
    topics: tuple[str, ...]
    hours: dict[int, tuple[time, time]]
    first_response: timedelta

    def next_open(self, now: datetime) -> datetime:
        """``now`` when the team is at work, else when it next starts (in its own zone)."""
        local = now.astimezone(ZoneInfo(self.zone))
        for days in range(8):
            day = (local + timedelta(days=days)).date()
            window = self.hours.get(day.weekday())
            if window is None:
                continue
            start = datetime.combine(day, window[0], ZoneInfo(self.zone))
            end = datetime.combine(day, window[1], ZoneInfo(self.zone))
            if local < end:
                return max(start, local)
        raise TeamsError(f"{self.id}: hours: no working day in the week")

    def is_open(self, now: datetime) -> bool:
        """Whether the team is at work at ``now``."""
        return self.next_open(now) == now.astimezone(ZoneInfo(self.zone))


@dataclass(frozen=True)
class Teams:
    """Every team, in the file's order."""

    teams: tuple[Team, ...]

    def get(self, team_id: str) -> Team | None:
        """The team with this id, if any."""
        return next((t for t in self.teams if t.id == team_id), None)

    def route(self, country: str | None, language: str | None, topic: str | None) -> Team:
        """The team that fits best: its country first, then the topic it lists, then the language."""
        fitting = [t for t in self.teams if country is None or country in t.countries] or list(self.teams)

        def score(team: Team) -> tuple[int, int]:
            return (int(topic is not None and topic in team.topics), int(language in team.languages))

        specialised = [t for t in fitting if not t.topics or (topic is not None and topic in t.topics)]
        return max(specialised or fitting, key=score)


def _clock(text: str, where: str) -> time:
    try:
        hours, minutes = (int(part) for part in text.split(":"))
        return time(hours, minutes)
    except ValueError:
        raise TeamsError(f"{where}: {text!r} is not a time like 09:00") from None


def _hours(raw: dict[str, str], where: str) -> dict[int, tuple[time, time]]:
    hours = {}
    for day, span in (raw or {}).items():
        if day not in WEEKDAYS:
            raise TeamsError(f"{where}: hours: {day!r} is not one of {', '.join(WEEKDAYS)}")
        start, sep, end = str(span).partition("-")
        opening, closing = _clock(start, f"{where}: hours.{day}"), _clock(end, f"{where}: hours.{day}")
        if not sep or opening >= closing:
            raise TeamsError(f"{where}: hours.{day}: write START-END, like 09:00-17:00")
        hours[WEEKDAYS.index(day)] = (opening, closing)
    if not hours:
        raise TeamsError(f"{where}: hours: at least one working day")
    return hours


def _team(raw: dict[str, object], topics: Sequence[str]) -> Team:
    where = f"team {raw.get('id')!r}"
    try:
        ZoneInfo(str(raw["zone"]))
    except Exception:
        raise TeamsError(f"{where}: zone: {raw.get('zone')!r} is not a time zone") from None
    countries = tuple(str(c) for c in raw.get("countries") or ())  # type: ignore[attr-defined]
    languages = tuple(str(c) for c in raw.get("languages") or ())  # type: ignore[attr-defined]
    listed = tuple(str(c) for c in raw.get("topics") or ())  # type: ignore[attr-defined]
    for field, values, allowed in (
        ("countries", countries, COUNTRIES),
        ("languages", languages, REPLY_LANGUAGES),
        ("topics", listed, topics),
    ):
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise TeamsError(f"{where}: {field}: unknown {', '.join(unknown)}")
    if not countries:
        raise TeamsError(f"{where}: countries: at least one")
    target = raw.get("first_response_hours")
    if not isinstance(target, int) or target <= 0:
        raise TeamsError(f"{where}: first_response_hours: a whole number of hours above 0")
    return Team(
        str(raw["id"]),
        str(raw["name"]),
        str(raw["zone"]),
        countries,
        languages,
        listed,
        _hours(raw.get("hours"), where),  # type: ignore[arg-type]
        timedelta(hours=target),
    )


def load(topics: Sequence[str], path: Path = TEAMS_FILE) -> Teams:
    """Read and check the teams file against the knowledge base's ``topics``; ``TeamsError`` on a mistake."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    teams = tuple(_team(item, topics) for item in raw["teams"])
    ids = [t.id for t in teams]
    if not teams or len(set(ids)) != len(ids):
        raise TeamsError("teams: at least one, each id once")
    return Teams(teams)


def load_saved_replies(path: Path = SAVED_REPLIES_FILE) -> dict[str, dict[str, str]]:
    """Saved replies: id → reply language → text, every reply in every reply language."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["replies"]
    replies = {}
    for key, texts in raw.items():
        missing = [language for language in REPLY_LANGUAGES if not (texts or {}).get(language)]
        if missing:
            raise TeamsError(f"saved reply {key!r}: missing {', '.join(missing)}")
        replies[str(key)] = {language: str(texts[language]).strip() for language in REPLY_LANGUAGES}
    return replies
