"""Campaigns: a code, its links, QR posters, and who came through them.

The Telegram link is ``https://t.me/<bot>?start=<code>``; the WhatsApp link opens a chat with the bot's
number and the first message ``START <code>``, which the core takes as ``/start <code>``
(``bot.core.commands.campaign_link``). Either way the person's arrival is attributed to the campaign.
Posters are QR codes as SVG and PNG (segno) and an A4 SVG page in each console language with the call to
action; the page holds the campaign's name escaped, as text.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote
from xml.sax.saxutils import escape

import segno

from bot.staff.accounts import CONSOLE_LANGUAGES, Staff
from bot.staff.errors import StaffError
from bot.storage import audit, campaigns
from bot.storage.campaigns import Reached
from bot.storage.db import Database

CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
BOT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{4,31}")
PHONE = re.compile(r"[1-9]\d{6,14}")
FIRST_MESSAGE = "START {code}"
RESERVED = "cohort_"  # cohort links enrol people; a campaign code must not look like one
CALL_TO_ACTION = {
    "fr": ("Un stage en Italie ?", "Pose tes questions à Mentor, gratuit.", "Scanne : Telegram, WhatsApp"),
    "it": ("Un tirocinio in Italia?", "Fai le tue domande a Mentor, gratis.", "Inquadra: Telegram, WhatsApp"),
    "en": ("A traineeship in Italy?", "Ask Mentor your questions, for free.", "Scan: Telegram or WhatsApp"),
    "ar": ("تدريب في إيطاليا؟", "اطرح أسئلتك على منتور مجانًا.", "امسح الرمز: تيليغرام أو واتساب"),
}


@dataclass(frozen=True)
class CampaignView:
    """A campaign as staff see it."""

    id: int
    code: str
    name: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class Links:
    """The campaign's links: Telegram deep link and WhatsApp click-to-chat link with its first message."""

    telegram: str
    whatsapp: str
    first_message: str


def _code(code: str) -> str:
    if not CODE.fullmatch(code):
        raise StaffError(f"code: {code[:40]!r} must be 1 to 32 letters, digits, _ or -")
    if code.startswith(RESERVED):
        raise StaffError(f"code: {RESERVED}… is kept for cohort links")
    return code


def links(code: str, telegram_bot: str, whatsapp_number: str) -> Links:
    """The links of a campaign code, for the bot's Telegram username and WhatsApp number (digits)."""
    code = _code(code)
    bot = telegram_bot.lstrip("@")
    if not BOT_NAME.fullmatch(bot):
        raise StaffError(f"telegram bot: {telegram_bot[:40]!r} is not a Telegram bot username")
    number = re.sub(r"[\s+()-]", "", whatsapp_number)
    if not PHONE.fullmatch(number):
        raise StaffError("whatsapp number: the bot's number in international form, digits only")
    first = FIRST_MESSAGE.format(code=code)
    return Links(f"https://t.me/{bot}?start={code}", f"https://wa.me/{number}?text={quote(first)}", first)


def qr_svg(url: str) -> bytes:
    """A QR code of ``url`` as an SVG file."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=8, border=4)
    return buffer.getvalue()


def qr_png(url: str) -> bytes:
    """A QR code of ``url`` as a PNG file."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()


