"""The two-step fallback: first offer the closest topics and a person, then note the question for staff."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType

from bot.actions import say
from bot.actions.base import MentorAction, Reply
from knowledge.topics import TOPIC_BY_INTENT

CLOSEST = 2


class Fallback(MentorAction):
    """Handles a message the NLU was not sure about."""

    action_name = "action_fallback"

    def answer(self, reply: Reply, tracker: Tracker) -> list[EventType]:
        """Record the question; offer the closest topics, or the menu if this is the second miss in a row."""
        self.record_unanswered(tracker)
        if _previous_action(tracker) == self.action_name:
            reply.append(say.string("fallback_second"))
            self.menu(reply)
            return []
        ranking = tracker.latest_message.get("intent_ranking") or []
        closest = [TOPIC_BY_INTENT[r["name"]] for r in ranking if r.get("name") in TOPIC_BY_INTENT][:CLOSEST]
        reply.append(say.string("fallback_first"))
        choices = [say.topic_button(t) for t in closest if t != "contact.human"]
        choices.append(say.intent_button("button_person", "contact_human"))
        reply.append(say.buttons(*choices))
        return []


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
