"""The broadcast walkthrough in real Chromium, against the real ``mentor run`` (which serves the console on
its web server) sending to the local Telegram and WhatsApp servers.

An admin invites a broadcaster and an approver; the broadcaster builds the segment Morocco, Darija, news
subscribers from the form's fields, writes Darija (with HTML and a script tag) and French texts, schedules it
for a coming minute and sees the count; the same person cannot approve; the approver approves; the
dispatcher delivers on both channels and the page's figures, refreshed by its script with no reload, rise to
the expected totals. Then a campaign with its links and QR codes. Screenshots go to
``test-artifacts/console/`` (``broadcast.png`` and ``campaign.png`` are the README's)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot import app
from bot.evaluation.telegram_harness import free_port, start_bot
from bot.evaluation.whatsapp_harness import wait_healthy, whatsapp_env
from bot.settings import Settings
from bot.staff.accounts import CLI_ACTOR, StaffAccounts
from tests.bot_api import BotApiServer
from tests.cli.test_broadcast_walkthrough import DARIJA, FRENCH, _quiet_hours_away_from_now, _seed
from tests.console import test_browser
from tests.console.conftest import PASSWORD
from tests.console.test_browser import Person
from tests.whatsapp_api import WhatsAppServer

browser = test_browser.browser
pytestmark = [*test_browser.pytestmark, pytest.mark.model, pytest.mark.slow]  # browser, skip without Chromium


def _figure(person: Person, name: str, value: int, seconds: float) -> None:
    """Wait until the live figure shows ``value``: the page's script swaps the figures in every 3 s, and
    the test never reloads (Playwright's own waiting evaluates strings, which the CSP forbids)."""
    deadline = time.monotonic() + seconds
    shown = ""
    while time.monotonic() < deadline:
        shown = person.page.locator(f"#figure-{name}").inner_text().strip()
        if shown == str(value):
            return
        time.sleep(0.5)
    raise AssertionError(f"the figure {name} shows {shown}, not {value}")


def test_a_broadcast_built_approved_and_delivered_in_the_browser(
    bot_api: BotApiServer, whatsapp: WhatsAppServer, browser: object, tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'console.db'}"
    quiet = _quiet_hours_away_from_now()
    groups = _seed(database_url)
    database = app.open_database(Settings.from_env({"MENTOR_DATABASE_URL": database_url}, dotenv=None))
    StaffAccounts(database, app.utc_now).add("root@example.org", ["admin"], PASSWORD, CLI_ACTOR)
    database.engine.dispose()
    whatsapp.auto_status("sent", "delivered", "read")
    port = free_port()
    env = {k: v for k, v in whatsapp_env(whatsapp.api_url, database_url).items() if k.startswith("MENTOR_")}
    bot = start_bot(
        bot_api.url, tmp_path, **env, MENTOR_WEB_LISTEN=f"127.0.0.1:{port}", MENTOR_QUIET_HOURS=quiet
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(f"{base}/healthz", bot)
        whatsapp.webhook(f"{base}/webhooks/whatsapp")
        admin = Person(browser, base, "root@example.org")
        admin.log_in()
        links = {role: admin.invite(role) for role in ("broadcaster", "approver")}
        people = {}
        for role, link in links.items():
            people[role] = Person(browser, base, f"{role}@example.org")
            people[role].accept(link)
            people[role].log_in()
        bea, amal = people["broadcaster"], people["approver"]

        page = bea.page
        page.goto(f"{base}/console/broadcasts")
        page.fill("input[name=name]", "Stage news")
        page.fill("input[name=country]", "MA")
        page.check("input[name=language][value=ary]")
        page.select_option("select[name=consent]", "news")
        page.fill("textarea[name=text_ary]", DARIJA)
        page.fill("textarea[name=text_fr]", FRENCH)
        page.select_option("select[name=button_0]", "art27.visa")
        page.check("input[name=when][value=at]")
        at = (datetime.now(timezone.utc) + timedelta(seconds=80)).replace(second=0, microsecond=0)
        at += timedelta(minutes=1)
        page.fill("input[name=at]", f"{at:%Y-%m-%dT%H:%M}")
        page.select_option("select[name=zone]", "UTC")
        page.click("#new-broadcast button[type=submit]")
        page.wait_for_url("**/console/broadcasts/*?done=created")
        broadcast_url = page.url.split("?")[0]
        assert page.inner_text("#recipients") == "11 people of 13 matched"
        assert "Telegram 6" in page.inner_text("#by-channel") and "WhatsApp 5" in page.inner_text(
            "#by-channel"
        )
        left_out = page.locator("#left-out .tag").all_inner_texts()
        assert left_out == ["blocked the bot 1", "never consented 1"]
        assert DARIJA in page.inner_text("#channel-preview")  # the script tag shown as text
        assert (
            page.evaluate("document.querySelectorAll('#channel-preview script, #channel-preview b').length")
            == 0
        )
        assert f"at {at:%Y-%m-%d %H:%M} UTC" in page.inner_text("#summary")

        page.click("#approve button")  # the drafter cannot approve
        assert "Approval refused: broadcaster@example.org is not an approver" in page.inner_text("#refusal")
        assert "waiting for approval" in page.inner_text("#summary")

        amal.page.goto(broadcast_url)
        amal.page.click("#approve button")
        amal.page.wait_for_url("**?done=approved*")
        assert "approver@example.org" in amal.page.inner_text("#summary")
        _figure(amal, "queued", 11, 20)
        if datetime.now(timezone.utc) < at - timedelta(seconds=2):  # nothing before its time
            assert all(bot_api.sent(int(chat)) == [] for chat in groups["telegram"])
        wait = (at - datetime.now(timezone.utc)).total_seconds() + 90
        _figure(amal, "sent", 11, wait)  # no reload: the script refreshed the figures
        _figure(amal, "read", 5, 60)
        _figure(amal, "delivered", 5, 5)
        bot_api.text(int(groups["telegram"][0]), "chokran, kifach n9dem?")
        _figure(amal, "replies", 1, 60)
        _figure(amal, "queued", 0, 5)
        chart = amal.page.locator("#figures svg.chart rect")
        minutes = chart.locator("title").all_text_contents()  # "2026-12-02 09:00 UTC: 11"
        assert minutes and sum(int(m.rsplit(": ", 1)[1]) for m in minutes) == 11, minutes
        amal.shot("broadcast")
        assert amal.blocked == [] and bea.blocked == []  # the page's script runs under the CSP
        for chat in groups["telegram"]:
            assert [m["text"] for m in bot_api.sent(int(chat)) if "Stage jdid" in m["text"]] == [DARIJA]
        for someone in groups["whatsapp"] + groups["template"]:
            assert len(whatsapp.sent(someone)) == 1
        for chat in groups["left_out"]:
            assert bot_api.sent(int(chat)) == []

        page.goto(f"{base}/console/campaigns")
        page.fill("#new-campaign input[name=code]", "rabat-fair")
        page.fill("#new-campaign input[name=name]", "Rabat job fair")
        page.click("#new-campaign button[type=submit]")
        page.wait_for_url("**/console/campaigns/rabat-fair")
        page.fill("input[name=bot]", "MentorStageBot")
        page.fill("input[name=number]", "212600000000")
        page.click("#bot-identity button[type=submit]")
        page.wait_for_selector("#links")
        assert page.inner_text("#link-telegram") == "https://t.me/MentorStageBot?start=rabat-fair"
        assert page.evaluate("[...document.querySelectorAll('#links img')].every(i => i.naturalWidth > 0)")
        bea.shot("campaign")

        phone = Person(browser, base, "broadcaster@example.org", width=360)
        phone.log_in()
        for path in (f"{base}/console/broadcasts", page.url, broadcast_url):
            phone.page.goto(path)
            assert phone.no_horizontal_scroll(), path
        phone.shot("broadcast-phone", full_page=False)
        for person in (admin, bea, amal, phone):
            person.context.close()
    finally:
        assert bot.stop() == 0, bot.log.read_text()[-3000:]
