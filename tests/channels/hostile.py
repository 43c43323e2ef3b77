"""Hostile and malformed webhook bodies, as an attacker or a broken proxy would send them: each a pair of the
kind (for the report) and the raw bytes. Deterministic for a seed, so a failure can be replayed."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from typing import Any

Body = tuple[str, bytes]


def _message(chat: int, **fields: Any) -> dict[str, Any]:
    return {
        "message_id": 1,
        "date": 1_790_000_000,
        "chat": {"id": chat, "type": "private"},
        "from": {"id": chat, "is_bot": False, "first_name": "Fuzz"},
        "text": "hello",
        **fields,
    }


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


WRONG = ["str", 5, -1, 1.5, True, None, [], {}, [1, "x"], {"a": {}}, 10**18, -(10**18), 10**40, "\x00\udfff"]


def _wrong_field(r: random.Random, chat: int) -> dict[str, Any]:
    """A real-looking update with one field of the wrong type or out of range."""
    value = r.choice(WRONG)
    where = r.choice(
        [
            ("message",),
            ("callback_query",),
            ("message", "text"),
            ("message", "date"),
            ("message", "chat"),
            ("message", "chat", "id"),
            ("message", "from"),
            ("message", "from", "language_code"),
            ("message", "entities"),
            ("message", "reply_to_message"),
            ("message", "message_id"),
            ("update_id",),
            ("my_chat_member",),
            ("edited_message",),
        ]
    )
    update: dict[str, Any] = {"update_id": r.randrange(10**8), "message": _message(chat)}
    target = update
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    return update


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


def _body_kinds(r: random.Random, chat: int) -> list[tuple[str, Callable[[], bytes]]]:
    return [
        ("not an object", lambda: json.dumps(r.choice([[], "x", None, 5, [1, 2], True])).encode()),
        ("wrong field", lambda: json.dumps(_wrong_field(r, chat)).encode()),
        (
            "deep nesting",
            lambda: f'{{"update_id": 1, "message": {_nested(r.randrange(900, 5000))}}}'.encode(),
        ),
        ("broken JSON", lambda: r.choice([b"{", b'{"update_id": 1,', b"nul", b"\xff\xfe{}", b""])),
        ("binary", lambda: r.randbytes(r.randrange(1, 2000))),
        ("huge number", lambda: b'{"update_id": 1' + b"9" * r.randrange(500, 20000) + b"}"),
        (
            "unknown update",
            lambda: json.dumps({"update_id": r.randrange(10**8), "poll": {"id": "x"}}).encode(),
        ),
        ("callback without message", lambda: json.dumps(_callback(r, chat)).encode()),
        (
            "text as list",
            lambda: json.dumps({"update_id": 7, "message": _message(chat, text=["a"])}).encode(),
        ),
    ]


def _callback(r: random.Random, chat: int) -> dict[str, Any]:
    query = {"id": str(r.randrange(10**6)), "from": {"id": chat, "is_bot": False, "first_name": "F"}}
    if r.random() < 0.5:
        query["data"] = "cmd:checkin help forged"
    return {"update_id": r.randrange(10**8), "callback_query": query}


def bodies(count: int, seed: int = 27, chat: int = 990_001) -> Iterator[Body]:
    """``count`` hostile bodies, cycling through every kind."""
    r = random.Random(seed)
    kinds = _body_kinds(r, chat)
    for number in range(count):
        name, make = kinds[number % len(kinds)]
        yield name, make()


def secret_headers(secret: str) -> list[tuple[str, list[tuple[bytes, bytes]]]]:
    """Secret-header variants that must all be refused: missing, wrong, non-UTF-8, doubled, padded."""
    name = b"x-telegram-bot-api-secret-token"
    right = secret.encode()
    return [
        ("missing", []),
        ("wrong", [(name, b"not-the-secret")]),
        ("non-UTF-8 bytes", [(name, b"\xff\xfe\xc3\x28" + right)]),
        ("prefix of the secret", [(name, right[:-1])]),
        ("secret and more", [(name, right + b"x")]),
        ("twice", [(name, right), (name, right)]),
        ("empty", [(name, b"")]),
    ]
