"""A burst on the running bot's webhook: 5,000 updates from 500 people in 30 s, then a newcomer's question.

The newcomer is answered within 10 s (the intake serves the least-served person first), every person's
replies come in the order they wrote, and none is lost. A few minutes: marked slow.
"""

from __future__ import annotations

import sys

import pytest

from bot.evaluation import telegram_burst
from bot.evaluation.telegram_harness import free_port, start_bot, webhook_env
from tests.bot_api import BotApiServer

pytestmark = [pytest.mark.model, pytest.mark.slow]

SECRET = "burst-secret_5"


def test_a_burst_is_answered_in_order_and_a_newcomer_within_ten_seconds(
    bot_api: BotApiServer, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = webhook_env(free_port(), SECRET)
    bot = start_bot(bot_api.url, tmp_path, **env)
    try:
        bot_api.wait_until(lambda c: c["webhook_url"] == env["MENTOR_TELEGRAM_WEBHOOK_URL"])
        result = telegram_burst.run(bot_api.url, env["MENTOR_TELEGRAM_WEBHOOK_URL"], SECRET)
    finally:
        assert bot.stop() == 0
    with capsys.disabled():  # the figures the README gives, shown in the test run's output
        sys.stdout.write(f"\n{result}\n")
    assert result.accepted == result.updates == 5_000
    assert result.newcomer_wait_s is not None and result.newcomer_wait_s <= 10.0
    assert result.out_of_order_or_lost == [] and result.all_answered_after_s is not None
