"""At DEBUG, the real bot on Telegram (long polling and webhook) logs no token, secret, message text, phone
number or name: a conversation and a burst go through ``mentor run`` against the local Bot API server, and
its whole log is scanned."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.evaluation.telegram_harness import TEST_TOKEN, free_port, start_bot, webhook_env
from tests.bot_api import BotApiServer

pytestmark = pytest.mark.model

SECRET = "hook-secret_Zq81xv"
FIRST_NAME = "Zenobia"
PHONES = ("+212 661 734 905", "0021698765432")
TEXTS = [
    f"bonjour, quels documents pour le visa ? appelle-moi au {PHONES[0]} quokka-1",
    "préviens-moi quand il y a un nouvel appel quokka-2",
    "oui",
    f"chno l wra9 dyal stage, ra9mi {PHONES[1]} quokka-3",
    "شنوة المعطيات اللي تخبيها عليا quokka-4",
]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


@pytest.fixture(params=["polling", "webhook"])
def debug_log(request: pytest.FixtureRequest, bot_api: BotApiServer, tmp_path: Path) -> Iterator[str]:
    """The bot at DEBUG in one mode, after a conversation and a burst; yields its whole log."""
    env = webhook_env(free_port(), SECRET) if request.param == "webhook" else {}
    bot = start_bot(bot_api.url, tmp_path, MENTOR_LOG_LEVEL="DEBUG", **env)
    base = 5000 if request.param == "polling" else 6000
    try:
        if env:
            bot_api.wait_until(lambda c: c["webhook_url"] == env["MENTOR_TELEGRAM_WEBHOOK_URL"])
        else:
            bot_api.wait_until(lambda c: "getUpdates" in c["calls"])
        chat = base + 1
        bot_api.text(chat, "/start", language_code="fr", first_name=FIRST_NAME)
        seen = len(bot_api.wait_for(chat, 3))
        for text in TEXTS:
            bot_api.text(chat, text, first_name=FIRST_NAME)
            seen = len(bot_api.wait_for(chat, seen + 1))
        bot_api.press(chat, "cmd:consent news")
        seen = len(bot_api.wait_for(chat, seen + 1))
        burst = [base + 100 + n for n in range(20)]
        for n, other in enumerate(burst):  # a burst: 20 people at once, each with a number and a name
            bot_api.text(other, f"quokka-burst-{n} visa {PHONES[n % 2]}", first_name=FIRST_NAME)
        for other in burst:
            bot_api.wait_for(other, 1, timeout=60)
    finally:
        exit_code = bot.stop()
    log = bot.log.read_text()
    assert exit_code == 0, log[-3000:]
    yield log


def test_debug_logs_hold_no_token_secret_text_phone_number_or_name(debug_log: str) -> None:
    log = debug_log
    assert " DEBUG " in log and " INFO bot.core.conversation: turn user=" in log  # the level held
    leaks = [TEST_TOKEN, TEST_TOKEN.split(":")[1], SECRET, FIRST_NAME, "quokka", "المعطيات", "wra9"]
    leaks += [t for t in TEXTS if len(t) > 3]
    leaks += list(PHONES) + [_digits(p) for p in PHONES] + [_digits(p)[-9:] for p in PHONES]
    found = sorted({leak for leak in leaks if leak in log})
    assert found == [], f"in the log: {found}"
