"""Both channel adapters as labelled tables over recorded payloads (``testdata/<platform>/*.json``), one
runner for both. Three kinds of case, told apart by their keys:

- ``payload``: what the platform posts, and what the adapter makes of it: the ``inbound`` message (the
  fields given are compared), a delivery ``status``, a block report (``reachable``), a pressed button's
  ``callback`` acknowledged, or ``refused`` naming the wrong field;
- ``message``: an ``OutboundMessage``, and the request bodies the platform receives (sent over real HTTP
  to the local fake, read back from what it recorded; the keys given are compared);
- ``error``: the platform's error response (the local fake answers it), and the ``SendError`` kind.

Logs are captured at DEBUG through the project's log configuration (``bot.logs``): no token, secret or
phone number may reach them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import zlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot import logs
from bot.channels import telegram_updates, whatsapp_updates
from bot.channels.payloads import BadPayload
from bot.channels.telegram_sender import outbox_sender
from bot.channels.whatsapp_sender import WhatsAppSender
from bot.core.messages import Button, OutboundMessage
from bot.core.send_errors import SendError
from bot.evaluation.telegram_harness import TEST_TOKEN, bot_api_server
from bot.settings import Secret, TelegramSettings, WhatsAppSettings
from fakes.telegram_bot_api import BOT
from fakes.whatsapp_graph import APP_SECRET, BUSINESS, TOKEN, VERIFY_TOKEN
from tests.bot_api import BotApiServer
from tests.whatsapp_api import WhatsAppServer, whatsapp_graph_server

DATA = Path(__file__).parent / "testdata"
PLATFORMS = ("telegram", "whatsapp")
SECRETS = (TEST_TOKEN, TOKEN, APP_SECRET, VERIFY_TOKEN)
PHONES = ("212600000001", "21650000002")  # the phone numbers (wa_id) in the recorded payloads
ME = telegram_updates.BotIdentity(BOT["id"], BOT["username"])


def cases(kind: str) -> list[Any]:
    """Every case of ``kind`` (its key: payload, message or error) of both platforms, labelled."""
    found = []
    for platform in PLATFORMS:
        for file in sorted((DATA / platform).glob("*.json")):
            for case in json.loads(file.read_text(encoding="utf-8")):
                if kind in case:
                    found.append(pytest.param(platform, case, id=f"{platform}: {case['label']}"))
    return found


def _fields(value: Any) -> Any:
    return None if value is None else asdict(value)


def _single(values: list[Any]) -> Any:
    return None if not values else (values[0] if len(values) == 1 else values)


def telegram_meaning(payload: Any) -> dict[str, Any]:
    parsed = telegram_updates.parse(telegram_updates.check(payload), ME)
    return {
        "inbound": _fields(parsed.inbound),
        "callback": parsed.callback_id,
        "reachable": _fields(parsed.reachability),
    }


def whatsapp_meaning(payload: Any) -> dict[str, Any]:
    parsed = whatsapp_updates.parse(whatsapp_updates.check(payload), BUSINESS.phone_number_id)
    assert all(m.message_id.startswith("wamid.") for m in parsed.messages)
    return {
        "inbound": _single([asdict(m.inbound) for m in parsed.messages]),
        "status": _single([asdict(s) for s in parsed.statuses]),
    }


MEANING: dict[str, Callable[[Any], dict[str, Any]]] = {
    "telegram": telegram_meaning,
    "whatsapp": whatsapp_meaning,
}


def _like(actual: Any, expected: Any) -> Any:
    """``actual`` cut down to the keys ``expected`` names, at every depth of objects."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {key: _like(actual.get(key), value) for key, value in expected.items()}
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [_like(a, e) for a, e in zip(actual, expected, strict=True)]
    return actual


