"""The broadcast walkthrough through the command line alone, delivered by the real ``mentor run`` to the
local Telegram and WhatsApp servers over HTTP.

An admin makes a broadcaster and an approver; the broadcaster drafts a broadcast to Moroccan Darija speakers
subscribed to news, in Darija and French (the Darija text carries HTML and a script tag), for the next
minute; the drafter cannot approve it; the approver does; ``mentor run`` sends it at that minute on both
channels (one person outside WhatsApp's 24-hour window gets the approved template) and the WhatsApp
server reports sent, delivered and read; ``mentor broadcast status --json`` reaches the expected totals.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot import app, logs
from bot.cli import main
from bot.evaluation.telegram_harness import free_port, start_bot
from bot.evaluation.whatsapp_harness import wait_healthy, whatsapp_env
from bot.settings import Settings
from bot.staff.accounts import CLI_ACTOR, StaffAccounts
from bot.storage import consents, templates, users
from bot.storage.models import OutboxMessage
from bot.storage.staff_models import AuditEntry
from knowledge.topics import intent_for_topic
from tests.bot_api import BotApiServer
from tests.whatsapp_api import WhatsAppServer

pytestmark = [pytest.mark.model, pytest.mark.slow]
PASSWORD = "correct horse battery"
DARIJA = "Salam! <b>Stage jdid</b> f Italia <script>alert('x')</script>, chouf l'site."
FRENCH = "Bonjour ! Un nouveau stage en Italie."


def _quiet_hours_away_from_now() -> str:
    """Quiet hours that do not hold now in Casablanca, so that the broadcast may go within the test."""
    local = datetime.now(ZoneInfo("Africa/Casablanca")) + timedelta(hours=6)
    return f"{local:%H}:00-{(local + timedelta(hours=1)):%H}:00"


def _seed(database_url: str) -> dict[str, list[str]]:
    """People as the bot would know them; returns their external ids by what the broadcast should do."""
    database = app.open_database(Settings.from_env({"MENTOR_DATABASE_URL": database_url}, dotenv=None))
    now = datetime.now(timezone.utc)
    groups: dict[str, list[str]] = {"telegram": [], "whatsapp": [], "template": [], "left_out": []}
    with database.session() as session:

        def person(
            channel: str, external_id: str, language: str, consent: bool | None, **extra: object
        ) -> None:
            user = users.get_or_create(session, channel, external_id, now)
            user.country, user.reply_language, user.last_inbound_at = "MA", language, now - timedelta(hours=1)
            for key, value in extra.items():
                setattr(user, key, value)
            if consent is not None:
                consents.record(session, user.id, "news", consent, now)

        for n in range(6):
            person("telegram", str(71000 + n), "ary", True)
            groups["telegram"].append(str(71000 + n))
        for n in range(4):
            person("whatsapp", f"MA.7200{n}", "ary", True)
            groups["whatsapp"].append(f"MA.7200{n}")
        person("whatsapp", "MA.72009", "ary", True, last_inbound_at=now - timedelta(days=3))
        groups["template"].append("MA.72009")
        person("telegram", "71900", "fr", True)  # not Darija
        person("telegram", "71901", "ary", None)  # never said yes to news
        person("telegram", "71902", "ary", True, unreachable_at=now)  # blocked the bot
        groups["left_out"] += ["71900", "71901", "71902"]
        templates.replace_all(session, [("mentor_news_ary", "ar", "APPROVED", "MARKETING")], now)
    database.engine.dispose()
    return groups


def _wait(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_the_cli_walkthrough_delivers_on_both_channels_with_the_figures(
    bot_api: BotApiServer,
    whatsapp: WhatsAppServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database_url = f"sqlite:///{tmp_path / 'walkthrough.db'}"
    quiet = _quiet_hours_away_from_now()
    monkeypatch.setenv("MENTOR_DATABASE_URL", database_url)
    monkeypatch.setenv("MENTOR_QUIET_HOURS", quiet)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    groups = _seed(database_url)
    database = app.open_database(Settings.from_env({"MENTOR_DATABASE_URL": database_url}, dotenv=None))
    accounts = StaffAccounts(database, app.utc_now)
    admin = accounts.add("root@example.org", ["admin"], PASSWORD, CLI_ACTOR)
    accounts.add("bea@example.org", ["broadcaster"], PASSWORD, admin.email)
    accounts.add("amal@example.org", ["approver"], PASSWORD, admin.email)

    def mentor(*args: str) -> tuple[int, str, str]:
        code = main(["broadcast", *args])
        logs.configure("DEBUG")
        out, err = capsys.readouterr()
        return code, out, err

    now = datetime.now(timezone.utc)
    at = (now + timedelta(seconds=100)).replace(second=0, microsecond=0)  # the next minute at least 40 s on
    code, out, err = mentor(
        "create", "--name", "Stage news", "--segment", "country=MA,language=ary,consent=news",
        "--text", f"ary={DARIJA}", "--text", f"fr={FRENCH}", "--button", "art27.visa",
        "--at", f"{at:%Y-%m-%d %H:%M}", "--by", "bea@example.org",
    )  # fmt: skip
    assert code == 0, err
    broadcast = int(out.strip())
    code, out, _ = mentor("preview", str(broadcast))
    assert code == 0
    assert "recipients: 11 of 13 matched" in out
    assert "by channel: telegram 6, whatsapp 5" in out
    assert "whatsapp outside the 24-hour window (need a template): 1 (ary 1)" in out
    assert "left out: blocked the bot 1, never consented to news 1" in out
    code, _, err = mentor("approve", str(broadcast), "--by", "bea@example.org")
    assert code == 1 and "bea@example.org is not an approver" in err
    code, out, err = mentor("approve", str(broadcast), "--by", "amal@example.org")
    assert code == 0 and "11 messages queued" in out, err
    with database.session() as session:
        due = set(session.execute(select(OutboxMessage.not_before)).scalars())
    assert due == {at}

    whatsapp.auto_status("sent", "delivered", "read")
    port = free_port()
    env = {k: v for k, v in whatsapp_env(whatsapp.api_url, database_url).items() if k.startswith("MENTOR_")}
    bot = start_bot(
        bot_api.url, tmp_path, **env, MENTOR_WEB_LISTEN=f"127.0.0.1:{port}", MENTOR_QUIET_HOURS=quiet
    )
    try:
        wait_healthy(f"http://127.0.0.1:{port}/healthz", bot)
        whatsapp.webhook(f"http://127.0.0.1:{port}/webhooks/whatsapp")
        if datetime.now(timezone.utc) < at - timedelta(seconds=2):
            assert all(bot_api.sent(int(chat)) == [] for chat in groups["telegram"])  # not before its time
        _wait(
            lambda: json.loads(mentor("status", str(broadcast), "--json")[1])["read"] == 5,
            at.timestamp() - time.time() + 90,
            "every message sent and read on WhatsApp",
        )
        answering = groups["telegram"][0]
        bot_api.text(int(answering), "chokran, kifach n9dem?")  # a reply afterwards
        bot_api.wait_for(int(answering), 2)
        _wait(
            lambda: json.loads(mentor("status", str(broadcast), "--json")[1])["replies"] == 1, 30, "the reply"
        )
    finally:
        assert bot.stop() == 0, bot.log.read_text()[-3000:]

    figures = json.loads(mentor("status", str(broadcast), "--json")[1])
    assert (figures["recipients"], figures["queued"], figures["sent"]) == (11, 0, 11)
    assert (figures["delivered"], figures["read"], figures["replies"]) == (5, 5, 1)
    assert figures["failed"] == figures["undeliverable"] == {}
    assert figures["by_channel"] == {"telegram": {"sent": 6}, "whatsapp": {"sent": 5}}
    assert sum(figures["per_minute"].values()) == 11
    assert min(figures["per_minute"]) >= f"{at:%Y-%m-%d %H:%M}"
    for chat in groups["telegram"]:
        [message] = [m for m in bot_api.sent(int(chat)) if "Stage jdid" in m["text"]]
        assert message["text"] == DARIJA  # as written, HTML and script as plain text
        [[button]] = message["reply_markup"]["inline_keyboard"]
        assert button["callback_data"] == f"/{intent_for_topic('art27.visa')}"
    for someone in groups["whatsapp"]:
        [message] = whatsapp.sent(someone)
        shown = (
            message["interactive"]["body"]["text"]
            if message["type"] == "interactive"
            else message["text"]["body"]
        )
        assert shown == DARIJA
    [template] = whatsapp.sent(groups["template"][0])
    assert template["type"] == "template" and template["template"]["name"] == "mentor_news_ary"
    assert DARIJA in json.dumps(template["template"]["components"], ensure_ascii=False)
    for chat in groups["left_out"]:
        assert bot_api.sent(int(chat)) == []
    with database.session() as session:
        actions = list(session.execute(select(AuditEntry.actor, AuditEntry.action).order_by(AuditEntry.id)))
    assert [tuple(a) for a in actions][-3:] == [
        ("bea@example.org", "broadcast.create"),
        ("bea@example.org", "broadcast.approve_refused"),
        ("amal@example.org", "broadcast.approve"),
    ]
    database.engine.dispose()
