"""Greeting, choosing a reply language, thanks and acknowledgements."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType

from bot.actions import say
from bot.actions.base import MentorAction, Reply
from knowledge.model import REPLY_LANGUAGES


class Greet(MentorAction):
    """Greets, says what the bot does, and offers the languages."""

    action_name = "action_greet"

    def answer(self, reply: Reply, tracker: Tracker) -> list[EventType]:
        """Send the greeting with language buttons, then the menu."""
        reply.append(say.string("greet"))
        reply.append(say.language_buttons())
        reply.append(say.string("menu"))
        self.menu(reply)
        return []


class ChooseLanguage(MentorAction):
    """Sets the reply language the person named, or asks which one."""

    action_name = "action_choose_language"

    def answer(self, reply: Reply, tracker: Tracker) -> list[EventType]:
        """Store the choice, or offer the languages when none was named."""
        language = next(tracker.get_latest_entity_values("language"), None)
        if language not in REPLY_LANGUAGES:
            reply.append(say.string("choose_language"))
            reply.append(say.language_buttons())
            return []
        reply.append(say.set_language(language))
        reply.append(say.string("language_set"))
        reply.append(say.string("menu"))
        self.menu(reply)
        return []


class Thanks(MentorAction):
    """Answers thanks."""

    action_name = "action_thanks"

    def answer(self, reply: Reply, tracker: Tracker) -> list[EventType]:
        """Say you're welcome."""
        reply.append(say.string("thanks"))
        return []


class Acknowledge(MentorAction):
    """Answers a yes or no that did not answer a question."""

    action_name = "action_acknowledge"

    def answer(self, reply: Reply, tracker: Tracker) -> list[EventType]:
        """Acknowledge and show the menu."""
        reply.append(say.string("acknowledge"))
        self.menu(reply)
        return []
