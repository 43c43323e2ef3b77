"""Shared fixtures: no network, a fixed clock, a database per test, the local Bot API server, the trained bot.

Tests marked ``model`` use the models that ``make test`` trains (once) before pytest starts.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import os
import socket
import warnings
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from sqlalchemy import create_engine, text

from bot import logs
from bot.core.messages import InboundMessage, Sent, inbound_from_payload
from bot.evaluation.telegram_harness import bot_api_server
from bot.settings import ROOT, Settings
from tests import postgres
from tests.bot_api import BotApiServer
from tests.whatsapp_api import WhatsAppServer, whatsapp_graph_server

if TYPE_CHECKING:
    from bot.app import App
    from bot.core.conversation import TurnResult

FIXED_NOW = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)

os.environ["RASA_TELEMETRY_ENABLED"] = "false"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("PTB_TIMEDELTA", "1")

logs.configure("DEBUG")  # as the entry points do: Rasa's own loggers stay at WARNING

with warnings.catch_warnings():
    # Import-time deprecation notices of the Rasa/TensorFlow stack, silenced once, here only.
    warnings.simplefilter("ignore")
    import rasa.core.agent  # noqa: F401


@pytest.fixture(autouse=True)
def _local_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any connection that leaves this machine."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else str(address)
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in ("127.0.0.1", "::1", "localhost"):
            raise ConnectionRefusedError(f"tests may not connect to {host}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


def fixed_clock() -> datetime:
    """The tests' clock."""
    return FIXED_NOW


@pytest.fixture(scope="module")
def bot_api() -> Iterator[BotApiServer]:
    """The local Bot API server on a free port, in its own process, and a client to play users with."""
    with bot_api_server() as url, httpx.Client(timeout=10) as client:
        yield BotApiServer(url, client)


@pytest.fixture(scope="module")
def whatsapp() -> Iterator[WhatsAppServer]:
    """The local WhatsApp Graph API fake on a free port, in its own process (its rate limit not enforced), and
    a client to send webhooks as people would."""
    with whatsapp_graph_server() as url, httpx.Client(timeout=60) as client:
        server = WhatsAppServer(url, client)
        server.limit(enforce=False)
        yield server


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL server for the whole run (skipped where PostgreSQL is not installed)."""
    with postgres.server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings with a fresh database, SQLite file or PostgreSQL schema, and the repository's models."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'mentor.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        _reset(url)
    yield dataclasses.replace(Settings.from_env({}), database_url=url, model_dir=ROOT / "models")


def _reset(url: str) -> None:
    """An empty public schema, so each test starts from nothing."""
    engine = create_engine(url, future=True)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """The whole bot, loaded once per run, on its own database; tests use their own user ids."""
    from bot import app

    settings = dataclasses.replace(
        Settings.from_env({}),
        database_url=f"sqlite:///{tmp_path_factory.mktemp('bot') / 'mentor.db'}",
        model_dir=ROOT / "models",
    )
    if not settings.rasa_model.exists():
        pytest.fail("no trained model: run the tests with `make test`, which trains it first")
    built = app.build(settings, clock=fixed_clock)
    yield built
    built.database.engine.dispose()


_OFFERED: dict[str, list[tuple[str, set[str]]]] = defaultdict(list)
_MESSAGE_IDS = itertools.count(1)


def _delivered(bot: App, user: str, result: TurnResult) -> TurnResult:
    """Play the channel's part: each reply with buttons is sent and gets an id the person can press on."""
    for message in result.messages:
        if message.buttons and result.user_id is not None:
            sent = Sent(f"test-{next(_MESSAGE_IDS)}")
            bot.conversation.delivered(result.user_id, message, sent)
            _OFFERED[user].append((str(sent.message_id), {b.payload for b in message.buttons}))
    return result


def say(bot: App, text: str, user: str, kind: str = "text") -> TurnResult:
    """One message from ``user`` through the conversation core."""
    message = InboundMessage("test", user, text, kind=kind)  # type: ignore[arg-type]
    return _delivered(bot, user, asyncio.run(bot.conversation.handle(message)))


def press(bot: App, payload: str, user: str) -> TurnResult:
    """``user`` presses a button: on the newest message that offered it (else on none, a forged press)."""
    on = next((i for i, payloads in reversed(_OFFERED[user]) if payload in payloads), None)
    message = inbound_from_payload("test", user, payload, in_reply_to=on)
    return _delivered(bot, user, asyncio.run(bot.conversation.handle(message)))
