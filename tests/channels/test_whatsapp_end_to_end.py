"""The real bot process on WhatsApp (``mentor run``), against the local Graph API fake over HTTP, played as
people would: every webhook is signed by the fake with the app secret, as Meta does."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, select, text

from bot.actions import say
from bot.app import load_knowledge
from bot.evaluation.telegram_harness import MENTOR, BotProcess
from bot.evaluation.whatsapp_harness import start_whatsapp_bot, whatsapp_env
from bot.storage import consents, outbox, users
from bot.storage.db import Database
from bot.storage.models import OutboxMessage, User
from fakes import whatsapp_payloads as payloads
from fakes.whatsapp_graph import BUSINESS, TOKEN
from tests.whatsapp_api import WhatsAppServer

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def bot(whatsapp: WhatsAppServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    process, webhook = start_whatsapp_bot(
        whatsapp.api_url,
        tmp_path_factory.mktemp("whatsapp"),
        MENTOR_LOG_LEVEL="DEBUG",
        MENTOR_QUIET_HOURS="00:00-00:00",  # no quiet hours: the bot runs on the real clock, at any hour
    )
    whatsapp.webhook(webhook)
    try:
        yield process
    finally:
        exit_code = process.stop()
    log = process.log.read_text()
    assert exit_code == 0, log[-3000:]
    assert TOKEN not in log and "212600000001" not in log


@pytest.fixture
def database(bot: BotProcess) -> Iterator[Database]:
    db = Database(create_engine(bot.database_url, future=True))
    yield db
    db.engine.dispose()


def body(message: dict[str, Any]) -> str:
    """The text a person sees in a message the bot sent (plain or interactive)."""
    if message.get("type") == "interactive":
        return str(message["interactive"]["body"]["text"])
    return str(message["text"]["body"])


def answered(whatsapp: WhatsAppServer, someone: str, act: Any) -> list[dict[str, Any]]:
    """Do ``act`` and return the bot's whole answer to it (its messages once no more arrive for 1 s)."""
    before = len(whatsapp.sent(someone))
    act()
    sent = whatsapp.wait_for(someone, before + 1)
    while True:
        time.sleep(1)
        now = whatsapp.sent(someone)
        if len(now) == len(sent):
            return now[before:]
        sent = now


def person(database: Database, user_id: str) -> User | None:
    with database.session() as session:
        found = users.find(session, "whatsapp", user_id)
        if found is not None:
            session.expunge(found)
        return found


def test_the_subscription_handshake(whatsapp: WhatsAppServer, bot: BotProcess) -> None:
    assert whatsapp.verify(challenge="4242") == {"status": 200, "body": "4242"}
    assert whatsapp.verify(verify_token="wrong", challenge="4242")["status"] == 403


def test_a_darija_question_from_a_moroccan_bsuid_is_answered_in_darija(
    whatsapp: WhatsAppServer, bot: BotProcess, database: Database
) -> None:
    moroccan = "MA.100000000001"
    answer = whatsapp.text(moroccan, "salam, chno l wra9 li khassni l visa dyal stage?", wa_id="212600000001")
    assert answer["status"] == 200
    reply = whatsapp.wait_for(moroccan, 1)[0]
    assert "passport" in body(reply).lower()
    stored = person(database, moroccan)
    assert stored is not None and (stored.country, stored.reply_language) == ("MA", "ary")
    assert answer["message_id"] in whatsapp.read()  # marked as read, with the typing indicator


def test_forged_and_unsigned_webhooks_are_refused_with_nothing_stored(
    whatsapp: WhatsAppServer, bot: BotProcess, database: Database
) -> None:
    intruder = "MA.100000000002"
    _, notification = payloads.message(
        BUSINESS, payloads.Person(intruder), "text", {"body": "secret question"}
    )
    assert whatsapp.raw(notification, "forged") == 403
    assert whatsapp.raw(notification, "unsigned") == 403
    assert whatsapp.raw("not json at all", "signed") == 400
    assert whatsapp.raw({"object": "whatsapp_business_account", "entry": "x"}, "signed") == 400
    time.sleep(1)
    assert person(database, intruder) is None
    assert whatsapp.sent(intruder) == []
    assert "secret question" not in bot.log.read_text()


