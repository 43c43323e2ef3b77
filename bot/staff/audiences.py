"""Audiences of broadcasts: a segment written by staff, and a preview of who it reaches.

A segment is ``KEY=VALUE`` pairs joined by commas, all of which must hold (AND); a value may list
alternatives with ``|`` (``country=MA|TN``). Keys: ``country``, ``city``, ``language`` (reply language),
``channel``, ``cohort`` (code), ``source`` (campaign code or link payload), ``consent`` (``news``, the
default, or ``reminders`` for cohort notices), and the "last active" ranges ``active_within=30d`` (wrote in
the last 30 days) and ``inactive_for=90d`` (has not written for 90 days, or never). Only people whose
consent to that purpose is in force and who can be reached get a broadcast; the preview says how many are
left out and why, and how many on WhatsApp are outside the 24-hour window and need an approved template.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.channels.whatsapp_templates import TemplatesFile
from bot.settings import REPLY_LANGUAGES
from bot.staff.errors import StaffError
from bot.storage import audiences, templates
from bot.storage.audiences import Segment
from bot.storage.models import Cohort

KEYS = (
    "country", "city", "language", "channel", "cohort", "source", "consent", "active_within", "inactive_for",
)  # fmt: skip
CHANNELS = ("telegram", "whatsapp")
PURPOSES = ("news", "reminders")
WINDOW = timedelta(hours=24)
_COUNTRY = re.compile(r"[A-Z]{2}")
_CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_DAYS = re.compile(r"([1-9]\d{0,3})d")
_CITY = re.compile(r"[^\x00-\x1f,|=]{1,64}")


def parse(text: str) -> dict[str, list[str]]:
    """``'country=MA|TN,language=ary'`` → ``{"country": ["MA", "TN"], ...}`` checked; ``StaffError`` naming
    the key (or the piece) that is wrong."""
    pairs: dict[str, list[str]] = {}
    for piece in (p.strip() for p in text.split(",")):
        if not piece:
            continue
        key, sep, value = piece.partition("=")
        key = key.strip().lower()
        if not sep:
            raise StaffError(f"segment: {piece[:40]!r} is not KEY=VALUE")
        if key in pairs:
            raise StaffError(f"segment: {key} given twice; list alternatives as {key}=A|B")
        pairs[key] = [v.strip() for v in value.split("|")]
    return check(pairs)


def check(pairs: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """The segment with each key's values checked and written the canonical way."""
    checked: dict[str, list[str]] = {}
    for key, values in pairs.items():
        if key not in KEYS:
            raise StaffError(f"segment: {key[:30]!r} is not a key; use {', '.join(KEYS)}")
        values = [v for v in values if v]
        if not values:
            raise StaffError(f"segment {key}: no value")
        checked[key] = [_value(key, v) for v in values]
    if len(checked.get("consent", [])) > 1:
        raise StaffError("segment consent: one of news or reminders, not both")
    return checked


def _value(key: str, value: str) -> str:
    shown = value[:40]
    if key == "country":
        if not _COUNTRY.fullmatch(value.upper()):
            raise StaffError(f"segment country: {shown!r} is not a two-letter country code like MA")
        return value.upper()
    if key == "language" and value not in REPLY_LANGUAGES:
        raise StaffError(f"segment language: {shown!r} is not one of {', '.join(REPLY_LANGUAGES)}")
    if key == "channel" and value not in CHANNELS:
        raise StaffError(f"segment channel: {shown!r} is not one of {', '.join(CHANNELS)}")
    if key == "consent" and value not in PURPOSES:
        raise StaffError(f"segment consent: {shown!r} is not news or reminders")
    if key in ("cohort", "source") and not _CODE.fullmatch(value):
        raise StaffError(f"segment {key}: {shown!r} is not a code (letters, digits, _ and -)")
    if key in ("active_within", "inactive_for") and not _DAYS.fullmatch(value):
        raise StaffError(f"segment {key}: {shown!r} is not a number of days like 30d")
    if key == "city" and not _CITY.fullmatch(value):
        raise StaffError(f"segment city: {shown!r} is not a city name")
    return value


