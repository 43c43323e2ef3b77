"""The handoff with the real ``mentor run``, on the local Telegram Bot API server and the WhatsApp Graph fake,
driven by ``mentor tickets …`` as a mentor would: a person asks for a human in Derja, a ticket appears for
the Tunis team, the bot stays quiet while the person adds a message, the mentor's reply reaches the person
(on WhatsApp outside the 24-hour window as its approved template), and after closing the bot answers again."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from bot.app import load_knowledge
from bot.evaluation.telegram_harness import MENTOR, BotProcess, start_bot
from bot.evaluation.whatsapp_harness import start_whatsapp_bot, whatsapp_env
from bot.storage import users
from bot.storage.db import Database
from bot.storage.staff_models import AuditEntry
from knowledge import teams
from tests.bot_api import BotApiServer
from tests.whatsapp_api import WhatsAppServer

pytestmark = pytest.mark.model
MENTOR_EMAIL = "mentor.tunis@example.org"
PASSWORD = "correct horse battery"
ASK_FOR_A_PERSON = "n7eb nahki m3a 7ad men l'équipe"
ANY_HOUR = "00:00-00:00"  # no quiet hours: they are checked at send time, and the test runs at any hour


def _mentor(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([MENTOR, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120)


def _staff(env: dict[str, str]) -> None:
    """A mentor in the Tunis team and a curator, made with the real commands."""
    for email, role in ((MENTOR_EMAIL, "mentor"), ("curator.tn@example.org", "curator")):
        made = _mentor(env, "staff", "add", email, "--role", role, stdin=PASSWORD + "\n")
        assert made.returncode == 0, made.stderr
    joined = _mentor(env, "tickets", "team", "add", MENTOR_EMAIL, "tunis-sfax")
    assert joined.returncode == 0 and "added to tunis-sfax" in joined.stdout, joined.stderr


def _the_promise(text: str) -> None:
    """What the person is told matches the Tunis team's hours right now, in Derja."""
    tunis = teams.load(list(load_knowledge().entries)).get("tunis-sfax")
    assert "Tunis–Sfax" in text
    if tunis.is_open(datetime.now(timezone.utc)):
        assert "24 se3a" in text
    else:
        assert "wa9t Tounes" in text and tunis.next_open(datetime.now(timezone.utc)).strftime("%H:%M") in text