def test_a_reply_button_press_and_a_list_choice_are_answered(
    whatsapp: WhatsAppServer, bot: BotProcess
) -> None:
    someone = "TN.100000000003"
    whatsapp.press(someone, "/art27_visa", "Visa")
    time.sleep(1)
    answer = whatsapp.wait_for(someone, 1)
    assert "visa" in " ".join(body(m) for m in answer).lower()
    visa = answer[-1]
    assert visa["type"] == "interactive"
    kind = visa["interactive"]["type"]
    action = visa["interactive"]["action"]
    titles = (
        [b["reply"]["title"] for b in action["buttons"]]
        if kind == "button"
        else [r["title"] for s in action["sections"] for r in s["rows"]]
    )
    assert titles and all(len(t) <= (20 if kind == "button" else 24) for t in titles)
    whatsapp.choose(someone, '/choose_language{"language": "ary"}', "Darija")
    assert "darija" in body(whatsapp.wait_for(someone, len(answer) + 1)[len(answer)]).lower()


def test_a_voice_note_gets_a_short_answer(whatsapp: WhatsAppServer, bot: BotProcess) -> None:
    someone = "MA.100000000004"
    assert whatsapp.play("voice", someone)["status"] == 200
    assert "texte" in body(whatsapp.wait_for(someone, 1)[0])


def test_the_same_webhook_twice_is_answered_once(whatsapp: WhatsAppServer, bot: BotProcess) -> None:
    someone = "MA.100000000005"
    whatsapp.text(someone, "quels documents pour le visa ?")
    whatsapp.wait_for(someone, 1)
    time.sleep(1.5)
    answered = len(whatsapp.sent(someone))
    assert whatsapp.replay() == 200
    time.sleep(2)
    assert len(whatsapp.sent(someone)) == answered


def test_stop_ends_every_proactive_message(
    whatsapp: WhatsAppServer, bot: BotProcess, database: Database
) -> None:
    someone = "MA.100000000006"
    now = datetime.now(timezone.utc)
    with database.session() as session:
        user = users.get_or_create(session, "whatsapp", someone, now)
        consents.record(session, user.id, "news", True, now)
        planned = outbox.Planned(
            "wa:stop", user.id, "whatsapp", "reminder", "reminder_departure_checklist",
            now + timedelta(days=3), [say.string("reminder_departure_checklist")],
        )  # fmt: skip
        outbox.enqueue_once(session, [planned], now)
        user_id = user.id
    whatsapp.text(someone, "STOP")
    assert "plus aucun message" in body(whatsapp.wait_for(someone, 1)[-1])
    with database.session() as session:
        states = session.execute(select(OutboxMessage.status).where(OutboxMessage.user_id == user_id))
        assert set(states.scalars()) == {"cancelled"}
        assert consents.current(session, user_id)["news"].granted is False


def _choices(message: dict[str, Any]) -> list[str]:
    """The ids of the reply buttons or list rows of a message the bot sent."""
    if message.get("type") != "interactive":
        return []
    action = message["interactive"]["action"]
    if "buttons" in action:
        return [b["reply"]["id"] for b in action["buttons"]]
    return [row["id"] for section in action["sections"] for row in section["rows"]]


