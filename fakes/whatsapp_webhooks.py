"""How the local WhatsApp fake reaches the bot as Meta does: signed webhook POSTs and the subscription
handshake GET, each answered with the status the bot gave (the bot's answer is what tests judge)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from fakes import whatsapp_payloads as payloads


@dataclass
class WebhookSender:
    """The bot's webhook URL and the secrets Meta would use with it, and what was delivered."""

    app_secret: str
    verify_token: str
    url: str | None = None
    bodies: list[bytes] = field(default_factory=list)
    answers: Counter[int] = field(default_factory=Counter)
    _session: aiohttp.ClientSession | None = None

    def _client(self) -> tuple[aiohttp.ClientSession, str]:
        if not self.url:
            raise web.HTTPConflict(text="no webhook URL: POST /test/webhook first")
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._session, self.url

    async def deliver(self, body: bytes, signature: str | None = None, sign: bool = True) -> int:
        """POST a raw body, signed with the app secret unless told otherwise; return the bot's status."""
        session, url = self._client()
        headers = {"Content-Type": "application/json", "User-Agent": "facebookexternalua"}
        if signature is not None:
            headers["X-Hub-Signature-256"] = signature
        elif sign:
            headers["X-Hub-Signature-256"] = payloads.signature(self.app_secret, body)
        self.bodies.append(body)
        async with session.post(url, data=body, headers=headers) as reply:
            await reply.read()
            self.answers[reply.status] += 1
            return reply.status

    async def deliver_many(self, bodies: list[bytes], concurrency: int) -> dict[str, Any]:
        """POST many bodies, ``concurrency`` at a time; the bot's answers and how fast it acknowledged."""
        gate = asyncio.Semaphore(max(1, concurrency))
        answers: Counter[int] = Counter()
        waits: list[float] = []

        async def one(body: bytes) -> None:
            async with gate:
                started = time.perf_counter()
                try:
                    answers[await self.deliver(body)] += 1
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    answers[0] += 1
                waits.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(one(body) for body in bodies))
        elapsed = time.perf_counter() - started
        waits.sort()

        def ms(share: float) -> float | None:
            return round(1000 * waits[min(len(waits) - 1, int(share * len(waits)))], 2) if waits else None

        return {
            "sent": len(bodies),
            "answers": {str(k): v for k, v in sorted(answers.items())},
            "seconds": elapsed,
            "per_second": len(bodies) / elapsed if elapsed > 0 else None,
            "ack_ms": {"p50": ms(0.5), "p95": ms(0.95), "p99": ms(0.99), "max": ms(1.0)},
        }

    async def forged(self, body: bytes) -> int:
        """POST a body with a signature made with the wrong secret."""
        return await self.deliver(body, signature=payloads.signature(self.app_secret + "-forged", body))

    async def handshake(self, params: dict[str, Any]) -> dict[str, Any]:
        """Meta's subscription check: GET with ``hub.mode``, ``hub.verify_token`` and ``hub.challenge``."""
        session, url = self._client()
        query = {
            "hub.mode": params.get("mode", "subscribe"),
            "hub.verify_token": params.get("verify_token", self.verify_token),
            "hub.challenge": str(params.get("challenge", "1158201444")),
        }
        async with session.get(url, params=query) as reply:
            return {"status": reply.status, "body": await reply.text()}

    def figures(self) -> dict[str, Any]:
        return {
            "webhooks": len(self.bodies),
            "webhook_answers": {str(k): v for k, v in sorted(self.answers.items())},
        }

    def forget(self) -> None:
        """Drop what was delivered; keep where and how to deliver."""
        self.bodies.clear()
        self.answers.clear()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