@pytest.fixture(autouse=True)
def _no_secrets_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """The project's log configuration at DEBUG (its handler, ahead of the capture's, redacts each record in
    place); after each case, nothing secret or personal in what was captured. Then as it was."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    logs.configure("DEBUG", SECRETS)
    caplog.set_level(logging.DEBUG)
    try:
        yield
        records = [r for when in ("setup", "call") for r in caplog.get_records(when)]
        logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in records)
        leaked = [s for s in (*SECRETS, *PHONES) if s in logged]
        assert leaked == [], f"logged: {leaked}"
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)


@pytest.mark.parametrize(("platform", "case"), cases("payload"))
def test_a_payload_means_what_its_table_says(platform: str, case: dict[str, Any]) -> None:
    expected = case["expected"]
    if "refused" in expected:
        with pytest.raises(BadPayload) as refused:
            MEANING[platform](case["payload"])
        assert expected["refused"] in refused.value.where
        return
    meaning = MEANING[platform](case["payload"])
    inbound = meaning.get("inbound")
    if inbound is not None:
        assert inbound["channel"] == platform
    assert _like(meaning, expected) == expected


# --- the local fakes, and sending to them -------------------------------------------------------------


@pytest.fixture(scope="module")
def telegram_fake() -> Iterator[BotApiServer]:
    with bot_api_server() as url, httpx.Client(timeout=30) as client:
        yield BotApiServer(url, client)


@pytest.fixture(scope="module")
def whatsapp_fake() -> Iterator[WhatsAppServer]:
    with whatsapp_graph_server() as url, httpx.Client(timeout=30) as client:
        server = WhatsAppServer(url, client)
        server.limit(enforce=False)
        yield server


@dataclass
class Platform:
    """One adapter's sender against its local fake: send, read back what arrived, ask for an error."""

    name: str
    fake: Any

    def address(self, label: str) -> str:
        """A recipient of its own for each case, so that cases do not read each other's messages."""
        number = 10_000 + zlib.crc32(label.encode()) % 10**9
        return str(number) if self.name == "telegram" else f"MA.{number}"

    def send(self, to: str, message: OutboundMessage) -> str | None:
        async def run() -> str | None:
            if self.name == "telegram":
                settings = TelegramSettings(Secret(TEST_TOKEN), api_url=f"{self.fake.url}/bot")
                async with outbox_sender(settings, 2) as sender:
                    return (await sender.send(to, message)).message_id
            async with WhatsAppSender(whatsapp_settings(self.fake), attempts=1) as sender:
                return (await sender.send(to, message)).message_id

        return asyncio.run(run())

    def received(self, to: str) -> list[dict[str, Any]]:
        """What the fake recorded of each send to ``to``: Telegram's ``sendMessage`` parameters (text and
        reply markup), or the body the Graph API got."""
        return self.fake.sent(int(to) if self.name == "telegram" else to)

    def id_of(self, received: dict[str, Any]) -> str:
        return str(received["message_id"] if self.name == "telegram" else received["id"])

    def fail(self, to: str, error: dict[str, Any]) -> None:
        if self.name == "telegram":
            self.fake.fault("sendMessage", error["status"], retry_after=error.get("retry_after"))
        else:
            self.fake.fail(error["code"], to=to)

    def text_of(self, received: dict[str, Any]) -> str:
        if self.name == "telegram":
            return str(received["text"])
        kind = received["type"]
        return str(received["text"]["body"] if kind == "text" else received["interactive"]["body"]["text"])


def whatsapp_settings(fake: WhatsAppServer) -> WhatsAppSettings:
    return WhatsAppSettings(
        token=Secret(TOKEN),
        phone_number_id=BUSINESS.phone_number_id,
        app_secret=Secret(APP_SECRET),
        verify_token=Secret(VERIFY_TOKEN),
        api_url=fake.api_url,
    )


@pytest.fixture
def platform(request: pytest.FixtureRequest) -> Platform:
    """The adapter a case is for, with its fake (started once for the module, when first needed)."""
    return Platform(request.param, request.getfixturevalue(f"{request.param}_fake"))


def _outbound(spec: dict[str, Any]) -> OutboundMessage:
    buttons = tuple(Button(title, payload) for title, payload in spec.get("buttons", ()))
    return OutboundMessage(spec["text"], spec["language"], buttons)


@pytest.mark.parametrize(("platform", "case"), cases("message"), indirect=["platform"])
def test_a_message_arrives_as_the_request_bodies_its_table_says(
    platform: Platform, case: dict[str, Any]
) -> None:
    to = platform.address(case["label"])
    last = platform.send(to, _outbound(case["message"]))
    received = platform.received(to)
    assert received and platform.id_of(received[-1]) == last
    assert _like(received, case["expected"]) == case["expected"]


@pytest.mark.parametrize(("platform", "case"), cases("error"), indirect=["platform"])
def test_an_error_response_is_the_send_error_its_table_says(platform: Platform, case: dict[str, Any]) -> None:
    to = platform.address(case["label"])
    platform.fail(to, case["error"])
    with pytest.raises(SendError) as caught:
        platform.send(to, OutboundMessage("salam", "fr"))
    error = caught.value
    actual = {"kind": type(error).__name__, "retryable": error.retryable, "retry_after": error.retry_after}
    assert actual == case["expected"]


@pytest.mark.parametrize("platform", PLATFORMS, indirect=True)
def test_text_over_4096_characters_arrives_split_and_whole_with_the_buttons_last(platform: Platform) -> None:
    adapter = platform
    to = adapter.address("split")
    text = "\n\n".join(f"Paragraph {n}. " + "kelma " * 150 for n in range(8))
    adapter.send(to, OutboundMessage(text, "aeb", (Button("Ey", "/affirm"),)))
    received = adapter.received(to)
    bodies = [adapter.text_of(r) for r in received]
    assert len(received) >= 2 and all(len(body) <= 4096 for body in bodies)
    assert " ".join(" ".join(bodies).split()) == " ".join(text.split())
    markup = [bool(r.get("reply_markup") or r.get("type") == "interactive") for r in received]
    assert markup == [False] * (len(received) - 1) + [True]
    if platform.name == "whatsapp":  # an interactive message's body holds 1,024 characters
        assert len(bodies[-1]) <= 1024
