"""The eligibility check's personal data, through the real bot: the kept checklist survives a restart, is
ticked off with its buttons, is in the export and goes with delete-my-data; the passport warning plans its
reminder (with consent to reminders), which arrives when the clock reaches it, through the Bot API server."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import app
from bot.core.conversation import TurnResult
from bot.core.messages import InboundMessage, Sent, inbound_from_payload
from bot.settings import ROOT, Settings
from bot.storage import checklists, personal_data
from bot.storage.models import Checklist, OutboxMessage, User
from tests.bot_api import BotApiServer
from tests.scheduler.conftest import Clock, make_dispatcher, new_chat

pytestmark = pytest.mark.model
START = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)
# 22, Tunisia, a degree this year, Lombardia, IT, a host, good Italian, a start in 09/2027.
CHECK = ["check my eligibility", "22", "Tunisia", "bachelor in IT", "2026", "Lombardia", "software developer",
         "yes", "B2", "09/2027"]  # fmt: skip


class Person:
    """One Telegram person talking to a built bot; button presses act on the message that offered them."""

    def __init__(self, bot: app.App, chat: str) -> None:
        self.bot, self.chat, self.offered, self.sent = bot, chat, {}, 0

    def say(self, text: str, kind: str = "text") -> TurnResult:
        message = InboundMessage("telegram", self.chat, text, kind)  # type: ignore[arg-type]
        return self._delivered(asyncio.run(self.bot.conversation.handle(message)))

    def press(self, payload: str) -> TurnResult:
        message = inbound_from_payload("telegram", self.chat, payload, in_reply_to=self.offered.get(payload))
        return self._delivered(asyncio.run(self.bot.conversation.handle(message)))

    def _delivered(self, result: TurnResult) -> TurnResult:
        for message in result.messages:
            if message.buttons and result.user_id:
                self.sent += 1
                self.bot.conversation.delivered(result.user_id, message, Sent(f"m{self.sent}"))
                self.offered.update({b.payload: f"m{self.sent}" for b in message.buttons})
        return result


@pytest.fixture
def built(tmp_path: Path) -> Iterator[tuple[Settings, Clock, list[app.App]]]:
    """Settings on a fresh SQLite file and a movable clock; every bot built on them is closed at the end."""
    settings = dataclasses.replace(
        Settings.from_env({}), database_url=f"sqlite:///{tmp_path / 'mentor.db'}", model_dir=ROOT / "models"
    )
    bots: list[app.App] = []
    yield settings, Clock(START), bots
    for bot in bots:
        bot.database.engine.dispose()


def _build(built: tuple[Settings, Clock, list[app.App]]) -> app.App:
    settings, clock, bots = built
    bots.append(app.build(settings, clock=clock))
    return bots[-1]


def _user_id(bot: app.App, chat: str) -> str:
    with bot.database.session() as session:
        return str(session.scalar(select(User.id).where(User.external_id == chat)))


def test_kept_checklist_survives_a_restart_is_ticked_exported_and_deleted(built) -> None:
    chat = new_chat()
    person = Person(_build(built), chat)
    for text in CHECK:
        person.say(text)
    person.say("skip")  # no passport date
    kept = person.say("yes")
    assert "Checklist kept" in kept.reply and "/checklist" in kept.reply

    person = Person(_build(built), chat)  # a restart: a new process on the same database
    shown = person.say("/checklist")
    assert shown.topic == "eligibility.checklist", shown.reply
    assert "⬜ 2. Passport valid at least 3 months beyond the visa" in shown.reply
    assert "Embassy in Tunis" in shown.reply and "checked on" in shown.reply
    ticked = person.press("cmd:tick passport")
    assert "✅ 2. Passport" in ticked.reply and "⬜ 1." in ticked.reply
    assert "cmd:tick passport" not in {b.payload for m in ticked.messages for b in m.buttons}
    assert "no longer valid" in person.press("cmd:tick nothing").reply  # a button never offered: refused

    bot = person.bot
    user_id = _user_id(bot, chat)
    with bot.database.session() as session:
        exported = personal_data.export(session, user_id)["eligibility_checklist"]
    assert exported["answers"]["residence"] == "TN" and exported["planned_start"] == "2027-09-01"
    assert {"item": "passport", "done": True} in exported["documents"]
    assert {"item": "means", "done": False} in exported["documents"]

    person.say("delete all my data")
    person.say("yes")
    with bot.database.session() as session:
        assert session.scalar(select(Checklist).where(Checklist.user_id == user_id)) is None
    assert "pas encore de liste" in person.say("/checklist").reply  # a new person: French by default


def test_answers_not_kept_leave_no_checklist(built) -> None:
    person = Person(_build(built), new_chat())
    for text in [*CHECK, "skip"]:
        person.say(text)
    assert "stay only in this conversation" in person.say("no").reply
    with person.bot.database.session() as session:
        assert checklists.get(session, _user_id(person.bot, person.chat)) is None


def test_passport_warning_plans_a_reminder_that_arrives_in_time(built, bot_api: BotApiServer) -> None:
    settings, clock, _ = built
    bot = _build(built)
    person = Person(bot, new_chat())
    person.say("start", kind="command")
    person.press("cmd:consent reminders")
    for text in CHECK:
        person.say(text)
    person.say("01/2028")  # expires before the 12-month stay from September 2027 plus 3 months
    done = person.say("yes")
    assert "Careful: your passport expires on January 1, 2028" in done.reply
    assert "valid until December 1, 2028 at least" in done.reply
    # visa by 11 May 2027 (113 days before 1 September); reminded 60 days earlier, 10:00 in Tunis.
    assert "I'll remind you to renew your passport on March 12, 2027" in done.reply
    with bot.database.session() as session:
        row = session.scalars(select(OutboxMessage)).one()
    assert row.message_key == "reminder_passport_renew"
    assert row.not_before == datetime(2027, 3, 12, 9, 0, tzinfo=timezone.utc)

    dispatcher = make_dispatcher(bot.database, bot.conversation.renderer.knowledge, clock, bot_api)

    async def live_until(moment: datetime) -> None:
        clock.now = moment
        async with dispatcher.routes["telegram"].sender.bot:  # type: ignore[attr-defined]
            await dispatcher.drain()

    asyncio.run(live_until(datetime(2027, 3, 12, 8, 59, tzinfo=timezone.utc)))
    assert bot_api.sent(int(person.chat)) == []
    asyncio.run(live_until(datetime(2027, 3, 12, 9, 0, tzinfo=timezone.utc)))
    texts = [m["text"] for m in bot_api.sent(int(person.chat))]
    assert texts == ["Reminder: your passport expires on January 1, 2028, too soon for the stay you planned. "
                     "Start renewing it now, before you ask for the visa."]  # fmt: skip


def test_without_consent_the_reminder_waits_for_the_reminders_button(built) -> None:
    bot = _build(built)
    person = Person(bot, new_chat())
    for text in [*CHECK, "01/2028"]:
        person.say(text)
    done = person.say("yes")
    assert "remind you in time" in done.reply
    with bot.database.session() as session:
        assert session.scalars(select(OutboxMessage)).all() == []
    person.press("cmd:consent reminders")
    with bot.database.session() as session:
        row = session.scalars(select(OutboxMessage)).one()
    assert row.message_key == "reminder_passport_renew"
