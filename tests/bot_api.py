"""A client that plays users against the local Bot API server and reads what the bot sent."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass
class BotApiServer:
    """Where the fake Bot API listens, and an HTTP client to play users with."""

    url: str
    client: httpx.Client

    def text(self, chat_id: int, text: str, **extra: Any) -> None:
        self.client.post(
            f"{self.url}/test/text", json={"chat_id": chat_id, "text": text, **extra}
        ).raise_for_status()

    def press(self, chat_id: int, data: str, message_id: int | None = None) -> None:
        """Press a button: on ``message_id``, else on the newest message offering it (else the newest)."""
        body = {"chat_id": chat_id, "data": data, "message_id": message_id}
        self.client.post(f"{self.url}/test/press", json=body).raise_for_status()

    def sticker(self, chat_id: int) -> None:
        self.client.post(f"{self.url}/test/sticker", json={"chat_id": chat_id}).raise_for_status()

    def fault(self, method: str, status: int, times: int = 1, retry_after: int | None = None) -> None:
        body = {"method": method, "status": status, "times": times, "retry_after": retry_after}
        self.client.post(f"{self.url}/test/fault", json=body).raise_for_status()

    def block(self, chat_id: int) -> None:
        self.client.post(f"{self.url}/test/block", json={"chat_id": chat_id}).raise_for_status()

    def member(self, chat_id: int, status: str) -> None:
        """The person blocks (``kicked``) or unblocks (``member``) the bot."""
        body = {"chat_id": chat_id, "status": status}
        self.client.post(f"{self.url}/test/member", json=body).raise_for_status()

    def update(self, update: dict[str, Any]) -> None:
        """Deliver this update as it is, its ``update_id`` included."""
        self.client.post(f"{self.url}/test/update", json=update).raise_for_status()

    def sent(self, chat_id: int) -> list[dict[str, Any]]:
        return self.client.get(f"{self.url}/test/sent", params={"chat_id": chat_id}).json()

    def calls(self) -> dict[str, Any]:
        return self.client.get(f"{self.url}/test/calls").json()

    def wait_for(self, chat_id: int, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        """The bot's messages to a chat, once there are at least ``count``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = self.sent(chat_id)
            if len(messages) >= count:
                time.sleep(0.3)  # let a multi-message reply finish
                return self.sent(chat_id)
            time.sleep(0.05)
        raise AssertionError(f"chat {chat_id}: expected {count} messages, got {self.sent(chat_id)}")

    def wait_until(self, condition: Callable[[dict[str, Any]], bool], timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition(self.calls()):
                return
            time.sleep(0.1)
        raise AssertionError(f"the bot never got there: {self.calls()['calls'][-10:]}")

    def limit(self, per_second: float, per_chat_per_second: float = 1.0) -> None:
        body = {"per_second": per_second, "per_chat_per_second": per_chat_per_second}
        self.client.post(f"{self.url}/test/limits", json=body).raise_for_status()

    def stats(self) -> dict[str, Any]:
        return self.client.get(f"{self.url}/test/stats").json()