def _only_ticket(env: dict[str, str]) -> dict[str, Any]:
    listed = _mentor(env, "tickets", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    [ticket] = json.loads(listed.stdout)
    return ticket


@pytest.fixture(scope="module")
def telegram(bot_api: BotApiServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    bot = start_bot(bot_api.url, tmp_path_factory.mktemp("tickets-telegram"), MENTOR_QUIET_HOURS=ANY_HOUR)
    try:
        bot_api.wait_until(lambda c: "getUpdates" in c["calls"])
        yield bot
    finally:
        exit_code = bot.stop()
    assert exit_code == 0, bot.log.read_text()[-3000:]


def test_on_telegram_a_derja_request_is_handed_to_the_tunis_team_and_back(bot_api, telegram) -> None:
    env = {**os.environ, "MENTOR_DATABASE_URL": telegram.database_url}
    _staff(env)
    chat = 7101
    bot_api.text(chat, ASK_FOR_A_PERSON)
    told = bot_api.wait_for(chat, 2)
    _the_promise(told[0]["text"])
    ticket = _only_ticket(env)
    assert (ticket["team"], ticket["language"], ticket["channel"], ticket["status"]) == (
        "tunis-sfax",
        "aeb",
        "telegram",
        "open",
    )

    bot_api.text(chat, "w zeda 3andi so2al 3al stage fi Italia")
    time.sleep(4)
    assert len(bot_api.sent(chat)) == len(told)  # the bot stays quiet
    shown = _mentor(env, "tickets", "show", str(ticket["id"]), "--by", MENTOR_EMAIL, "--json")
    assert shown.returncode == 0, shown.stderr
    conversation = json.loads(shown.stdout)["conversation"]
    assert conversation[-1] == {
        **conversation[-1],
        "from": "person",
        "text": "w zeda 3andi so2al 3al stage fi Italia",
    }
    assert str(chat) not in shown.stdout  # no platform id, no phone number

    refused = _mentor(env, "tickets", "reply", str(ticket["id"]), "Aslema", "--by", "curator.tn@example.org")
    assert (
        refused.returncode == 1 and refused.stderr.strip() == "mentor: curator.tn@example.org is not a mentor"
    )
    replied = _mentor(
        env, "tickets", "reply", str(ticket["id"]), "Aslema, ena mentor mel Tunis.", "--by", MENTOR_EMAIL
    )
    assert replied.returncode == 0, replied.stderr
    answer = bot_api.wait_for(chat, len(told) + 1, timeout=60)[-1]["text"]
    assert (
        answer.startswith("Jweb men 7ad fi l'équipe Tunis–Sfax") and "Aslema, ena mentor mel Tunis." in answer
    )

    closed = _mentor(env, "tickets", "close", str(ticket["id"]), "--by", MENTOR_EMAIL)
    assert closed.returncode == 0, closed.stderr
    goodbye = bot_api.wait_for(chat, len(told) + 2, timeout=60)[-1]["text"]
    assert goodbye == load_knowledge().string("ticket_closed", "aeb")
    assert _mentor(env, "tickets", "list", "--json").stdout.strip() == "[]"

    before = len(bot_api.sent(chat))
    bot_api.text(chat, "chnowa el wra9 mta3 el visa?")
    assert "Source" in bot_api.wait_for(chat, before + 1)[-1]["text"]  # the bot answers again
    database = Database(create_engine(telegram.database_url, future=True))
    with database.session() as session:
        actions = set(session.execute(select(AuditEntry.action)).scalars())
    database.engine.dispose()
    assert {"team.add", "ticket.read", "ticket.reply", "ticket.close"} <= actions
    assert "Aslema" not in telegram.log.read_text() and "so2al 3al stage" not in telegram.log.read_text()


@pytest.fixture(scope="module")
def whatsapp_bot(whatsapp: WhatsAppServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    process, webhook = start_whatsapp_bot(
        whatsapp.api_url, tmp_path_factory.mktemp("tickets-whatsapp"), MENTOR_QUIET_HOURS=ANY_HOUR
    )
    whatsapp.webhook(webhook)
    try:
        yield process
    finally:
        exit_code = process.stop()
    log = process.log.read_text()
    assert exit_code == 0, log[-3000:]
    assert "21698000001" not in log


def _body(message: dict[str, Any]) -> str:
    if message.get("type") == "interactive":
        return str(message["interactive"]["body"]["text"])
    return str(message["text"]["body"])


def test_on_whatsapp_outside_the_window_the_reply_goes_as_its_template(whatsapp, whatsapp_bot) -> None:
    env = whatsapp_env(whatsapp.api_url, whatsapp_bot.database_url)
    _staff(env)
    whatsapp.templates({"name": "mentor_ticket_reply_aeb", "language": "ar", "body": "Mentor: {{1}}"})
    assert _mentor(env, "whatsapp", "templates", "sync").returncode == 0
    tunisian = "TN.700000000001"
    whatsapp.text(tunisian, ASK_FOR_A_PERSON, wa_id="21698000001")
    told = whatsapp.wait_for(tunisian, 2)
    _the_promise(_body(told[0]))
    ticket = _only_ticket(env)
    assert (ticket["team"], ticket["country"], ticket["channel"]) == ("tunis-sfax", "TN", "whatsapp")
    shown = _mentor(env, "tickets", "show", str(ticket["id"]), "--by", MENTOR_EMAIL)
    assert "21698000001" not in shown.stdout and tunisian not in shown.stdout
    database = Database(create_engine(whatsapp_bot.database_url, future=True))
    with database.session() as session:  # the person last wrote 30 hours ago
        person = users.find(session, "whatsapp", tunisian)
        person.last_inbound_at = datetime.now(timezone.utc) - timedelta(hours=30)
    database.engine.dispose()
    replied = _mentor(
        env, "tickets", "reply", str(ticket["id"]), "--saved", "looking_into_it", "--by", MENTOR_EMAIL
    )
    assert replied.returncode == 0, replied.stderr
    sent = whatsapp.wait_for(tunisian, len(told) + 1, timeout=60)[-1]
    assert sent["type"] == "template" and sent["template"]["name"] == "mentor_ticket_reply_aeb"
    [parameter] = sent["template"]["components"][0]["parameters"]
    saved = teams.load_saved_replies()["looking_into_it"]["aeb"]
    assert parameter["text"].startswith("Jweb men 7ad fi l'équipe Tunis–Sfax") and saved in parameter["text"]
    assert _mentor(env, "tickets", "close", str(ticket["id"]), "--by", MENTOR_EMAIL).returncode == 0
