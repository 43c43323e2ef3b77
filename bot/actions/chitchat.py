"""Greeting, choosing a reply language, thanks and acknowledgements."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import say
from bot.actions.base import MentorAction
from knowledge.model import REPLY_LANGUAGES


class Greet(MentorAction):
    """Greets, says what the bot does, and offers the languages."""

    action_name = "action_greet"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """Send the greeting with language buttons, then the menu."""
        dispatcher.utter_message(json_message=say.string("greet"))
        dispatcher.utter_message(json_message=say.language_buttons())
        dispatcher.utter_message(json_message=say.string("menu"))
        self.menu(dispatcher)
        return []


class ChooseLanguage(MentorAction):
    """Sets the reply language the person named, or asks which one."""

    action_name = "action_choose_language"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """Store the choice, or offer the languages when none was named."""
        language = next(tracker.get_latest_entity_values("language"), None)
        if language not in REPLY_LANGUAGES:
            dispatcher.utter_message(json_message=say.string("choose_language"))
            dispatcher.utter_message(json_message=say.language_buttons())
            return []
        dispatcher.utter_message(json_message=say.set_language(language))
        dispatcher.utter_message(json_message=say.string("language_set"))
        dispatcher.utter_message(json_message=say.string("menu"))
        self.menu(dispatcher)
        return []


class Thanks(MentorAction):
    """Answers thanks."""

    action_name = "action_thanks"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """Say you're welcome."""
        dispatcher.utter_message(json_message=say.string("thanks"))
        return []


class Acknowledge(MentorAction):
    """Answers a yes or no that did not answer a question."""

    action_name = "action_acknowledge"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """Acknowledge and show the menu."""
        dispatcher.utter_message(json_message=say.string("acknowledge"))
        self.menu(dispatcher)
        return []
