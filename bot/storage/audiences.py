"""Who a segment reaches, in SQL: one grouped query for a preview, one for the list of recipients.

A person's reply language is the one the dispatcher renders in (chosen, else detected, else the default).
Their consent to a purpose is the newest decision (a correlated subquery on ``consents.user_id``); they
are reachable unless the platform said they blocked the bot. On WhatsApp, a person is outside the 24-hour
window when their last message is older than the window's start (or they never wrote).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from bot.storage.models import Cohort, Consent, Enrollment, User
from scheduler.timing import ZONES_OF_COUNTRIES


@dataclass(frozen=True)
class Segment:
    """People matching every given key (AND); within a key, any of its values (OR). Empty: any."""

    country: tuple[str, ...] = ()
    city: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    channel: tuple[str, ...] = ()
    cohort: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    purpose: str = "news"
    active_since: datetime | None = None  # wrote at or after
    inactive_since: datetime | None = None  # has not written since (or never)


@dataclass(frozen=True)
class Group:
    """People of one language and channel, by whether they can get the broadcast."""

    language: str
    channel: str
    reachable: bool
    consent: bool | None
    outside_window: bool
    count: int


def language_of(default_language: str) -> Any:
    """The reply language the dispatcher will render in."""
    return func.coalesce(User.chosen_language, User.reply_language, literal(default_language))


def consent_of(purpose: str) -> Any:
    """The person's decision in force for ``purpose`` (NULL when undecided)."""
    return (
        select(Consent.granted)
        .where(Consent.user_id == User.id, Consent.purpose == purpose)
        .order_by(Consent.at.desc(), Consent.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _where(segment: Segment, language: Any) -> list[Any]:
    clauses: list[Any] = []
    if segment.country:
        clauses.append(User.country.in_(segment.country))
    if segment.city:
        clauses.append(func.lower(User.city).in_([c.lower() for c in segment.city]))
    if segment.language:
        clauses.append(language.in_(segment.language))
    if segment.channel:
        clauses.append(User.channel.in_(segment.channel))
    if segment.source:
        clauses.append(User.source.in_(segment.source))
    if segment.cohort:
        members = (
            select(Enrollment.user_id)
            .join(Cohort, Cohort.id == Enrollment.cohort_id)
            .where(Cohort.code.in_(segment.cohort))
        )
        clauses.append(User.id.in_(members))
    if segment.active_since is not None:
        clauses.append(User.last_inbound_at >= segment.active_since)
    if segment.inactive_since is not None:
        clauses.append(or_(User.last_inbound_at.is_(None), User.last_inbound_at < segment.inactive_since))
    return clauses


def _outside(window_start: datetime) -> Any:
    return and_(
        User.channel == "whatsapp",
        or_(User.last_inbound_at.is_(None), User.last_inbound_at < window_start),
    )


def breakdown(
    session: Session, segment: Segment, default_language: str, window_start: datetime
) -> list[Group]:
    """Everyone the segment matches, counted by language, channel, reachability, consent and window."""
    language = language_of(default_language).label("language")
    reachable = case((User.unreachable_at.is_(None), 1), else_=0).label("reachable")
    consent = consent_of(segment.purpose).label("consent")
    outside = case((_outside(window_start), 1), else_=0).label("outside")
    inner = select(language, User.channel, reachable, consent, outside).where(*_where(segment, language))
    rows = inner.subquery()
    query = select(
        rows.c.language, rows.c.channel, rows.c.reachable, rows.c.consent, rows.c.outside, func.count()
    ).group_by(rows.c.language, rows.c.channel, rows.c.reachable, rows.c.consent, rows.c.outside)
    return [
        Group(lang, channel, bool(reach), None if given is None else bool(given), bool(out), int(n))
        for lang, channel, reach, given, out, n in session.execute(query)
    ]


def zone_of(default_zone: str) -> Any:
    """The zone a person's messages are timed in: their own, else their first cohort's, else their
    country's, else ``default_zone``."""
    home = (
        select(Cohort.timezone)
        .join(Enrollment, Enrollment.cohort_id == Cohort.id)
        .where(Enrollment.user_id == User.id)
        .order_by(Enrollment.id)
        .limit(1)
        .scalar_subquery()
    )
    by_country = case(
        *((User.country == country, literal(name)) for country, name in ZONES_OF_COUNTRIES.items()),
        else_=literal(default_zone),
    )
    return func.coalesce(User.timezone, home, by_country)


def eligible(segment: Segment, default_language: str) -> list[Any]:
    """The WHERE clauses of the people a broadcast goes to: the segment, reachable, consent in force."""
    return [
        *_where(segment, language_of(default_language)),
        User.unreachable_at.is_(None),
        consent_of(segment.purpose).is_(True),
    ]


def zones(session: Session, where: list[Any], default_zone: str) -> dict[str, int]:
    """How many of the people ``where`` selects are in each zone."""
    zone = zone_of(default_zone).label("zone")
    query = select(zone, func.count()).where(*where).group_by(zone)
    return {name: int(n) for name, n in session.execute(query)}
