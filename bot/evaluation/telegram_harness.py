"""Run the local Bot API server and the real bot process (``mentor run``) against it.

Shared by the end-to-end tests and ``mentor bench``. Both are child processes; the bot is configured only
through its environment, as in production.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.settings import ROOT

MENTOR = str(Path(sys.executable).with_name("mentor"))
TEST_TOKEN = "123456:TEST-token-never-logged"


def free_port() -> int:
    """A TCP port nothing listens on, on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def fake_server(module: str) -> Iterator[str]:
    """Run one of the local platform fakes (``python -m MODULE PORT``) in its own process, so that a load
    generator in this one does not slow it down; yield its base URL (``http://127.0.0.1:PORT``)."""
    port = free_port()
    command = [sys.executable, "-m", module, str(port)]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def bot_api_server() -> AbstractContextManager[str]:
    """A fresh local Telegram Bot API server."""
    return fake_server("fakes.telegram_bot_api")


def wait_for_port(port: int, seconds: float = 30.0) -> None:
    """Return once something listens on the loopback ``port``; raise after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"the local server did not listen on port {port}")


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
    """Start ``mentor run`` on Telegram against ``api_url``, with a log in ``folder`` and a database there
    unless ``env`` names one."""
    folder.mkdir(parents=True, exist_ok=True)
    environment = {
        **os.environ,
        "MENTOR_WEB_LISTEN": f"127.0.0.1:{free_port()}",
        "MENTOR_TELEGRAM_TOKEN": TEST_TOKEN,
        "MENTOR_TELEGRAM_API_URL": f"{api_url}/bot",
        "MENTOR_DATABASE_URL": f"sqlite:///{folder / 'telegram.db'}",
        **env,
    }
    database_url = environment["MENTOR_DATABASE_URL"]
    log = folder / "bot.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [MENTOR, "run"], env=environment, cwd=ROOT, stdout=output, stderr=output, text=True
        )
    return BotProcess(process, database_url, log)


def webhook_env(port: int, secret: str) -> dict[str, str]:
    """The settings of webhook mode, the web server on a local port."""
    return {
        "MENTOR_TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/webhooks/telegram",
        "MENTOR_TELEGRAM_WEBHOOK_SECRET": secret,
        "MENTOR_WEB_LISTEN": f"127.0.0.1:{port}",
    }
