"""The real bot process on Telegram, against the local Bot API server, played as users would.

Every test runs twice: with long polling, and in webhook mode (the Bot API server then POSTs updates to the
bot's webhook with the secret header).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Connection

from bot.actions import say
from bot.app import load_knowledge
from bot.evaluation.telegram_harness import TEST_TOKEN, BotProcess, free_port, start_bot, webhook_env
from bot.storage import cohorts, outbox, users
from bot.storage.db import Database
from bot.storage.models import RASA_EVENTS, Consent, HelpRequest, OutboxMessage, UnansweredQuestion, User
from tests.bot_api import BotApiServer

pytestmark = pytest.mark.model

SECRET = "webhook-secret_42"
ANY_HOUR = "00:00-00:00"  # no quiet hours: the bot runs on the real clock, at any hour


@pytest.fixture(scope="module", params=["polling", "webhook"])
def running(
    request: pytest.FixtureRequest, bot_api: BotApiServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[BotProcess, int, str | None]]:
    """The bot running in one mode; yields the process, a chat-id base for this mode, and the webhook URL."""
    folder = tmp_path_factory.mktemp(request.param)
    webhook = None
    env = {}
    if request.param == "webhook":
        env = webhook_env(free_port(), SECRET)
        webhook = env["MENTOR_TELEGRAM_WEBHOOK_URL"]
    bot = start_bot(bot_api.url, folder, MENTOR_LOG_LEVEL="DEBUG", MENTOR_QUIET_HOURS=ANY_HOUR, **env)
    try:
        if webhook:
            bot_api.wait_until(lambda c: c["webhook_url"] == webhook)
        else:
            bot_api.wait_until(lambda c: "getUpdates" in c["calls"])
        yield bot, (1000 if webhook is None else 2000), webhook
    finally:
        exit_code = bot.stop()
    log = bot.log.read_text()
    assert exit_code == 0, log[-3000:]
    assert TEST_TOKEN not in log and TEST_TOKEN.split(":")[1] not in log


def _db(bot: BotProcess) -> Connection:
    """A connection to the bot's database, to check what it stored."""
    return create_engine(bot.database_url, future=True).connect()


def test_start_with_a_cohort_link_greets_in_the_app_language_and_joins_the_cohort(bot_api, running) -> None:
    bot, base, _ = running
    chat = base + 1
    code = f"TNG{base}"
    database = Database(create_engine(bot.database_url, future=True))
    today = datetime.now(timezone.utc).date()
    with database.session() as session:
        dates = {"training_start": today + timedelta(days=30), "departure": today + timedelta(days=90)}
        cohorts.create(
            session, code, "MENTOR 3", "Tanger", "Africa/Casablanca", dates, datetime.now(timezone.utc)
        )
    bot_api.text(chat, f"/start cohort_{code}", language_code="it")
    messages = bot_api.wait_for(chat, 4)
    assert "Mentor" in messages[0]["text"] and "tirocini" in messages[0]["text"]
    buttons = [b for row in messages[0]["reply_markup"]["inline_keyboard"] for b in row]
    assert {b["text"] for b in buttons} >= {"Darija", "Tounsi", "العربية", "Français"}
    assert all(
        len(b["callback_data"].encode()) <= 64
        for m in messages
        for row in m.get("reply_markup", {}).get("inline_keyboard", [])
        for b in row
    )
    assert any("/privacy" in m["text"] for m in messages)
    assert any(code in m["text"] for m in messages)
    with database.session() as session:
        user = users.find(session, "telegram", str(chat))
        assert user is not None and user.source == f"cohort_{code}"
        assert [c.code for c in cohorts.cohorts_of(session, user.id)] == [code]
        planned = session.execute(select(OutboxMessage.message_key).where(OutboxMessage.user_id == user.id))
        assert set(planned.scalars()) >= {"reminder_italian_course_start", "reminder_departure_checklist"}
    bot_api.text(chat, "/stop")
    bot_api.wait_for(chat, len(messages) + 1)
    with database.session() as session:  # nothing is left to send
        states = session.execute(select(OutboxMessage.status).where(OutboxMessage.user_id == user.id))
        assert set(states.scalars()) == {"cancelled"}
    database.engine.dispose()


def test_a_malformed_deep_link_is_ignored_politely(bot_api, running) -> None:
    bot, base, _ = running
    chat = base + 2
    bot_api.text(chat, "/start bad%20link!!", language_code="fr")
    assert "Mentor" in bot_api.wait_for(chat, 3)[0]["text"]
    with _db(bot) as connection:
        assert connection.execute(select(User.source).where(User.external_id == str(chat))).scalar() is None


