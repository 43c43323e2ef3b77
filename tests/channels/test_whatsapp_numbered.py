"""Numbered choices on WhatsApp, over real HTTP: choices that fit neither reply buttons nor a list go out as
numbered text, and the person's reply "2" (or "٢", Arabic-Indic) is the second choice of their last numbered
offer, handed to the core as if its button had been pressed on that message.

The channel runs on the bot's own web server, with the real intake; the local Graph API fake signs the
person's webhooks. The core is a recorder of what the channel hands it, answering with a numbered offer."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot import app
from bot.channels.whatsapp import WhatsAppChannel
from bot.channels.whatsapp_sender import NumberedOffers
from bot.core.intake import Intake
from bot.core.messages import Button, InboundMessage, OutboundMessage, Sent, TurnResult
from bot.evaluation.telegram_harness import free_port
from bot.settings import Secret, Settings, WhatsAppSettings
from bot.web.app import web_app
from bot.web.server import WebServer, bind
from fakes.whatsapp_graph import APP_SECRET, BUSINESS, TOKEN, VERIFY_TOKEN
from tests.whatsapp_api import WhatsAppServer, whatsapp_graph_server

# Twelve choices: more than a list's ten rows, so they go as numbered text. The second runs a core command.
CHOICES = (
    Button("Documents", "/art27_documents"),
    Button("Recevoir les nouvelles", "cmd:consent news"),
    *(Button(f"Sujet {n}", f"/topic_{n}") for n in range(3, 13)),
)
OFFER = OutboundMessage("Choisis un numéro :", "fr", CHOICES)


class Core:
    """Records what the channel hands the core; answers "menu" with the numbered offer, anything else in a
    word."""

    def __init__(self) -> None:
        self.received: list[InboundMessage] = []
        self.arrived = asyncio.Event()

    async def handle(self, inbound: InboundMessage) -> TurnResult:
        self.received.append(inbound)
        self.arrived.set()
        reply = OFFER if inbound.text == "menu" else OutboundMessage("ok", "fr")
        return TurnResult(inbound.text, "fr", None, None, "out_of_scope", "fr", [reply])

    def delivered(self, user_id: str, message: OutboundMessage, sent: Sent) -> None:
        """Nothing to remember here."""


class People:
    def reachable(self, channel: str, external_id: str, reachable: bool) -> None:
        """Not exercised here."""


@pytest.fixture(scope="module")
def graph() -> Iterator[WhatsAppServer]:
    with whatsapp_graph_server() as url, httpx.Client(timeout=30) as client:
        server = WhatsAppServer(url, client)
        server.limit(enforce=False)
        yield server


def _settings(graph: WhatsAppServer) -> WhatsAppSettings:
    return WhatsAppSettings(
        token=Secret(TOKEN),
        phone_number_id=BUSINESS.phone_number_id,
        app_secret=Secret(APP_SECRET),
        verify_token=Secret(VERIFY_TOKEN),
        api_url=graph.api_url,
    )


def test_a_reply_with_a_number_chooses_from_the_last_numbered_offer(
    graph: WhatsAppServer, tmp_path: Path
) -> None:
    settings = dataclasses.replace(Settings.from_env({}), database_url=f"sqlite:///{tmp_path / 'wa.db'}")
    database = app.open_database(settings)
    someone = "MA.424200000001"

    async def run() -> list[InboundMessage]:
        core = Core()
        intake = Intake(core, People(), database, app.utc_now)
        channel = WhatsAppChannel(intake, database, _settings(graph), numbered=NumberedOffers())
        intake.register(channel)
        port = free_port()
        server = WebServer(web_app(channel.routes(), lambda: True), bind("127.0.0.1", port))
        stop = asyncio.Event()
        running = [
            asyncio.create_task(part) for part in (server.serve(stop), intake.run(stop), channel.run(stop))
        ]
        try:
            await asyncio.to_thread(graph.webhook, f"http://127.0.0.1:{port}/webhooks/whatsapp")

            async def say(text: str) -> InboundMessage:
                core.arrived.clear()
                assert (await asyncio.to_thread(graph.text, someone, text))["status"] == 200
                await asyncio.wait_for(core.arrived.wait(), 10)
                return core.received[-1]

            await say("menu")
            [numbered] = await asyncio.to_thread(graph.wait_for, someone, 1)
            assert numbered["type"] == "text" and "\n2. Recevoir les nouvelles\n" in numbered["text"]["body"]
            chosen = await say("٢")  # Arabic-Indic two: the command of the second choice, on that message
            assert (chosen.kind, chosen.text, chosen.argument) == ("command", "consent", "news")
            assert chosen.in_reply_to == numbered["id"]
            assert (await say(" 1 ")).text == "/art27_documents"
            assert (await say("12")).text == "/topic_12"
            assert (await say("۳")).text == "/topic_3"  # the Persian form of the digits
            assert (await say("13")).text == "13"  # no thirteenth choice: read as text
            assert (await say("2 please")).text == "2 please"
            return core.received
        finally:
            stop.set()
            await asyncio.gather(*running)

    received = asyncio.run(run())
    database.engine.dispose()
    assert len(received) == 7
