"""Stable topic ids (DESIGN's contract) and how Rasa intents map to them."""

from __future__ import annotations

TOPICS: tuple[str, ...] = (
    "programme.about",
    "programme.eligibility",
    "art27.what",
    "art27.requirements",
    "art27.documents",
    "art27.visa",
    "art27.permit",
    "art27.duration",
    "art27.allowance",
    "art27.after",
    "apply.how",
    "apply.deadlines",
    "apply.selection",
    "training.predeparture",
    "training.language",
    "life.accommodation",
    "life.health",
    "return.mentoring",
    "return.projects",
    "safety.scams",
    "contact.human",
    "privacy",
    # Near neighbours: other routes people ask about, answered with where to look, never as art. 27.
    "other.study",
    "other.visit",
    "other.asylum",
    "other.regularisation",
    "other.work",
    "other.abroad",
)

NEAR_NEIGHBOURS: tuple[str, ...] = tuple(t for t in TOPICS if t.startswith("other."))

# Outcomes that are not knowledge entries: DESIGN's four, and the small talk and controls of a conversation.
OUTCOMES: dict[str, str] = {
    "subscribe": "action.subscribe",
    "unsubscribe": "action.unsubscribe",
    "greet": "chitchat.greet",
    "out_of_scope": "out_of_scope",
    "nlu_fallback": "out_of_scope",
    "thanks": "chitchat.thanks",
    "affirm": "chitchat.affirm",
    "deny": "chitchat.deny",
    "choose_language": "action.language",
    "delete_data": "privacy",
    # The eligibility check is the interactive form of the eligibility topic (bot/actions/eligibility.py).
    "eligibility_check": "programme.eligibility",
}

FOLLOWUP_INTENT = "followup"


def intent_for_topic(topic: str) -> str:
    """The Rasa intent that asks about a topic (``art27.documents`` → ``art27_documents``)."""
    return topic.replace(".", "_", 1)


TOPIC_BY_INTENT: dict[str, str] = {intent_for_topic(topic): topic for topic in TOPICS}


def topic_of_intent(intent: str | None) -> str | None:
    """The topic id or outcome an intent stands for; ``None`` for a follow-up, which depends on context."""
    if intent is None:
        return "out_of_scope"
    if intent in TOPIC_BY_INTENT:
        return TOPIC_BY_INTENT[intent]
    if intent == FOLLOWUP_INTENT:
        return None
    return OUTCOMES.get(intent, "out_of_scope")
