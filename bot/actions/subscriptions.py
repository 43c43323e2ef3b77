"""Subscribing to news of calls, and stopping it; each decision is stored with its time."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType

from bot.actions import say
from bot.actions.base import MentorAction, Reply
from bot.storage import consents


class Subscribe(MentorAction):
    """Records consent to news and confirms it."""

    action_name = "action_subscribe"
    granted = True
    reply = "subscribed"

    def answer(self, reply: Reply, tracker: Tracker) -> list[EventType]:
        """Store the decision for the ``news`` purpose and say so."""
        with self.deps.database.session() as session:
            consents.record(session, tracker.sender_id, "news", self.granted, self.deps.clock())
        reply.append(say.string(self.reply))
        return []


class Unsubscribe(Subscribe):
    """Records the withdrawal of consent to news and confirms it."""

    action_name = "action_unsubscribe"
    granted = False
    reply = "unsubscribed"
