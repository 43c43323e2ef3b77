"""A client that plays WhatsApp users against the local Graph API fake and reads what the bot sent."""

from __future__ import annotations

import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import httpx

from bot.evaluation.telegram_harness import fake_server
from fakes.whatsapp_graph import APP_SECRET, BUSINESS, TOKEN, VERIFY_TOKEN

API_VERSION = "23.0"


def whatsapp_graph_server() -> AbstractContextManager[str]:
    """A fresh local WhatsApp Graph API fake; yields its base URL (``http://127.0.0.1:PORT``)."""
    return fake_server("fakes.whatsapp_graph")


@dataclass
class WhatsAppServer:
    """Where the fake listens, the ids and secrets it expects, and an HTTP client to play users with."""

    url: str
    client: httpx.Client
    token: str = TOKEN
    app_secret: str = APP_SECRET
    verify_token: str = VERIFY_TOKEN
    phone_number_id: str = BUSINESS.phone_number_id
    waba_id: str = BUSINESS.waba_id

    @property
    def api_url(self) -> str:
        """The Graph base URL with its version, as ``MENTOR_WHATSAPP_API_URL`` takes it."""
        return f"{self.url}/v{API_VERSION}"

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        reply = self.client.post(f"{self.url}/test/{path}", json=body)
        reply.raise_for_status()
        return reply.json()

    def webhook(self, url: str, app_secret: str | None = None, verify_token: str | None = None) -> None:
        """Where the fake POSTs webhooks (the bot's ``/webhooks/whatsapp``) and with which secrets."""
        body: dict[str, Any] = {"url": url}
        if app_secret is not None:
            body["app_secret"] = self.app_secret = app_secret
        if verify_token is not None:
            body["verify_token"] = self.verify_token = verify_token
        self._post("webhook", body)

    def play(self, kind: str, user_id: str, **extra: Any) -> dict[str, Any]:
        """A person's message of ``kind`` (text, button_reply, list_reply, button, voice, image, sticker,
        location, contacts, reaction, unknown...): ``{"status": what the bot answered, "message_id"}``."""
        return self._post(kind, {"user_id": user_id, **extra})

    def text(self, user_id: str, text: str, **extra: Any) -> dict[str, Any]:
        return self.play("text", user_id, text=text, **extra)

    def press(self, user_id: str, button_id: str, title: str | None = None) -> dict[str, Any]:
        return self.play("button_reply", user_id, id=button_id, title=title or button_id)

    def choose(self, user_id: str, row_id: str, title: str | None = None) -> dict[str, Any]:
        return self.play("list_reply", user_id, id=row_id, title=title or row_id)

    def raw(self, body: str | dict[str, Any], signature: str = "signed") -> int:
        """POST any body to the bot, ``signed``, ``unsigned``, ``forged`` or with this exact header."""
        return self._post("raw", {"body": body, "signature": signature})["status"]

    def replay(self, index: int = -1) -> int:
        return self._post("replay", {"index": index})["status"]

    def verify(self, **params: Any) -> dict[str, Any]:
        """Meta's subscription handshake against the bot: ``{"status", "body"}``."""
        return self._post("verify", params)

    def ask(self, user_id: str, text: str, timeout: float = 30, **extra: Any) -> dict[str, Any]:
        return self._post("ask", {"user_id": user_id, "text": text, "timeout": timeout, **extra})

    def status(self, message_id: str, status: str, code: int | None = None) -> int:
        body: dict[str, Any] = {"id": message_id, "status": status}
        if code is not None:
            body["code"] = code
        return self._post("status", body)["status"]

    def statuses(self, ids: list[str], status: str, concurrency: int = 50) -> dict[str, Any]:
        """Status webhooks for many sent messages at once: the bot's answers and acknowledgement times."""
        return self._post("status", {"ids": ids, "status": status, "concurrency": concurrency})

    def auto_status(self, *statuses: str) -> None:
        """Send these status webhooks for every message the bot sends from now on (e.g. sent, delivered)."""
        self._post("auto_status", {"statuses": list(statuses)})

    def fail(self, code: int, times: int = 1, to: str | None = None, mode: str = "sync") -> None:
        self._post("fail", {"code": code, "times": times, "to": to, "mode": mode})

    def limit(
        self, per_second: float = 80, pair_seconds: float = 6, pair_burst: int = 1, enforce: bool = True
    ) -> None:
        body = {
            "per_second": per_second,
            "pair_seconds": pair_seconds,
            "pair_burst": pair_burst,
            "enforce": enforce,
        }
        self._post("limits", body)

    def templates(self, *templates: dict[str, Any]) -> list[dict[str, Any]]:
        return self._post("templates", {"templates": list(templates)})["templates"]

    def config(self, **settings: Any) -> None:
        self._post("config", settings)

    def reset(self) -> None:
        self._post("reset", {})

    def sent(self, user: str) -> list[dict[str, Any]]:
        return self.client.get(f"{self.url}/test/sent", params={"user": user}).json()["messages"]

    def read(self) -> list[str]:
        """Ids of the messages the bot marked as read."""
        return self.client.get(f"{self.url}/test/sent", params={"user": ""}).json()["read"]

    def stats(self) -> dict[str, Any]:
        return self.client.get(f"{self.url}/test/stats").json()

    def wait_for(self, user: str, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        """The bot's messages to a person, once there are at least ``count``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = self.sent(user)
            if len(messages) >= count:
                return messages
            time.sleep(0.05)
        raise AssertionError(f"{user}: expected {count} messages, got {len(self.sent(user))}")
