"""The handoff worked from the console in real Chromium, against the real ``mentor run`` (which serves the
console beside the Telegram poller) and the local Telegram Bot API server: a person asks for a human in
Derja (Latin script), a ticket for the Tunis team appears in the mentor's queue, the mentor opens it and
replies from the page, the person receives the reply, the mentor closes it, the person is told, and the bot
answers the next question. Screenshots go to ``test-artifacts/console/`` (``ticket.png`` is the README's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import app
from bot.evaluation.telegram_harness import free_port, start_bot
from bot.evaluation.whatsapp_harness import wait_healthy
from bot.settings import Settings
from bot.staff.accounts import CLI_ACTOR, StaffAccounts
from bot.staff.tickets import TicketDesk
from knowledge import teams
from tests.bot_api import BotApiServer
from tests.channels.test_tickets_end_to_end import ASK_FOR_A_PERSON, MENTOR_EMAIL
from tests.console import test_browser
from tests.console.conftest import PASSWORD
from tests.console.test_browser import Person

browser = test_browser.browser
pytestmark = [*test_browser.pytestmark, pytest.mark.model]  # about 35 s: not slow
CURATOR_EMAIL = "curator.tn@example.org"
REPLY = "Aslema, ena mentor mel Tunis. <b>Nchoufou</b> el wra9 mta3ek."


def _mentor_of_tunis(database_url: str) -> None:
    """A mentor's account in the Tunis–Sfax team, and a curator who reads Arabic, through the services the
    commands use."""
    database = app.open_database(Settings.from_env({"MENTOR_DATABASE_URL": database_url}, dotenv=None))
    accounts = StaffAccounts(database, app.utc_now)
    accounts.add(MENTOR_EMAIL, ["mentor"], PASSWORD, CLI_ACTOR)
    accounts.add(CURATOR_EMAIL, ["curator"], PASSWORD, CLI_ACTOR, language="ar")
    loaded = teams.load(list(app.load_knowledge().entries))
    TicketDesk(database, loaded, teams.load_saved_replies(), app.utc_now).add_member(
        None, MENTOR_EMAIL, "tunis-sfax"
    )
    database.engine.dispose()


def test_a_mentor_answers_and_closes_a_derja_ticket_from_the_console(
    bot_api: BotApiServer, browser: object, tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'tickets.db'}"
    _mentor_of_tunis(database_url)
    port = free_port()
    bot = start_bot(
        bot_api.url, tmp_path, MENTOR_DATABASE_URL=database_url, MENTOR_WEB_LISTEN=f"127.0.0.1:{port}",
        MENTOR_QUIET_HOURS="00:00-00:00",  # the dispatcher checks quiet hours at send time: none here
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    chat = 7201
    try:
        wait_healthy(f"{base}/healthz", bot)
        bot_api.wait_until(lambda c: "getUpdates" in c["calls"])
        bot_api.text(chat, ASK_FOR_A_PERSON)
        told = bot_api.wait_for(chat, 2)
        assert "Tunis–Sfax" in told[0]["text"]

        mentor = Person(browser, base, MENTOR_EMAIL)
        mentor.log_in()
        page = mentor.page
        page.goto(f"{base}/console/tickets")
        rows = page.locator("#queue tbody tr")
        assert rows.count() == 1 and "Tunis–Sfax" in rows.first.inner_text()
        page.click("#queue tbody tr a")
        page.wait_for_url("**/console/tickets/*")
        facts = page.inner_text("#facts")
        assert "aeb" in facts and "telegram" in facts and "Tunis–Sfax" in facts
        assert ASK_FOR_A_PERSON in page.inner_text("#conversation")
        assert str(chat) not in page.content()  # the person is a pseudonym, never a platform id

        page.fill("#reply textarea[name=text]", REPLY)
        page.click("#reply button[type=submit]")
        page.wait_for_url("**?done=replied")
        answer = bot_api.wait_for(chat, len(told) + 1, timeout=60)[-1]["text"]
        assert answer.startswith("Jweb men 7ad fi l'équipe Tunis–Sfax") and REPLY in answer
        assert REPLY in page.inner_text("#conversation")  # the markup shown as text
        mentor.shot("ticket")
        phone = Person(browser, base, MENTOR_EMAIL, width=360)
        phone.log_in()
        for path in ("/console/tickets", page.url.split("?")[0]):
            phone.page.goto(f"{base}{path}" if path.startswith("/") else path)
            assert phone.no_horizontal_scroll(), path
        phone.shot("ticket-phone", full_page=False)

        page.once("dialog", lambda dialog: dialog.accept())  # the script asks before closing
        page.click("#close button[type=submit]")
        page.wait_for_url("**?done=closed")
        goodbye = bot_api.wait_for(chat, len(told) + 2, timeout=60)[-1]["text"]
        assert goodbye == app.load_knowledge().string("ticket_closed", "aeb")
        page.goto(f"{base}/console/tickets")
        assert page.locator("#queue-empty").count() == 1
        assert mentor.blocked == [] and phone.blocked == []

        before = len(bot_api.sent(chat))
        bot_api.text(chat, "chnowa el wra9 mta3 el visa?")
        assert "Source" in bot_api.wait_for(chat, before + 1, timeout=60)[-1]["text"]  # the bot answers again

        curator = Person(browser, base, CURATOR_EMAIL, width=360)  # the curators' pages on a phone, in Arabic
        curator.log_in()
        assert curator.page.goto(f"{base}/console/tickets").status == 403  # type: ignore[union-attr]
        for path in ("/console/review", "/console/knowledge"):
            assert curator.page.goto(f"{base}{path}").status == 200  # type: ignore[union-attr]
            assert curator.page.get_attribute("html", "dir") == "rtl"
            assert curator.no_horizontal_scroll(), path
        curator.shot("knowledge-phone-ar", full_page=False)
        for person in (mentor, phone, curator):
            person.context.close()
    finally:
        assert bot.stop() == 0, bot.log.read_text()[-3000:]
    assert REPLY not in bot.log.read_text()
