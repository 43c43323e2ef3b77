"""Closest topics from Rasa's ranking, and the suggestions the core reports from a reply."""

from __future__ import annotations

from bot.actions import say
from bot.actions.fallback import closest_topics


def test_closest_topics_keep_the_ranking_order_and_leave_out_outcomes_and_the_person() -> None:
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "contact_human", "confidence": 0.3},
        {"name": "other_study", "confidence": 0.2},
        {"name": "greet", "confidence": 0.1},
        {"name": "art27_visa", "confidence": 0.08},
        {"name": "art27_documents", "confidence": 0.05},
        {"name": "apply_how", "confidence": 0.01},
    ]
    assert closest_topics(ranking) == ["other.study", "art27.visa", "art27.documents"]


def test_suggestions_end_with_a_person_and_related_buttons_are_not_suggestions() -> None:
    payloads = [
        say.string("fallback_first"),
        say.suggestions(["art27.visa", "other.visit"]),
        say.buttons(say.topic_button("safety.scams")),
    ]
    assert say.suggested(payloads) == ["art27.visa", "other.visit", "contact.human"]
    assert say.suggested([say.entry("art27.visa"), say.buttons(say.topic_button("art27.permit"))]) == []
