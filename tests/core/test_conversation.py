"""The conversation core with the real model: answers, reply languages, sources, and bad input."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import say

pytestmark = pytest.mark.model


def test_a_french_question_about_documents_gets_the_documents_in_french(bot) -> None:
    result = say(bot, "bonjour, quels documents faut-il pour le visa ?", "core-fr")
    assert result.topic == "art27.documents" and result.reply_language == "fr"
    assert "passeport" in result.reply
    assert "Source :" in result.reply and "vérifié le 22 novembre 2026" in result.reply


def test_answers_offer_two_or_three_related_topics_as_quick_replies(bot) -> None:
    result = say(bot, "what is an art 27 traineeship?", "core-related")
    assert result.topic == "art27.what"
    assert 2 <= len(result.messages[-1].buttons) <= 3
    assert all(b.payload.startswith("/") for b in result.messages[-1].buttons)


@pytest.mark.parametrize(
    ("text", "reply_language"),
    [
        ("chno l wra9 li khassni l visa d stage?", "ary"),
        ("chnowa el wra9 elli lazmin lel visa mta3 el stage?", "aeb"),
        ("شنو الوراق اللي خاصني للفيزا ديال الستاج؟", "ar"),
        ("ما هي الوثائق المطلوبة للتأشيرة؟", "ar"),
        ("quali documenti servono per il visto?", "it"),
        ("which documents do I need for the visa?", "en"),
    ],
)
def test_the_reply_follows_the_message(bot, text: str, reply_language: str) -> None:
    result = say(bot, text, f"core-lang-{reply_language}-{len(text)}")
    assert result.reply_language == reply_language
    assert result.topic in ("art27.documents", "art27.visa")


def test_a_chosen_language_wins_over_the_message(bot) -> None:
    user = "core-choice"
    assert say(bot, "parle moi en darija", user).reply_language == "ary"
    assert say(bot, "what about the allowance?", user).reply_language == "ary"


def test_the_deadline_answer_is_computed_and_never_invents_an_open_call(bot) -> None:
    result = say(bot, "until when can I apply?", "core-deadline")
    assert result.topic == "apply.deadlines"
    assert "No call is open right now." in result.reply
    assert "closed on September 9, 2022" in result.reply


@pytest.mark.parametrize(
    "text",
    [
        "je dois payer 2000 euros à un intermédiaire pour le visa, c'est normal ?",
        "wahed bgha nkhelles lih bach yjib lia contrat, wach mzyan?",
    ],
)
def test_paying_someone_gets_the_scam_warning_whatever_the_question(bot, text: str) -> None:
    result = say(bot, text, f"core-scam-{len(text)}")
    assert any("vistoperitalia" in m.text for m in result.messages)


@pytest.mark.parametrize(
    ("text", "key_words"),
    [
        ("", ("question",)),
        ("   \t  ", ("question",)),
        ("😀😀🇮🇹", ("text", "texte", "testo", "نص")),
        ("visa " * 4000, ("visa",)),
        ("\x00\x01vi\u200bsa\u202e documents?", ("visa",)),
        ("salam, I want info عن الفيزا please", ()),
        ("hola, quiero trabajar en italia, que necesito?", ("French", "français", "Darija")),
        ("ich möchte in Italien arbeiten, was brauche ich", ("French", "français", "Darija")),
        ("\U0010ffff\ud7ff" * 50, ()),
    ],
)
def test_bad_input_gets_a_sensible_reply_and_never_a_stack_trace(bot, text: str, key_words) -> None:
    result = say(bot, text, f"core-bad-{abs(hash(text))}")
    assert result.messages and all(m.text.strip() for m in result.messages)
    assert "Traceback" not in result.reply
    if key_words:
        assert any(word in result.reply for word in key_words), result.reply[:200]


def test_a_sticker_or_voice_note_gets_a_short_answer(bot) -> None:
    result = say(bot, "", "core-sticker", kind="unsupported")
    assert result.reply and len(result.reply) < 300


def test_logs_hold_no_message_text(
    bot, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture
) -> None:
    secret = "zorglub-1234 mon numero 0612345678"
    with caplog.at_level(logging.DEBUG):
        say(bot, f"visa documents {secret}", "core-logs")
        say(bot, f"xqzt vrrrp {secret}", "core-logs")
    printed = capsys.readouterr()
    for text in (caplog.text, printed.out, printed.err):
        assert "zorglub" not in text and "0612345678" not in text
    assert "intent=" in caplog.text
