"""Campaigns: codes, links, QR posters, and people's arrival through a link attributed to the campaign."""

from __future__ import annotations

from datetime import timedelta
from xml.dom import minidom

import pytest
import segno
from sqlalchemy import select

from bot import app
from bot.core.commands import Commands, campaign_link
from bot.core.messages import InboundMessage
from bot.settings import Settings
from bot.staff.campaigns import Campaigns, a4_page, links
from bot.staff.errors import StaffError
from bot.storage import consents, personal_data, users
from bot.storage.broadcast_models import CampaignContact
from bot.storage.models import User
from knowledge.model import KnowledgeBase
from tests.staff.conftest import Desk


@pytest.fixture
def tools(desk: Desk) -> Campaigns:
    return Campaigns(desk.database, desk.clock, "fr")


def test_links_and_the_whatsapp_first_message_the_bot_takes_as_start() -> None:
    found = links("spring_fair", "@MentorBot", "+212 600-000000")
    assert found.telegram == "https://t.me/MentorBot?start=spring_fair"
    assert found.whatsapp == "https://wa.me/212600000000?text=START%20spring_fair"
    assert campaign_link(found.first_message) == "spring_fair"
    assert campaign_link("  start  Spring-2027 ") == "Spring-2027"
    assert campaign_link("start") is None and campaign_link("je veux start un stage") is None
    for bad, message in (("a b", "code"), ("x" * 33, "code"), ("cohort_MI1", "kept for cohort links")):
        with pytest.raises(StaffError, match=message):
            links(bad, "MentorBot", "212600000000")
    with pytest.raises(StaffError, match="telegram bot"):
        links("fair", "no", "212600000000")
    with pytest.raises(StaffError, match="whatsapp number"):
        links("fair", "MentorBot", "call me")


def test_a_campaign_is_a_broadcasters_and_its_code_is_unique(desk: Desk, tools: Campaigns) -> None:
    made = tools.create(desk.broadcaster, "spring_fair", "Salon de l'emploi, Tanger")
    assert (made.code, made.created_by) == ("spring_fair", "bea@example.org")
    with pytest.raises(StaffError, match="a campaign spring_fair exists"):
        tools.create(desk.both, "spring_fair", "Again")
    with pytest.raises(StaffError, match="amal@example.org is not a broadcaster"):
        tools.create(desk.approver, "other", "Other")


def test_posters_are_qr_codes_and_an_a4_page_per_console_language(desk: Desk, tools: Campaigns) -> None:
    tools.create(desk.broadcaster, "fair", "Fair <script>alert(1)</script> & co")
    found = links("fair", "MentorBot", "212600000000")
    files = tools.posters(desk.broadcaster, "fair", found)
    assert sorted(files) == sorted(
        ["fair-telegram.svg", "fair-telegram.png", "fair-whatsapp.svg", "fair-whatsapp.png"]
        + [f"fair-poster-{lang}.svg" for lang in ("fr", "it", "en", "ar")]
    )
    assert files["fair-telegram.png"].startswith(b"\x89PNG")
    minidom.parseString(files["fair-whatsapp.svg"])
    for language in ("fr", "it", "en", "ar"):
        page = files[f"fair-poster-{language}.svg"].decode()
        minidom.parseString(page)  # well-formed: the name is escaped, never markup
        assert "<script>" not in page and "Fair &lt;script&gt;" in page
        assert 'width="210mm" height="297mm"' in page and f'lang="{language}"' in page
    assert 'direction="rtl"' in files["fair-poster-ar.svg"].decode()
    assert "Pose tes questions" in files["fair-poster-fr.svg"].decode()
    # the page's QR code is the link's own
    inline = segno.make(found.telegram, error="m").svg_inline(scale=1, border=2, omitsize=True)
    assert inline in files["fair-poster-en.svg"].decode()
    with pytest.raises(StaffError, match="language"):
        a4_page("x", found, "de")


def test_arrivals_through_a_link_are_attributed_and_counted_per_day(
    desk: Desk, tools: Campaigns, settings: Settings, knowledge: KnowledgeBase
) -> None:
    tools.create(desk.broadcaster, "fair", "Fair")
    commands = Commands(desk.database, knowledge, desk.clock, app.load_planner(settings, knowledge))

    def start(channel: str, external_id: str, language: str, argument: str) -> str:
        with desk.database.session() as session:
            user = users.get_or_create(session, channel, external_id, desk.clock())
            user.reply_language = language
            user_id = user.id
        commands.run(user_id, InboundMessage(channel, external_id, "start", "command", argument=argument))
        return user_id

    first = start("telegram", "1", "ary", "fair")
    start("whatsapp", "MA.2", "fr", "fair")
    desk.clock.now += timedelta(days=1)
    third = start("telegram", "3", "ary", "fair")
    start("telegram", "3", "ary", "fair")  # again: counted once
    with desk.database.session() as session:
        consents.record(session, first, "news", True, desk.clock())
    earlier = start("telegram", "4", "fr", "flyer")  # came through another link first
    start("telegram", "4", "fr", "fair")
    report = tools.report("fair")
    assert (report.people, report.first_contacts, report.news_subscribers) == (4, 3, 1)
    days = [
        (str(d.day), d.language, d.channel, d.people, d.first_contacts, d.news_subscribers)
        for d in report.days
    ]
    assert days == [
        ("2026-11-22", "ary", "telegram", 1, 1, 1),
        ("2026-11-22", "fr", "whatsapp", 1, 1, 0),
        ("2026-11-23", "ary", "telegram", 1, 1, 0),
        ("2026-11-23", "fr", "telegram", 1, 0, 0),
    ]
    with desk.database.session() as session:
        assert session.get(User, earlier).source == "flyer"  # the first link stays the source
        assert session.get(User, third).source == "fair"
        exported = personal_data.export(session, third)
        assert [c["campaign"] for c in exported["campaigns_arrived_through"]] == ["fair"]
        personal_data.forget(session, third)
    with desk.database.session() as session:
        left = session.execute(select(CampaignContact.user_id).where(CampaignContact.user_id == third)).all()
        assert left == []
