"""Round trips through the local Bot API server, in polling and in webhook mode, one user and 200 at once.

A round trip is measured by the server: from a user's update arriving (queued for getUpdates, or POSTed to the
webhook) to the bot's first ``sendMessage`` for that chat. The load run plays 200 people who each write a
few messages, a few seconds apart, all active at the same time; a reply that never comes counts as lost.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bot.evaluation import crowd, telegram_burst
from bot.evaluation.telegram_harness import bot_api_server, free_port, start_bot, webhook_env

SEQUENTIAL = 100
SECRET = "bench-secret"


def _chat(person: int, text: str) -> dict[str, Any]:
    """What the Bot API fake's ``/test/ask`` takes: a private chat's id and a text."""
    return {"chat_id": 10_000 + person, "text": text}


def _wait_ready(url: str, webhook: str | None, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    with httpx.Client() as client:
        while time.monotonic() < deadline:
            state = client.get(f"{url}/test/calls").json()
            if (webhook and state["webhook_url"] == webhook) or (
                not webhook and "getUpdates" in state["calls"]
            ):
                return
            time.sleep(0.2)
    raise RuntimeError("the bot did not start")


def measure(texts: list[str]) -> dict[str, Any]:
    """Figures for both modes."""
    figures: dict[str, Any] = {}
    for mode in ("polling", "webhook"):
        with bot_api_server() as url, tempfile.TemporaryDirectory() as folder:
            env = webhook_env(free_port(), SECRET) if mode == "webhook" else {}
            bot = start_bot(url, Path(folder), **env)
            try:
                _wait_ready(url, env.get("MENTOR_TELEGRAM_WEBHOOK_URL"))
                figures[mode] = crowd.figures(url, _chat, texts, SEQUENTIAL, crowd.Crowd())
            finally:
                bot.stop()
    return figures


def burst() -> dict[str, Any]:
    """The burst of ``telegram_burst``, on a fresh bot in webhook mode."""
    with bot_api_server() as url, tempfile.TemporaryDirectory() as folder:
        env = webhook_env(free_port(), SECRET)
        bot = start_bot(url, Path(folder), **env)
        try:
            _wait_ready(url, env["MENTOR_TELEGRAM_WEBHOOK_URL"])
            result = telegram_burst.run(url, env["MENTOR_TELEGRAM_WEBHOOK_URL"], SECRET)
        finally:
            bot.stop()
    return {
        "updates": result.updates,
        "people": result.updates // 10,
        "sent_in_s": round(result.sent_in_s, 1),
        "accepted": result.accepted,
        "newcomer_answered_after_s": result.newcomer_wait_s and round(result.newcomer_wait_s, 2),
        "all_answered_after_s": result.all_answered_after_s and round(result.all_answered_after_s, 1),
        "people_out_of_order_or_lost": len(result.out_of_order_or_lost),
    }
