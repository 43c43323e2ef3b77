"""Subscribing to news of calls, and stopping it: the bot asks, and only the person's answer decides.

An intent guess is a question, never a consent: ``subscribe`` and ``unsubscribe`` ask a question naming the
purpose, with buttons that run the core's consent command. A yes to that question, just asked, runs the
same command through the core (``say.command``); a yes with no question before it changes nothing.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from bot.actions import say
from bot.actions.base import MentorAction, Reply

# What a yes to each question does: the argument of the core's ``consent`` command.
QUESTIONS = {"news": "consent_news_ask", "news off": "consent_news_off_ask"}


class Subscribe(MentorAction):
    """Asks whether the person wants news of calls."""

    action_name = "action_subscribe"
    decision = "news"

    def answer(self, reply: Reply, tracker: Tracker) -> list[EventType]:
        """Name the purpose, offer the buttons, and remember which question a yes would answer."""
        reply.append(say.string(QUESTIONS[self.decision]))
        reply.append(say.buttons(*self.choices()))
        return [SlotSet("awaiting_consent", True), SlotSet("consent_question", self.decision)]

    def choices(self) -> list[say.Payload]:
        """Yes (the consent itself), or no."""
        return [
            say.command_button("button_consent_news_yes", "consent", "news"),
            say.intent_button("button_consent_no", "deny"),
        ]


class Unsubscribe(Subscribe):
    """Asks whether to stop the news of calls, or every message (``/stop``)."""

    action_name = "action_unsubscribe"
    decision = "news off"

    def choices(self) -> list[say.Payload]:
        """Stop the news, stop everything, or keep things as they are."""
        return [
            say.command_button("button_consent_news_off", "consent", "news off"),
            say.command_button("command_stop", "stop"),
            say.intent_button("button_consent_keep", "deny"),
        ]


class ConsentYes(MentorAction):
    """The person said yes to the consent question just asked: the core records their decision."""

    action_name = "action_consent_yes"

    def answer(self, reply: Reply, tracker: Tracker) -> list[EventType]:
        """Run the consent command the question named (nothing when no known question is pending)."""
        decision = tracker.get_slot("consent_question")
        if tracker.get_slot("awaiting_consent") and decision in QUESTIONS:
            reply.append(say.command("consent", decision))
        else:
            reply.append(say.string("acknowledge"))
        return [SlotSet("awaiting_consent", False), SlotSet("consent_question", None)]


class ConsentNo(MentorAction):
    """The person said no: nothing changes."""

    action_name = "action_consent_no"

    def answer(self, reply: Reply, tracker: Tracker) -> list[EventType]:
        """Say that nothing changed."""
        reply.append(say.string("consent_unchanged"))
        return [SlotSet("awaiting_consent", False), SlotSet("consent_question", None)]
