"""The base of every Mentor action: dependencies, the person's place, leaving a pending question."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import say
from bot.actions.deps import ActionDeps
from bot.storage import unanswered, users

Reply = list[say.Payload]
# Slots that say a yes/no question is waiting for its answer.
PENDING_QUESTIONS = ("awaiting_delete", "awaiting_consent")


class MentorAction(Action):
    """An action built with its dependencies; subclasses implement ``answer``."""

    action_name = ""

    def __init__(self, deps: ActionDeps) -> None:
        self.deps = deps

    def name(self) -> str:
        return self.action_name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Answer in one message of parts, and drop a pending question (delete, consent) the person moved
        away from: a later yes answers nothing.

        One message per action, not one per part, keeps the conversation history short to store and replay.
        """
        reply: Reply = []
        events = self.answer(reply, tracker)
        dispatcher.utter_message(json_message=say.reply(reply))
        set_here = {e.get("name") for e in events if e.get("event") == "slot"}
        for slot in PENDING_QUESTIONS:
            if tracker.get_slot(slot) and slot not in set_here:
                events.append(SlotSet(slot, False))
        return events

    def answer(self, reply: Reply, tracker: Tracker) -> list[EventType]:
        """Send payloads and return events."""
        raise NotImplementedError

    def country(self, tracker: Tracker) -> str | None:
        """The person's country: named in this message (or through a city, and then remembered),
        else the one the core read from their profile."""
        named = self._named_country(tracker)
        if named is None:
            return (tracker.latest_message.get("metadata") or {}).get("country")
        with self.deps.database.session() as session:
            user = users.get(session, tracker.sender_id)
            if user is not None:
                user.country = named
                user.city = next(tracker.get_latest_entity_values("city"), user.city)
        return named

    def _named_country(self, tracker: Tracker) -> str | None:
        country = next(tracker.get_latest_entity_values("country"), None)
        if country in ("MA", "TN"):
            return country
        city = next(tracker.get_latest_entity_values("city"), None)
        found = self.deps.city_countries.get(str(city)) if city else None
        return found if found in ("MA", "TN") else None

    def record_unanswered(self, tracker: Tracker) -> None:
        """Keep the message for staff, with the intent the NLU thought closest and its confidence."""
        message = tracker.latest_message
        ranking = message.get("intent_ranking") or [{}]
        closest = next((r for r in ranking if r.get("name") != "nlu_fallback"), {})
        metadata = message.get("metadata") or {}
        with self.deps.database.session() as session:
            unanswered.record(
                session,
                tracker.sender_id,
                message.get("text") or "",
                variety=metadata.get("variety"),
                intent=closest.get("name"),
                confidence=closest.get("confidence"),
                now=self.deps.clock(),
            )

    def menu(self, reply: Reply) -> None:
        """Offer the main topics."""
        from bot.core.commands import menu_extras

        reply.append(say.buttons(*map(say.topic_button, self.deps.knowledge.menu), *menu_extras()))
