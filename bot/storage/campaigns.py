"""Campaigns and the people who arrived through their links.

A person is counted once per campaign, at their first arrival through it; ``first`` marks those for whom
it was their first contact with the bot through any link (their ``users.source`` was still empty).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.storage.audiences import consent_of, language_of
from bot.storage.broadcast_models import Campaign, CampaignContact
from bot.storage.models import User


def add(session: Session, code: str, name: str, by: str, now: datetime) -> Campaign:
    """A new campaign; the caller has checked that the code is free."""
    campaign = Campaign(code=code, name=name, created_by_email=by, created_at=now)
    session.add(campaign)
    session.flush()
    return campaign


def find(session: Session, code: str) -> Campaign | None:
    """The campaign with this code (exactly as written)."""
    return session.execute(select(Campaign).where(Campaign.code == code)).scalar_one_or_none()


def everything(session: Session) -> list[Campaign]:
    """Every campaign, newest first."""
    return list(session.execute(select(Campaign).order_by(Campaign.id.desc())).scalars())


def attribute(session: Session, user: User, link: str, now: datetime) -> Campaign | None:
    """Note that ``user`` arrived through ``link`` when it is a campaign's code; the person's source is kept
    from their first link. Returns the campaign, if any."""
    first = user.source is None
    if first:
        user.source = link
    campaign = find(session, link)
    if campaign is None:
        return None
    known = session.get(CampaignContact, (campaign.id, user.id))
    if known is None:
        session.add(CampaignContact(campaign_id=campaign.id, user_id=user.id, at=now, first=int(first)))
        session.flush()
    return campaign


@dataclass(frozen=True)
class Reached:
    """People who arrived through a campaign on one day (UTC), in one language and channel."""

    day: date
    language: str
    channel: str
    people: int
    first_contacts: int
    news_subscribers: int


def reached(session: Session, campaign_id: int, default_language: str) -> list[Reached]:
    """Per day, language and channel: people reached, first contacts, and how many have news consent now."""
    day = func.substr(CampaignContact.at, 1, 10)
    if session.get_bind().dialect.name == "postgresql":
        day = func.to_char(func.timezone("UTC", CampaignContact.at), "YYYY-MM-DD")
    language = language_of(default_language)
    news = consent_of("news")
    query = (
        select(
            day.label("day"),
            language.label("language"),
            User.channel,
            func.count(),
            func.sum(CampaignContact.first),
            func.sum(case((news.is_(True), 1), else_=0)),
        )
        .join(User, User.id == CampaignContact.user_id)
        .where(CampaignContact.campaign_id == campaign_id)
        .group_by("day", "language", User.channel)
        .order_by("day", "language", User.channel)
    )
    return [
        Reached(date.fromisoformat(str(d)), lang, channel, int(n), int(first or 0), int(subscribed or 0))
        for d, lang, channel, n, first, subscribed in session.execute(query)
    ]
