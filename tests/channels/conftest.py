"""The local Bot API server in a thread, and the real bot process (``mentor run``) pointed at it."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web

from bot.settings import ROOT
from tests.fakes.telegram_bot_api import FakeBotApi

MENTOR = str(Path(sys.executable).with_name("mentor"))
TOKEN = "123456:TEST-token-never-logged"
SECRET = "webhook-secret_42"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class BotApiServer:
    """Where the fake Bot API listens, and an HTTP client to play users with."""

    url: str
    client: httpx.Client

    def text(self, chat_id: int, text: str, **extra: Any) -> None:
        self.client.post(
            f"{self.url}/test/text", json={"chat_id": chat_id, "text": text, **extra}
        ).raise_for_status()

    def press(self, chat_id: int, data: str) -> None:
        self.client.post(f"{self.url}/test/press", json={"chat_id": chat_id, "data": data}).raise_for_status()

    def sticker(self, chat_id: int) -> None:
        self.client.post(f"{self.url}/test/sticker", json={"chat_id": chat_id}).raise_for_status()

    def fault(self, method: str, status: int, times: int = 1, retry_after: int | None = None) -> None:
        body = {"method": method, "status": status, "times": times, "retry_after": retry_after}
        self.client.post(f"{self.url}/test/fault", json=body).raise_for_status()

    def block(self, chat_id: int) -> None:
        self.client.post(f"{self.url}/test/block", json={"chat_id": chat_id}).raise_for_status()

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


@pytest.fixture(scope="module")
def bot_api() -> Iterator[BotApiServer]:
    """The fake Bot API on a free local port, served from its own thread and event loop."""
    port = free_port()
    ready = threading.Event()
    loop = asyncio.new_event_loop()
    fake = FakeBotApi()
    runner = web.AppRunner(fake.app, access_log=None)

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(10)
    with httpx.Client(timeout=10) as client:
        yield BotApiServer(f"http://127.0.0.1:{port}", client)
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


@dataclass
class BotProcess:
    """The running ``mentor run`` process and its database."""

    process: subprocess.Popen[str]
    database_url: str
    log: Path

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


def start_bot(bot_api: BotApiServer, folder: Path, **env: str) -> BotProcess:
    """Start the real bot process against the fake Bot API."""
    database_url = f"sqlite:///{folder / 'telegram.db'}"
    environment = dict(
        os.environ,
        MENTOR_TELEGRAM_TOKEN=TOKEN,
        MENTOR_TELEGRAM_API_URL=f"{bot_api.url}/bot",
        MENTOR_DATABASE_URL=database_url,
        MENTOR_LOG_LEVEL="DEBUG",
        **env,
    )
    log = folder / "bot.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [MENTOR, "run"], env=environment, cwd=ROOT, stdout=output, stderr=output, text=True
        )
    return BotProcess(process, database_url, log)
