"""The WhatsApp adapter as labelled tables over recorded payloads (``testdata/whatsapp/*.json``): webhook
payload to ``InboundMessage`` or status, ``OutboundMessage`` to the request body the Graph API receives (at
the local fake), and Meta's error responses to ``SendError`` kinds. No phone number, token or secret may reach
the captured logs."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.channels import whatsapp_updates
from bot.channels.payloads import BadPayload
from bot.channels.whatsapp_sender import WhatsAppSender
from bot.core.messages import Button, OutboundMessage
from bot.core.send_errors import SendError
from bot.settings import Secret, WhatsAppSettings
from fakes.whatsapp_graph import APP_SECRET, BUSINESS, TOKEN, VERIFY_TOKEN
from tests.whatsapp_api import WhatsAppServer, whatsapp_graph_server

DATA = Path(__file__).parent / "testdata" / "whatsapp"
PHONE = "212600000001"


def table(name: str) -> list[dict[str, Any]]:
    return list(json.loads((DATA / f"{name}.json").read_text(encoding="utf-8")))


def labelled(name: str) -> list[Any]:
    return [pytest.param(case, id=case["label"]) for case in table(name)]


@pytest.fixture(scope="module")
def graph() -> Iterator[WhatsAppServer]:
    with whatsapp_graph_server() as url, httpx.Client(timeout=30) as client:
        server = WhatsAppServer(url, client)
        server.limit(enforce=False)
        yield server


@pytest.fixture(autouse=True)
def _no_secrets_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.DEBUG)
    yield
    logged = caplog.text
    assert PHONE not in logged and TOKEN not in logged and APP_SECRET not in logged


@pytest.mark.parametrize("case", labelled("inbound"))
def test_a_message_webhook_becomes_its_inbound_message(case: dict[str, Any]) -> None:
    parsed = whatsapp_updates.parse(whatsapp_updates.check(case["payload"]), BUSINESS.phone_number_id)
    [incoming] = parsed.messages
    expected = {"argument": "", **case["expected"]}
    inbound = incoming.inbound
    actual = {key: getattr(inbound, key) for key in expected}
    assert (inbound.channel, actual) == ("whatsapp", expected)
    assert incoming.message_id.startswith("wamid.") and parsed.statuses == []


@pytest.mark.parametrize("case", labelled("statuses"))
def test_a_status_webhook_becomes_its_status_report(case: dict[str, Any]) -> None:
    parsed = whatsapp_updates.parse(whatsapp_updates.check(case["payload"]), BUSINESS.phone_number_id)
    [report] = parsed.statuses
    actual = {key: getattr(report, key) for key in case["expected"]}
    assert actual == case["expected"] and parsed.messages == []


def test_a_notification_for_another_phone_number_is_ignored() -> None:
    [case] = [c for c in table("inbound") if c["label"].startswith("text from a Moroccan")]
    parsed = whatsapp_updates.parse(whatsapp_updates.check(case["payload"]), "999")
    assert parsed.messages == [] and parsed.statuses == []


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ([], "not an object"),
        ({"object": "page", "entry": []}, "object"),
        ({"object": "whatsapp_business_account", "entry": "x"}, "entry"),
        (
            {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": 1}]}]},
            "entry.0.changes.0",
        ),
        (
            {
                "object": "whatsapp_business_account",
                "entry": [
                    {
                        "changes": [
                            {
                                "field": "messages",
                                "value": {"metadata": {"phone_number_id": 5}, "messages": []},
                            }
                        ]
                    }
                ],
            },
            "phone_number_id",
        ),
    ],
)
def test_hostile_shapes_are_refused_naming_the_field(body: Any, where: str) -> None:
    with pytest.raises(BadPayload) as refused:
        whatsapp_updates.check(body)
    assert where in refused.value.where


def _settings(graph: WhatsAppServer) -> WhatsAppSettings:
    return WhatsAppSettings(
        token=Secret(TOKEN),
        phone_number_id=BUSINESS.phone_number_id,
        app_secret=Secret(APP_SECRET),
        verify_token=Secret(VERIFY_TOKEN),
        api_url=graph.api_url,
    )


def _send(graph: WhatsAppServer, to: str, message: OutboundMessage) -> str | None:
    async def run() -> str | None:
        async with WhatsAppSender(_settings(graph), attempts=1) as sender:
            return (await sender.send(to, message)).message_id

    return asyncio.run(run())


@pytest.mark.parametrize("case", labelled("outbound"))
def test_an_outbound_message_becomes_its_request_body(graph: WhatsAppServer, case: dict[str, Any]) -> None:
    to = f"MA.{abs(hash(case['label'])) % 10**12}"
    spec = case["message"]
    message = OutboundMessage(spec["text"], spec["language"], tuple(Button(t, p) for t, p in spec["buttons"]))
    wamid = _send(graph, to, message)
    sent = graph.sent(to)
    assert [m["id"] for m in sent][-1] == wamid
    assert [{k: m[k] for k in expected} for m, expected in zip(sent, case["expected"], strict=True)] == case[
        "expected"
    ]


def test_text_over_4096_characters_is_split_with_the_buttons_on_the_last_piece(graph: WhatsAppServer) -> None:
    to = "TN.55555"
    text = "\n\n".join(f"Paragraph {n}. " + "kelma " * 150 for n in range(8))
    _send(graph, to, OutboundMessage(text, "aeb", (Button("Ey", "/affirm"),)))
    sent = graph.sent(to)
    bodies = [m["text"]["body"] if m["type"] == "text" else m["interactive"]["body"]["text"] for m in sent]
    assert len(sent) >= 2 and all(len(b) <= 4096 for b in bodies)
    assert sent[-1]["type"] == "interactive" and len(bodies[-1]) <= 1024
    assert " ".join(" ".join(bodies).split()) == " ".join(text.split())


@pytest.mark.parametrize("case", labelled("errors"))
def test_an_error_response_becomes_its_send_error_kind(graph: WhatsAppServer, case: dict[str, Any]) -> None:
    to = f"MA.{case['code']}"
    graph.fail(case["code"], to=to)
    with pytest.raises(SendError) as caught:
        _send(graph, to, OutboundMessage("hi", "fr"))
    error = caught.value
    actual = {"kind": type(error).__name__, "retryable": error.retryable, "retry_after": error.retry_after}
    assert actual == case["expected"]