def test_privacy_then_export_by_its_button_shows_the_persons_data(
    whatsapp: WhatsAppServer, bot: BotProcess
) -> None:
    someone = "MA.100000000010"
    shown = answered(whatsapp, someone, lambda: whatsapp.text(someone, "/privacy"))
    [offering] = [m for m in shown if "cmd:export" in _choices(m)]
    exported = answered(
        whatsapp,
        someone,
        lambda: whatsapp.play("button_reply", someone, id="cmd:export", context_id=offering["id"]),
    )
    text = " ".join(body(m) for m in exported)
    assert '"profile"' in text and '"consents"' in text
    pressed_again = answered(
        whatsapp,
        someone,
        lambda: whatsapp.play("button_reply", someone, id="cmd:export", context_id="wamid.NOT-OURS="),
    )
    assert '"profile"' not in " ".join(body(m) for m in pressed_again)  # a button the bot did not send


def test_delete_my_data_leaves_nothing_of_the_person_in_any_table(
    whatsapp: WhatsAppServer, bot: BotProcess, database: Database
) -> None:
    someone = "TN.100000000007"
    answered(whatsapp, someone, lambda: whatsapp.text(someone, "chnowa lwra9 mta3 el visa?"))
    user = person(database, someone)
    assert user is not None
    answered(whatsapp, someone, lambda: whatsapp.text(someone, "n7eb nahki m3a 7ad men l'équipe"))
    whatsapp.text(someone, "w zeda so2al 3al stage")  # goes to the ticket, the bot stays quiet
    time.sleep(2)
    with database.engine.connect() as connection:  # a ticket with the conversation and that message
        assert connection.execute(text("SELECT count(*) FROM ticket_messages")).scalar() >= 3
    answered(whatsapp, someone, lambda: whatsapp.press(someone, "/delete_data", "Supprimer"))
    answered(whatsapp, someone, lambda: whatsapp.press(someone, "/affirm", "Oui"))
    with database.engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            columns = {c["name"] for c in inspect(connection).get_columns(table)}
            for column in ({"user_id", "sender_id", "id", "external_id"} & columns) - (
                {"id"} if table != "users" else set()
            ):
                found = connection.execute(
                    text(f'SELECT count(*) FROM "{table}" WHERE "{column}" IN (:a, :b)'),
                    {"a": user.id, "b": someone},
                ).scalar()
                assert found == 0, f"{table}.{column} still holds the person"


def test_statuses_update_the_outbox_row(
    whatsapp: WhatsAppServer, bot: BotProcess, database: Database
) -> None:
    someone = "MA.100000000008"
    whatsapp.auto_status("sent", "delivered", "read")
    _plan(database, someone, "wa:status", "reminder_departure_checklist", wrote_hours_ago=0)
    [sent] = whatsapp.wait_for(someone, 1, timeout=40)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with database.session() as session:
            query = select(OutboxMessage).where(OutboxMessage.dedupe_key == "wa:status")
            row = session.execute(query).scalar()
            state = (row.status, row.platform_message_id, row.delivery_status, row.read_at is not None)
        if state[2] == "read":
            break
        time.sleep(0.2)
    whatsapp.auto_status()
    assert state == ("sent", sent["id"], "read", True)


def test_a_failed_status_is_recorded_with_its_code(
    whatsapp: WhatsAppServer, bot: BotProcess, database: Database
) -> None:
    someone = "MA.100000000009"
    whatsapp.fail(131026, to=someone, mode="async")
    _plan(database, someone, "wa:failed", "reminder_departure_checklist", wrote_hours_ago=0)
    whatsapp.wait_for(someone, 1, timeout=40)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with database.engine.connect() as connection:
            row = connection.execute(
                select(OutboxMessage.delivery_status, OutboxMessage.last_error).where(
                    OutboxMessage.dedupe_key == "wa:failed"
                )
            ).first()
        if row is not None and row.delivery_status == "failed":
            break
        time.sleep(0.2)
    assert row is not None and tuple(row) == ("failed", "failed on WhatsApp (131026)")


def _wait_for_row(database: Database, key: str) -> tuple[str, str | None]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with database.engine.connect() as connection:
            row = connection.execute(
                select(OutboxMessage.status, OutboxMessage.last_error).where(OutboxMessage.dedupe_key == key)
            ).first()
        if row is not None and row.status not in ("pending", "sending"):
            return row.status, row.last_error
        time.sleep(0.2)
    raise AssertionError(f"{key} still waiting")


