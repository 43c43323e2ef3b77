"""Consent only from the person, through the real model: a guess asks, a press or a yes to that question
decides, and STOP words act at once."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bot.core.commands import is_stop_word
from bot.storage.models import Consent, User
from tests.conftest import press, say

pytestmark = pytest.mark.model
NLU = Path(__file__).resolve().parents[2] / "nlu"


def _examples(intent: str, per_variety: int = 3) -> list[str]:
    """The first training examples of ``intent`` in every variety: what the NLU surely calls ``intent``."""
    found = []
    for path in sorted(NLU.glob(f"*/{intent}.yml")):
        block = yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"][0]["examples"]
        found += [line[2:].strip() for line in block.splitlines() if line.startswith("- ")][:per_variety]
    return found


def _consents(bot, user: str) -> list[tuple[str, bool]]:
    with bot.database.session() as session:
        rows = session.execute(
            select(Consent.purpose, Consent.granted)
            .join(User, User.id == Consent.user_id)
            .where(User.channel == "test", User.external_id == user)
            .order_by(Consent.id)
        )
        return [tuple(row) for row in rows]


# STOP words are not guesses: they act at once (below).
GUESSES = sorted(
    {"<script>alert(1)</script>", *_examples("subscribe"), *_examples("unsubscribe")} - {""},
)
GUESSES = [text for text in GUESSES if not is_stop_word(text)]


@pytest.mark.parametrize("text", GUESSES)
def test_a_subscribe_or_unsubscribe_guess_stores_no_consent(bot, text: str) -> None:
    user = f"consent-guess-{GUESSES.index(text)}"
    result = say(bot, text, user)
    assert _consents(bot, user) == [], f"{text!r} ({result.intent}) stored a consent"
    if result.intent == "subscribe":
        offered = {b.payload for m in result.messages for b in m.buttons}
        assert "cmd:consent news" in offered


@pytest.mark.parametrize(
    ("ask", "yes"),
    [
        ("préviens-moi quand il y a un nouvel appel", "oui"),
        ("أريد الاشتراك في التنبيهات", "نعم"),
        ("3lmni ila tl9 appel", "wakha"),
        ("n7eb notifications", "ey"),
        ("sign me up for alerts", "yes"),
        ("avvisami quando apre un bando", "sì"),
    ],
)
def test_yes_to_the_question_just_asked_stores_the_consent(bot, ask: str, yes: str) -> None:
    user = f"consent-yes-{yes}"
    assert say(bot, ask, user).topic == "action.subscribe"
    assert _consents(bot, user) == []
    assert say(bot, yes, user).topic == "action.subscribe"
    assert _consents(bot, user) == [("news", True)]
    say(bot, yes, user)  # a second yes answers nothing: no second row
    assert _consents(bot, user) == [("news", True)]


def test_pressing_the_button_stores_the_consent_and_the_stop_button_withdraws_all(bot) -> None:
    user = "consent-press"
    say(bot, "sign me up for alerts", user)
    press(bot, "cmd:consent news", user)
    assert _consents(bot, user) == [("news", True)]
    say(bot, "unsubscribe me from the news", user)
    press(bot, "cmd:consent news off", user)
    assert _consents(bot, user)[-1] == ("news", False)


@pytest.mark.parametrize("yes", ["oui", "yes", "نعم", "wakha"])
def test_a_yes_with_no_question_before_it_stores_nothing(bot, yes: str) -> None:
    user = f"consent-lone-yes-{yes}"
    say(bot, yes, user)
    assert _consents(bot, user) == []


@pytest.mark.parametrize("word", ["STOP", "stop", "Arrête !", "basta", "توقف"])
def test_a_stop_word_withdraws_everything_at_once(bot, word: str) -> None:
    user = f"consent-stop-{word}"
    say(bot, "start", user, kind="command")
    press(bot, "cmd:consent news", user)
    assert say(bot, word, user).topic == "action.unsubscribe"
    assert set(_consents(bot, user)[1:]) == {("news", False), ("reminders", False)}


def test_only_a_whole_stop_word_is_one() -> None:
    assert is_stop_word("  Stop. ") and is_stop_word("ARRÊTER") and is_stop_word("stop all")
    assert not is_stop_word("stop sending me news") and not is_stop_word("bus stop")