def test_choosing_darija_then_asking_in_arabizi_answers_in_darija(bot_api, running) -> None:
    _, base, _ = running
    chat = base + 3
    bot_api.press(chat, '/choose_language{"language": "ary"}')
    first = bot_api.wait_for(chat, 1)
    assert "darija" in first[0]["text"].lower()
    bot_api.text(chat, "salam, chno l wra9 li khassni l visa dyal stage?")
    answer = bot_api.wait_for(chat, len(first) + 1)[-1]["text"]
    assert "passport" in answer.lower() and "Source" in answer


def test_a_topic_button_answers_that_topic(bot_api, running) -> None:
    _, base, _ = running
    chat = base + 4
    bot_api.press(chat, "/art27_visa")
    answer = bot_api.wait_for(chat, 1)[-1]
    assert "visa" in answer["text"].lower()
    assert answer.get("reply_markup")
    assert "answerCallbackQuery" in bot_api.calls()["calls"]


def test_a_due_check_in_arrives_with_its_buttons_and_i_need_help_reaches_staff(bot_api, running) -> None:
    bot, base, _ = running
    chat = base + 20
    now = datetime.now(timezone.utc)
    database = Database(create_engine(bot.database_url, future=True))
    with database.session() as session:
        person = users.get_or_create(session, "telegram", str(chat), now)
        person.chosen_language = "ary"
        content = [
            say.string("reminder_return_checkin_7"),
            say.buttons(
                say.command_button("button_checkin_ok", "checkin", "ok return_mentoring.checkin_7"),
                say.command_button("button_checkin_help", "checkin", "help return_mentoring.checkin_7"),
            ),
        ]
        planned = outbox.Planned(
            "e2e:checkin", person.id, "telegram", "reminder", "reminder_return_checkin_7", now, content
        )
        outbox.enqueue_once(session, [planned], now)
        person_id = person.id
    [reminder] = bot_api.wait_for(chat, 1)  # delivered by the running bot's dispatcher, in their language
    assert reminder["text"] == load_knowledge().string("reminder_return_checkin_7", "ary")
    buttons = [b for row in reminder["reply_markup"]["inline_keyboard"] for b in row]
    assert len(buttons) == 2 and all(len(b["callback_data"].encode()) <= 64 for b in buttons)
    bot_api.press(chat, buttons[1]["callback_data"])
    bot_api.wait_for(chat, 2)
    with database.session() as session:
        [request] = session.execute(select(HelpRequest).where(HelpRequest.user_id == person_id)).scalars()
        assert request.step == "return_mentoring.checkin_7"
        assert (
            session.scalar(select(OutboxMessage.status).where(OutboxMessage.dedupe_key == "e2e:checkin"))
            == "sent"
        )
    database.engine.dispose()


def test_a_sticker_gets_a_short_answer(bot_api, running) -> None:
    _, base, _ = running
    chat = base + 5
    bot_api.sticker(chat)
    assert "texte" in bot_api.wait_for(chat, 1)[0]["text"]


def test_stop_ends_every_proactive_message(bot_api, running) -> None:
    bot, base, _ = running
    chat = base + 6
    bot_api.text(chat, "/start")
    greeted = len(bot_api.wait_for(chat, 3))
    bot_api.press(chat, "cmd:consent news")
    bot_api.wait_for(chat, greeted + 1)
    bot_api.text(chat, "/stop")
    assert "plus aucun message" in bot_api.wait_for(chat, greeted + 2)[-1]["text"]
    with _db(bot) as connection:
        user_id = connection.execute(select(User.id).where(User.external_id == str(chat))).scalar()
        rows = connection.execute(
            select(Consent.purpose, Consent.granted).where(Consent.user_id == user_id).order_by(Consent.id)
        ).all()
    assert rows[0] == ("news", True) and {tuple(r) for r in rows[1:]} == {
        ("news", False),
        ("reminders", False),
    }


def test_privacy_then_deletion_leaves_nothing_of_the_person(bot_api, running) -> None:
    bot, base, _ = running
    chat = base + 7
    bot_api.text(chat, "/privacy", language_code="en")
    shown = bot_api.wait_for(chat, 2)
    buttons = [
        b["callback_data"]
        for m in shown
        for row in m.get("reply_markup", {}).get("inline_keyboard", [])
        for b in row
    ]
    assert "/delete_data" in buttons and "cmd:export" in buttons
    bot_api.press(chat, "cmd:export")
    exported = bot_api.wait_for(chat, len(shown) + 2)[-1]["text"]
    assert (
        '"profile"' in exported and '"consents"' in exported and '"conversation_history_events"' in exported
    )
    shown = bot_api.sent(chat)
    bot_api.press(chat, "/delete_data")
    bot_api.wait_for(chat, len(shown) + 1)
    bot_api.press(chat, "/affirm")
    bot_api.wait_for(chat, len(shown) + 2)
    with _db(bot) as connection:
        assert (
            connection.execute(
                select(func.count()).select_from(User).where(User.external_id == str(chat))
            ).scalar()
            == 0
        )
        user_ids = set(connection.execute(select(User.id)).scalars())
        senders = set(connection.execute(select(RASA_EVENTS.c.sender_id).distinct()).scalars())
    assert senders <= user_ids


