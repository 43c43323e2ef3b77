"""Run the local Bot API server and the real bot process (``mentor run``) against it.

Shared by the end-to-end tests and ``mentor bench``: the server runs in a thread with its own event loop; the
bot is a child process configured only through its environment, as in production.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from bot.evaluation.telegram_bot_api import FakeBotApi
from bot.settings import ROOT

MENTOR = str(Path(sys.executable).with_name("mentor"))
TEST_TOKEN = "123456:TEST-token-never-logged"


def free_port() -> int:
    """A TCP port nothing listens on, on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def bot_api_server() -> Iterator[str]:
    """Serve a fresh local Bot API from a thread; yield its base URL (``http://127.0.0.1:PORT``)."""
    port = free_port()
    ready = threading.Event()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(FakeBotApi().app, access_log=None)

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    if not ready.wait(10):
        raise RuntimeError("the local Bot API server did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


@dataclass
class BotProcess:
    """The running ``mentor run`` process, its database and its log."""

    process: subprocess.Popen[str]
    database_url: str
    log: Path

    def stop(self) -> int:
        """Ask it to stop (SIGTERM) and return its exit code."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


def start_bot(api_url: str, folder: Path, **env: str) -> BotProcess:
    """Start ``mentor run`` on Telegram against ``api_url``, with a database and a log in ``folder``."""
    database_url = f"sqlite:///{folder / 'telegram.db'}"
    environment = dict(
        os.environ,
        MENTOR_TELEGRAM_TOKEN=TEST_TOKEN,
        MENTOR_TELEGRAM_API_URL=f"{api_url}/bot",
        MENTOR_DATABASE_URL=database_url,
        **env,
    )
    log = folder / "bot.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [MENTOR, "run"], env=environment, cwd=ROOT, stdout=output, stderr=output, text=True
        )
    return BotProcess(process, database_url, log)


def webhook_env(port: int, secret: str) -> dict[str, str]:
    """The settings of webhook mode on a local port."""
    return {
        "MENTOR_TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook",
        "MENTOR_TELEGRAM_WEBHOOK_SECRET": secret,
        "MENTOR_TELEGRAM_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
    }
