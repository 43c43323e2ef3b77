"""The fake WhatsApp Graph API in its own process, and a stand-in bot that records the webhooks it gets."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from tests.whatsapp_api import WhatsAppServer, whatsapp_graph_server


@pytest.fixture(scope="module")
def graph_url() -> Iterator[str]:
    with whatsapp_graph_server() as url:
        yield url


@pytest.fixture
def whatsapp(graph_url: str) -> Iterator[WhatsAppServer]:
    """A client of the fake, reset before each test."""
    with httpx.Client(timeout=30) as client:
        server = WhatsAppServer(graph_url, client)
        server.reset()
        server.config(token=server.token)
        server.limit(enforce=False)
        yield server


@dataclass
class Received:
    """One request the stand-in bot got."""

    method: str
    headers: dict[str, str]
    query: dict[str, list[str]]
    body: bytes


@dataclass
class Receiver:
    """A webhook endpoint on a free loopback port; ``on_post`` may act on each POST (e.g. reply)."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    status: int = 200
    on_post: Callable[[Received], None] | None = None
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def posts(self, count: int, timeout: float = 10.0) -> list[Received]:
        """The POSTs so far, once there are at least ``count``."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self._posts()) >= count, timeout)
        return self._posts()

    def _posts(self) -> list[Received]:
        return [r for r in self.requests if r.method == "POST"]


@pytest.fixture
def receiver(whatsapp: WhatsAppServer) -> Iterator[Receiver]:
    """The stand-in bot, registered as the fake's webhook URL."""
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def _record(self, method: str) -> Received:
            length = int(self.headers.get("Content-Length") or 0)
            parsed = urlparse(self.path)
            received = Received(
                method, dict(self.headers.items()), parse_qs(parsed.query), self.rfile.read(length)
            )
            with state.arrived:
                state.requests.append(received)
                state.arrived.notify_all()
            return received

        def do_GET(self) -> None:
            received = self._record("GET")
            good = received.query.get("hub.verify_token") == [whatsapp.verify_token]
            answer = received.query["hub.challenge"][0].encode() if good else b"forbidden"
            self.send_response(200 if good else 403)
            self.end_headers()
            self.wfile.write(answer)

        def do_POST(self) -> None:
            received = self._record("POST")
            if state.on_post is not None:
                state.on_post(received)
            self.send_response(state.status)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/webhooks/whatsapp"
    whatsapp.webhook(state.url)
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
