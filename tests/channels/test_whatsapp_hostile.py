"""The running bot's WhatsApp webhook tried as an attacker would: 10,000 signed malformed or hostile bodies
(broken JSON, wrong types, missing fields, deep nesting, huge bodies, unknown types) never get a 5xx and leave
the process up and answering; forged signatures are all refused."""

from __future__ import annotations

import copy
import json
import random
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bot.evaluation.telegram_harness import BotProcess
from bot.evaluation.whatsapp_harness import start_whatsapp_bot
from fakes import whatsapp_payloads as payloads
from fakes.whatsapp_graph import APP_SECRET, BUSINESS
from tests.whatsapp_api import WhatsAppServer, whatsapp_graph_server

pytestmark = pytest.mark.model

COUNT = 10_000
WRONG: list[Any] = ["str", 5, -1, 1.5, True, None, [], {}, [1, "x"], {"a": {}}, 10**18, 10**40, "\x00\udfff"]


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WhatsAppServer, BotProcess, str]]:
    with whatsapp_graph_server() as url, httpx.Client(timeout=60) as client:
        whatsapp = WhatsAppServer(url, client)
        whatsapp.limit(enforce=False)
        bot, webhook = start_whatsapp_bot(whatsapp.api_url, tmp_path_factory.mktemp("wa-hostile"))
        whatsapp.webhook(webhook)
        try:
            yield whatsapp, bot, webhook
        finally:
            assert bot.stop() == 0


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _mutated(r: random.Random, base: dict[str, Any]) -> dict[str, Any]:
    """The notification with one field of the wrong type, or removed, or one unknown type."""
    body = copy.deepcopy(base)
    path = r.choice([p for p in _paths(body) if p])
    parent = body
    for part in path[:-1]:
        parent = parent[part]
    action = r.random()
    if action < 0.6:
        parent[path[-1]] = r.choice(WRONG)
    elif action < 0.85 and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        message = body["entry"][0]["changes"][0]["value"]["messages"][0]
        message["type"] = r.choice(["edit", "order", "system", "x" * 100, "interactive", "button"])
    return body


def _bodies(r: random.Random, count: int) -> Iterator[tuple[str, bytes]]:
    kinds = ("voice", "sticker", "location", "reaction", "unknown")
    for n in range(count):
        kind = r.choice(kinds)
        wa_type, content = payloads.content(kind, {"message_id": "wamid.X="})
        _, base = payloads.message(BUSINESS, payloads.Person("MA.777"), wa_type, content)
        roll = n % 10
        if roll == 0:
            yield "broken json", json.dumps(base).encode()[: r.randrange(1, 200)]
        elif roll == 1:
            yield "not utf-8", b"\xff\xfe" + bytes(r.randrange(256) for _ in range(50))
        elif roll == 2:
            yield "deep nesting", b"[" * 100_000 + b"]" * 100_000
        elif roll == 3 and n % 100 == 3:
            yield "huge body", b'{"object": "' + b"a" * 1_100_000 + b'"}'
        elif roll == 4:
            yield "not an object", json.dumps(r.choice(WRONG[:10])).encode()
        else:
            yield "wrong or missing field", json.dumps(_mutated(r, base), ensure_ascii=True).encode()


def _post(client: httpx.Client, url: str, body: bytes, signature: str) -> int:
    """The bot's status; 0 when it closed the connection while the body was still being sent (a huge body
    answered 413 before it was read)."""
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
    try:
        return client.post(url, content=body, headers=headers).status_code
    except httpx.TransportError:
        return 0


def test_ten_thousand_hostile_signed_bodies_get_no_5xx_and_the_bot_still_answers(running) -> None:
    whatsapp, bot, webhook = running
    answers: Counter[tuple[str, int]] = Counter()
    with httpx.Client(timeout=30) as client:
        for kind, body in _bodies(random.Random(10), COUNT):
            status = _post(client, webhook, body, payloads.signature(APP_SECRET, body))
            answers[(kind, status)] += 1
    assert not [key for key in answers if key[1] >= 500], answers
    assert sum(answers.values()) == COUNT and bot.process.poll() is None
    assert {status for (kind, status) in answers if kind == "huge body"} <= {413, 0}
    assert not [key for key in answers if key[1] == 0 and key[0] != "huge body"], answers
    whatsapp.text("MA.888", "quels documents pour le visa ?")
    assert whatsapp.wait_for("MA.888", 1, timeout=60)


def test_every_forged_signature_is_refused(running) -> None:
    _, _, webhook = running
    r = random.Random(11)
    statuses: Counter[int] = Counter()
    with httpx.Client(timeout=30) as client:
        for _, body in _bodies(r, 500):
            forged = [
                payloads.signature(APP_SECRET + "x", body),
                "sha256=" + "0" * 64,
                "sha1=" + "0" * 40,
                "",
                payloads.signature(APP_SECRET, body + b" "),
            ]
            statuses[_post(client, webhook, body, r.choice(forged))] += 1
    assert set(statuses) <= {403, 413, 0} and statuses[403] >= 490, statuses
