"""Short answers to the eligibility check's questions, held out, read right in every variety (≥ 95%)."""

from __future__ import annotations

import pytest

from bot import app
from bot.evaluation import answers
from nlu.language.varieties import VARIETIES

pytestmark = pytest.mark.model


def test_every_variety_has_short_answers_to_most_questions() -> None:
    rows = answers.read_rows()
    for variety in VARIETIES:
        mine = [row for v, row in rows if v == variety]
        assert len(mine) >= 15, variety
        assert len({row["step"] for row in mine}) >= 8, variety
        assert all(1 <= len(row["text"].split()) <= 4 for row in mine), variety


def test_short_answers_are_filled_in_right(bot) -> None:
    readings = answers.score(bot.conversation.agent, app.city_countries(), answers.read_rows())
    report = answers.report(readings)
    for variety, (_, share) in answers.by_variety(readings).items():
        assert share >= answers.TARGET, f"{variety}: {share:.1%}\n{report}"
