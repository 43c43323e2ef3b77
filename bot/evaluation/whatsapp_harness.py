"""Run the real bot process (``mentor run``) on WhatsApp against a local Graph API fake.

Shared by the end-to-end tests (and, later, ``mentor bench``); the bot is configured only through its
environment, as in production.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import httpx

from bot.evaluation.telegram_harness import MENTOR, BotProcess, free_port
from bot.settings import ROOT
from fakes.whatsapp_graph import APP_SECRET, BUSINESS, TOKEN, VERIFY_TOKEN


def whatsapp_env(api_url: str, database_url: str) -> dict[str, str]:
    """The environment of a bot on WhatsApp against ``api_url`` (the Graph base with its version)."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("MENTOR_")},
        "MENTOR_WHATSAPP_TOKEN": TOKEN,
        "MENTOR_WHATSAPP_PHONE_NUMBER_ID": BUSINESS.phone_number_id,
        "MENTOR_WHATSAPP_BUSINESS_ACCOUNT_ID": BUSINESS.waba_id,
        "MENTOR_WHATSAPP_APP_SECRET": APP_SECRET,
        "MENTOR_WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "MENTOR_WHATSAPP_API_URL": api_url,
        "MENTOR_DATABASE_URL": database_url,
    }


def start_whatsapp_bot(api_url: str, folder: Path, **env: str) -> tuple[BotProcess, str]:
    """Start ``mentor run`` with WhatsApp pointed at ``api_url``; return the process and its webhook URL once
    ``/healthz`` answers."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    environment = {
        **whatsapp_env(api_url, f"sqlite:///{folder / 'whatsapp.db'}"),
        "MENTOR_WEB_LISTEN": f"127.0.0.1:{port}",
        **env,
    }
    log = folder / "bot.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [MENTOR, "run"], env=environment, cwd=ROOT, stdout=output, stderr=output, text=True
        )
    bot = BotProcess(process, environment["MENTOR_DATABASE_URL"], log)
    wait_healthy(f"http://127.0.0.1:{port}/healthz", bot)
    return bot, f"http://127.0.0.1:{port}/webhooks/whatsapp"


def wait_healthy(url: str, bot: BotProcess, seconds: float = 180.0) -> None:
    """Return once ``url`` answers 200; raise with the log's end when the bot exits or is too slow."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if bot.process.poll() is not None:
            raise RuntimeError(f"mentor run exited: {bot.log.read_text()[-2000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("mentor run did not become healthy")
