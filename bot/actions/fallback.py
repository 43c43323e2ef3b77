"""The two-step fallback: first offer the closest topics and a person, then note the question for staff and
offer a person again, whose button opens a ticket."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType

from bot.actions import say
from bot.actions.base import MentorAction, Reply
from knowledge.topics import TOPIC_BY_INTENT

CLOSEST = 3


class Fallback(MentorAction):
    """Handles a message the NLU was not sure about."""

    action_name = "action_fallback"

    def answer(self, reply: Reply, tracker: Tracker) -> list[EventType]:
        """Record the question; offer the closest topics, or the menu and a person if this is the second miss
        in a row."""
        self.record_unanswered(tracker)
        if _previous_action(tracker) == self.action_name:
            reply.append(say.string("fallback_second"))
            self.menu(reply)
            reply.append(say.string("fallback_offer_person"))
            reply.append(say.buttons(say.command_button("button_person_yes", "handoff", "fallback")))
            return []
        offer_closest(reply, tracker)
        return []


def offer_closest(reply: Reply, tracker: Tracker) -> None:
    """Say the bot is unsure and offer the topics the NLU ranked closest, and a person."""
    reply.append(say.string("fallback_first"))
    reply.append(say.suggestions(closest_topics(tracker.latest_message.get("intent_ranking") or [])))


def closest_topics(ranking: Sequence[dict[str, Any]], limit: int = CLOSEST) -> list[str]:
    """The knowledge topics of the best-ranked intents, best first (a person is offered apart)."""
    topics = [TOPIC_BY_INTENT[r["name"]] for r in ranking if r.get("name") in TOPIC_BY_INTENT]
    return [t for t in topics if t != say.PERSON][:limit]


def _previous_action(tracker: Tracker) -> str | None:
    """The last action run before the current message (ignoring listening)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                continue
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name")
    return None
