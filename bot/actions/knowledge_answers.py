"""Answering from the knowledge base: a topic, a follow-up on it, or what is out of scope."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from bot.actions import say
from bot.actions.base import MentorAction, Reply
from bot.actions.fallback import offer_closest
from knowledge.topics import TOPIC_BY_INTENT

# Below this confidence "out of scope" is a guess: the closest topics are offered instead of the menu.
UNSURE_OUT_OF_SCOPE = 0.6
# Answers after which the eligibility check is offered.
CHECK_OFFERED_AFTER = ("programme.eligibility", "art27.requirements")


class AnswerTopic(MentorAction):
    """Answers the topic the person asked about, then offers related topics."""

    action_name = "action_answer_topic"

    def answer(self, reply: Reply, tracker: Tracker) -> list[EventType]:
        """Send the entry for the message's intent; asking for a person opens a ticket instead."""
        topic = TOPIC_BY_INTENT[tracker.get_intent_of_latest_message()]
        if topic == say.PERSON:
            reply.append(say.command("handoff", "asked"))
            return []
        self.say_topic(reply, topic, self.country(tracker))
        return [SlotSet("last_topic", topic)]

    def say_topic(self, reply: Reply, topic: str, country: str | None) -> None:
        """The entry (with the live call status for deadlines) and its related topics."""
        if topic == "apply.deadlines":
            reply.append(say.deadline(country))
        reply.append(say.entry(topic, country))
        related = self.deps.knowledge.entries[topic].related
        choices = [say.topic_button(t) for t in related]
        if topic == "apply.deadlines":
            choices.append(say.intent_button("button_subscribe", "subscribe"))
        if topic in CHECK_OFFERED_AFTER:
            choices.insert(0, say.intent_button("button_check", "eligibility_check"))
        reply.append(say.buttons(*choices))


class Followup(AnswerTopic):
    """Answers the previous topic again for the place the person now names ("and in Tunisia?")."""

    action_name = "action_followup"

    def answer(self, reply: Reply, tracker: Tracker) -> list[EventType]:
        """Repeat the last topic for the named country, or ask which topic."""
        topic = tracker.get_slot("last_topic")
        if not topic:
            reply.append(say.string("followup_no_topic"))
            self.menu(reply)
            return []
        self.say_topic(reply, topic, self.country(tracker))
        return []


class OutOfScope(MentorAction):
    """Says what the bot can help with, and keeps the question for staff to review."""

    action_name = "action_out_of_scope"

    def answer(self, reply: Reply, tracker: Tracker) -> list[EventType]:
        """Record the question; explain the scope and show the menu, or the closest topics when unsure."""
        self.record_unanswered(tracker)
        if (tracker.latest_message.get("intent") or {}).get("confidence", 1.0) < UNSURE_OUT_OF_SCOPE:
            offer_closest(reply, tracker)
            return []
        reply.append(say.string("out_of_scope"))
        self.menu(reply)
        return []