def _plan(database: Database, someone: str, key: str, message: str, wrote_hours_ago: float | None) -> None:
    now = datetime.now(timezone.utc)
    with database.session() as session:
        user = users.get_or_create(session, "whatsapp", someone, now)
        user.last_inbound_at = None if wrote_hours_ago is None else now - timedelta(hours=wrote_hours_ago)
        consents.record(session, user.id, "reminders", True, now)  # on WhatsApp, nothing before an opt-in
        planned = outbox.Planned(
            key, user.id, "whatsapp", "reminder", message, now - timedelta(seconds=1), [say.string(message)]
        )
        outbox.enqueue_once(session, [planned], now)


def _mentor(bot: BotProcess, whatsapp: WhatsAppServer, *args: str) -> subprocess.CompletedProcess[str]:
    env = whatsapp_env(whatsapp.api_url, bot.database_url)
    return subprocess.run([MENTOR, *args], env=env, capture_output=True, text=True, timeout=120)


def test_templates_sync_then_outside_the_window_the_approved_template_is_sent(
    whatsapp: WhatsAppServer, bot: BotProcess, database: Database
) -> None:
    whatsapp.templates(
        {"name": "mentor_departure_checklist", "language": "fr", "body": "Mentor : {{1}}"},
        {"name": "mentor_departure_checklist_ary", "language": "ar", "status": "PENDING"},
    )
    synced = _mentor(bot, whatsapp, "whatsapp", "templates", "sync")
    assert synced.returncode == 0 and "2 stored, 1 approved" in synced.stdout, synced.stderr
    check = _mentor(bot, whatsapp, "whatsapp", "templates", "check")
    assert check.returncode == 1
    assert (
        "reminder_departure_checklist\tary\tno approved template mentor_departure_checklist_ary"
        in check.stdout
    )
    assert "reminder_departure_checklist\tfr" not in check.stdout
    silent, refused = "MA.300000000001", "MA.300000000002"
    whatsapp.fail(131047, to=refused)
    _plan(database, silent, "wa:template:silent", "reminder_departure_checklist", 30)
    _plan(database, refused, "wa:template:131047", "reminder_departure_checklist", 1)
    for someone, key in ((silent, "wa:template:silent"), (refused, "wa:template:131047")):
        [sent] = whatsapp.wait_for(someone, 1, timeout=40)
        assert sent["type"] == "template"
        assert sent["template"]["name"] == "mentor_departure_checklist"
        assert sent["template"]["language"] == {"code": "fr"}
        [parameter] = sent["template"]["components"][0]["parameters"]
        assert (
            parameter["text"].split()[:3]
            == load_knowledge().string("reminder_departure_checklist", "fr").split()[:3]
        )
        assert _wait_for_row(database, key) == ("sent", None)


@pytest.mark.parametrize(
    ("label", "wrote_hours_ago", "code"),
    [("never wrote", None, None), ("25 h ago", 25, None), ("131047", 1, 131047)],
)
def test_outside_the_24_hour_window_a_reminder_is_undeliverable_with_the_reason(
    whatsapp: WhatsAppServer,
    bot: BotProcess,
    database: Database,
    label: str,
    wrote_hours_ago: int | None,
    code: int | None,
) -> None:
    someone = f"MA.2000000000{len(label)}{wrote_hours_ago or 0}"
    if code is not None:
        whatsapp.fail(code, to=someone)
    _plan(database, someone, f"wa:window:{label}", "reminder_visa_documents", wrote_hours_ago)
    state = _wait_for_row(database, f"wa:window:{label}")
    assert state == (
        "undeliverable",
        "outside the 24-hour window, no approved template mentor_visa_documents (fr)",
    )
    assert whatsapp.sent(someone) == []