def purpose_of(pairs: Mapping[str, list[str]]) -> str:
    """The consent a broadcast to this segment needs."""
    return pairs.get("consent", ["news"])[0]


def written(pairs: Mapping[str, list[str]]) -> str:
    """The segment as staff write it."""
    return ",".join(f"{key}={'|'.join(values)}" for key, values in pairs.items()) or "everyone"


def segment(session: Session, pairs: Mapping[str, list[str]], now: datetime) -> Segment:
    """The storage query's segment at ``now`` (the "last active" ranges count back from it); a cohort
    that does not exist is refused."""
    cohorts = pairs.get("cohort", [])
    if cohorts:
        known = set(session.execute(select(Cohort.code).where(Cohort.code.in_(cohorts))).scalars())
        missing = [c for c in cohorts if c not in known]
        if missing:
            raise StaffError(f"segment cohort: no cohort {missing[0]!r}")

    def days(key: str) -> datetime | None:
        return now - timedelta(days=int(pairs[key][0][:-1])) if key in pairs else None

    return Segment(
        country=tuple(pairs.get("country", ())),
        city=tuple(pairs.get("city", ())),
        language=tuple(pairs.get("language", ())),
        channel=tuple(pairs.get("channel", ())),
        cohort=tuple(cohorts),
        source=tuple(pairs.get("source", ())),
        purpose=purpose_of(pairs),
        active_since=days("active_within"),
        inactive_since=days("inactive_for"),
    )


@dataclass(frozen=True)
class Preview:
    """Who a segment reaches, in counts: by language and channel; on WhatsApp, how many are outside the
    24-hour window at the send time, and in which languages the template they need is not approved (with
    how many people each); who is left out and why."""

    matched: int
    recipients: int
    by_language: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    outside_window: int = 0
    outside_by_language: dict[str, int] = field(default_factory=dict)
    template_missing: dict[str, str] = field(default_factory=dict)  # language → the template not approved
    template_missing_people: int = 0
    left_out: dict[str, int] = field(default_factory=dict)  # reason → people


def preview(
    session: Session,
    pairs: Mapping[str, list[str]],
    now: datetime,
    default_language: str,
    template_key: str,
    send_time: datetime | None = None,
) -> Preview:
    """Count who the segment reaches if sent at ``send_time`` (``now`` when None)."""
    purpose = purpose_of(pairs)
    groups = audiences.breakdown(
        session, segment(session, pairs, now), default_language, (send_time or now) - WINDOW
    )
    by_language: Counter[str] = Counter()
    by_channel: Counter[str] = Counter()
    outside: Counter[str] = Counter()
    left_out: Counter[str] = Counter()
    for group in groups:
        if not group.reachable:
            left_out["blocked the bot"] += group.count
        elif group.consent is False:
            left_out[f"withdrew consent to {purpose}"] += group.count
        elif group.consent is None:
            left_out[f"never consented to {purpose}"] += group.count
        else:
            by_language[group.language] += group.count
            by_channel[group.channel] += group.count
            if group.outside_window:
                outside[group.language] += group.count
    missing = _missing_templates(session, template_key, outside)
    return Preview(
        matched=sum(g.count for g in groups),
        recipients=sum(by_language.values()),
        by_language=dict(sorted(by_language.items())),
        by_channel=dict(sorted(by_channel.items())),
        outside_window=sum(outside.values()),
        outside_by_language=dict(sorted(outside.items())),
        template_missing=missing,
        template_missing_people=sum(outside[language] for language in missing),
        left_out=dict(sorted(left_out.items())),
    )


def _missing_templates(session: Session, template_key: str, outside: Mapping[str, int]) -> dict[str, str]:
    if not outside:
        return {}
    approved = templates.approved(session)
    file = TemplatesFile.load()
    missing = {}
    for language in sorted(outside):
        template = file.template(template_key, language)
        if template is None:
            missing[language] = f"no template for {template_key}"
        elif (template.name, template.code) not in approved:
            missing[language] = f"{template.name} ({template.code})"
    return missing
