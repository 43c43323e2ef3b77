"""The conversation core passes the person's country to the language layer (through the real bot)."""

from __future__ import annotations

import pytest

from bot.storage import users
from tests.conftest import fixed_clock, say

pytestmark = pytest.mark.model


@pytest.mark.parametrize(("country", "reply_language"), [("TN", "aeb"), ("MA", "ary")])
def test_an_ambiguous_message_follows_the_persons_country(bot, country: str, reply_language: str) -> None:
    external_id = f"country-{country}"
    with bot.database.session() as session:
        users.get_or_create(session, "test", external_id, fixed_clock()).country = country
    result = say(bot, "ana 3andi bac", external_id)
    assert result.reply_language == reply_language