def a4_page(name: str, found: Links, language: str) -> str:
    """An A4 poster (SVG, millimetres) with the call to action in ``language`` and both QR codes."""
    if language not in CALL_TO_ACTION:
        raise StaffError(f"language: one of {', '.join(CONSOLE_LANGUAGES)}")
    title, line, scan = (escape(t) for t in CALL_TO_ACTION[language])
    rtl = language == "ar"
    anchor = 'text-anchor="middle"' + (' direction="rtl"' if rtl else "")
    codes = []
    places = ((25, "Telegram", found.telegram), (115, "WhatsApp", found.whatsapp))
    for x, label, url in places:
        qr = segno.make(url, error="m")
        size = qr.symbol_size(scale=1, border=2)[0]
        path = qr.svg_inline(scale=1, border=2, omitsize=True)
        codes.append(
            f'<svg x="{x}" y="120" width="70" height="70" viewBox="0 0 {size} {size}">{path}</svg>'
            f'<text x="{x + 35}" y="200" font-size="7" {anchor}>{label}</text>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 210 297" '
        f'lang="{language}" font-family="Noto Sans, DejaVu Sans, Arial, sans-serif">'
        '<rect width="210" height="297" fill="#ffffff"/>'
        f'<text x="105" y="50" font-size="14" font-weight="bold" {anchor}>{title}</text>'
        f'<text x="105" y="75" font-size="9" {anchor}>{line}</text>'
        f'<text x="105" y="105" font-size="8" {anchor}>{scan}</text>'
        + "".join(codes)
        + f'<text x="105" y="250" font-size="6" fill="#555555" {anchor}>{escape(name)}</text>'
        + "".join(
            f'<text x="105" y="{y}" font-size="5" fill="#555555" text-anchor="middle">{escape(url)}</text>'
            for y, url in ((260, found.telegram), (267, found.whatsapp))
        )
        + "</svg>\n"
    )


@dataclass(frozen=True)
class Report:
    """People reached through a campaign, per day, language and channel, with the totals."""

    campaign: CampaignView
    days: list[Reached]
    people: int
    first_contacts: int
    news_subscribers: int


class Campaigns:
    """Campaign services over one database."""

    def __init__(self, database: Database, clock: Callable[[], datetime], default_language: str) -> None:
        self.database = database
        self.clock = clock
        self.default_language = default_language

    def create(self, by: Staff, code: str, name: str) -> CampaignView:
        """A new campaign (a broadcaster's)."""
        if not by.has("broadcaster"):
            raise StaffError(f"{by.email} is not a broadcaster")
        code, name = _code(code), " ".join(name.split())
        if not name or len(name) > 100:
            raise StaffError("name: 1 to 100 characters")
        now = self.clock()
        with self.database.session() as session:
            if campaigns.find(session, code) is not None:
                raise StaffError(f"code: a campaign {code} exists")
            row = campaigns.add(session, code, name, by.email, now)
            audit.record(session, by.email, "campaign.create", "campaign", row.id, now, code=code)
            return CampaignView(row.id, row.code, row.name, row.created_by_email, row.created_at)

    def get(self, code: str) -> CampaignView:
        """One campaign by its code."""
        with self.database.session() as session:
            row = campaigns.find(session, code)
            if row is None:
                raise StaffError(f"code: no campaign {code[:40]!r}")
            return CampaignView(row.id, row.code, row.name, row.created_by_email, row.created_at)

    def everything(self) -> list[CampaignView]:
        """Every campaign, newest first."""
        with self.database.session() as session:
            return [
                CampaignView(r.id, r.code, r.name, r.created_by_email, r.created_at)
                for r in campaigns.everything(session)
            ]

    def report(self, code: str) -> Report:
        """Who came through the campaign, per day, language and channel."""
        campaign = self.get(code)
        with self.database.session() as session:
            days = campaigns.reached(session, campaign.id, self.default_language)
        return Report(
            campaign,
            days,
            sum(d.people for d in days),
            sum(d.first_contacts for d in days),
            sum(d.news_subscribers for d in days),
        )

    def posters(self, by: Staff, code: str, found: Links) -> dict[str, bytes]:
        """Every poster file of a campaign by file name: QR codes (SVG, PNG) per link, and the A4 page in
        each console language. Audited (who printed which campaign)."""
        campaign = self.get(code)
        files = {}
        for label, url in (("telegram", found.telegram), ("whatsapp", found.whatsapp)):
            files[f"{code}-{label}.svg"] = qr_svg(url)
            files[f"{code}-{label}.png"] = qr_png(url)
        for language in CONSOLE_LANGUAGES:
            files[f"{code}-poster-{language}.svg"] = a4_page(campaign.name, found, language).encode("utf-8")
        now = self.clock()
        with self.database.session() as session:
            audit.record(
                session, by.email, "campaign.posters", "campaign", campaign.id, now, files=len(files)
            )
        return files
