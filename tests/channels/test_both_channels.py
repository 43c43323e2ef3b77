"""Telegram and WhatsApp at once in one ``mentor run``: one web server, one database, each channel answered
through its own adapter."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select

from bot.evaluation.telegram_harness import free_port, start_bot
from bot.evaluation.whatsapp_harness import wait_healthy, whatsapp_env
from bot.storage.models import User
from tests.bot_api import BotApiServer
from tests.whatsapp_api import WhatsAppServer

pytestmark = pytest.mark.model


def test_one_process_answers_on_telegram_and_on_whatsapp(
    bot_api: BotApiServer, whatsapp: WhatsAppServer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("both")
    database_url = f"sqlite:///{folder / 'both.db'}"
    env = {k: v for k, v in whatsapp_env(whatsapp.api_url, database_url).items() if k.startswith("MENTOR_")}
    port = free_port()
    bot = start_bot(bot_api.url, folder, **env, MENTOR_WEB_LISTEN=f"127.0.0.1:{port}")
    try:
        wait_healthy(f"http://127.0.0.1:{port}/healthz", bot)
        whatsapp.webhook(f"http://127.0.0.1:{port}/webhooks/whatsapp")
        bot_api.wait_until(lambda c: "getUpdates" in c["calls"])
        bot_api.text(4242, "quels documents pour le visa ?")
        whatsapp.text("TN.424242", "quels documents pour le visa ?")
        assert "passeport" in " ".join(m["text"] for m in bot_api.wait_for(4242, 1))
        answer = whatsapp.wait_for("TN.424242", 1)
        assert "passeport" in " ".join(
            m["text"]["body"] if m["type"] == "text" else m["interactive"]["body"]["text"] for m in answer
        )
    finally:
        assert bot.stop() == 0
    with create_engine(database_url, future=True).connect() as connection:
        channels = set(connection.execute(select(User.channel).distinct()).scalars())
    assert channels == {"telegram", "whatsapp"}