def test_a_429_is_waited_out_and_a_5xx_retried(bot_api, running) -> None:
    _, base, _ = running
    chat = base + 8
    bot_api.fault("sendMessage", 429, retry_after=1)
    bot_api.fault("sendMessage", 502, times=2)
    bot_api.text(chat, "what is the allowance?")
    assert "allowance" in bot_api.wait_for(chat, 1, timeout=40)[0]["text"].lower()


def test_a_blocked_user_is_marked_unreachable(bot_api, running) -> None:
    bot, base, _ = running
    chat = base + 9
    bot_api.text(chat, "hello")
    bot_api.wait_for(chat, 1)
    bot_api.block(chat)
    bot_api.text(chat, "documents?")
    with _db(bot) as connection:
        for _ in range(100):
            marked = connection.execute(
                select(User.unreachable_at).where(User.external_id == str(chat))
            ).scalar()
            if marked is not None:
                break
            time.sleep(0.1)
    assert marked is not None


def test_groups_are_answered_only_when_the_bot_is_addressed(bot_api, running) -> None:
    _, base, _ = running
    group = -(base + 10)
    bot_api.text(group, "quels documents pour le visa ?", chat_type="group")
    bot_api.text(group, "@mentor_test_bot quels documents pour le visa ?", chat_type="group")
    messages = bot_api.wait_for(group, 1)
    assert len(messages) == 1 and "passeport" in messages[0]["text"]


def test_an_edited_message_is_answered_as_a_new_question(bot_api, running) -> None:
    _, base, _ = running
    chat = base + 11
    bot_api.text(chat, "quels documents pour le visa ?", edited=True)
    assert "passeport" in bot_api.wait_for(chat, 1)[0]["text"]


def test_commands_are_registered_in_each_language(bot_api, running) -> None:
    commands = bot_api.calls()["commands"]
    assert set(commands) >= {"", "fr", "ar", "en", "it"}
    assert {c["command"] for c in commands["ar"]} == {
        "start",
        "help",
        "menu",
        "language",
        "privacy",
        "checklist",
        "stop",
    }


def test_the_webhook_refuses_calls_without_the_right_secret(running) -> None:
    _, _, webhook = running
    if webhook is None:
        pytest.skip("polling mode has no webhook")
    update = {
        "update_id": 1,
        "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "hi"},
    }
    assert httpx.post(webhook, json=update).status_code == 403
    assert (
        httpx.post(webhook, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}).status_code
        == 403
    )
    assert (
        httpx.post(
            webhook, content=b"\\x00not json", headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        ).status_code
        == 400
    )


def test_long_replies_are_split_at_paragraphs_within_the_limit() -> None:
    from bot.core.text import split_text

    text = "\n\n".join(f"Paragraph {n}. " + "word " * 150 for n in range(12))
    pieces = split_text(text, 4096)
    assert len(pieces) > 1 and all(len(p) <= 4096 for p in pieces)
    assert all(p.startswith("Paragraph") for p in pieces)
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())


def test_a_reply_over_4096_characters_arrives_split_and_whole(bot_api, running) -> None:
    bot, base, _ = running
    chat = base + 12
    randomness = random.Random(chat)
    for _ in range(6):
        nonsense = " ".join(
            "".join(randomness.choice("bcdfghjklmnpqrstvwxz") for _ in range(7)) for _ in range(110)
        )
        before = len(bot_api.sent(chat))
        bot_api.text(chat, nonsense)
        bot_api.wait_for(chat, before + 1)
    before = len(bot_api.sent(chat))
    bot_api.text(chat, "/privacy")
    bot_api.wait_for(chat, before + 2)
    before = len(bot_api.sent(chat))
    bot_api.press(chat, "cmd:export")
    pieces = [m["text"] for m in bot_api.wait_for(chat, before + 3)[before + 1 :]]
    assert len(pieces) >= 2 and all(len(piece) <= 4096 for piece in pieces)
    exported = json.loads(" ".join(pieces))  # pieces are cut at whitespace, which the split drops
    with _db(bot) as connection:
        user_id = connection.execute(select(User.id).where(User.external_id == str(chat))).scalar()
        kept = connection.execute(
            select(func.count()).select_from(UnansweredQuestion).where(UnansweredQuestion.user_id == user_id)
        ).scalar()
    assert kept >= 4 and len(exported["unanswered_questions"]) == kept
