"""Privacy: what is stored about the person, and deleting it after a confirmation."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from bot.actions import say
from bot.actions.base import MentorAction, Reply
from bot.storage import personal_data


class Privacy(MentorAction):
    """Explains the privacy rules and what is stored about this person today."""

    action_name = "action_privacy"

    def answer(self, reply: Reply, tracker: Tracker) -> list[EventType]:
        """Send the privacy entry, the person's summary, and a delete button."""
        reply.append(say.entry("privacy"))
        with self.deps.database.session() as session:
            summary = personal_data.summary(session, tracker.sender_id)
        reply.append(say.privacy_summary(summary))
        reply.append(
            say.buttons(
                say.command_button("button_export", "export"),
                say.intent_button("button_delete", "delete_data"),
                say.intent_button("button_menu", "greet"),
            )
        )
        return [SlotSet("last_topic", "privacy")]


class ConfirmDelete(MentorAction):
    """Asks before deleting anything."""

    action_name = "action_confirm_delete"

    def answer(self, reply: Reply, tracker: Tracker) -> list[EventType]:
        """Ask for confirmation with yes/no buttons."""
        reply.append(say.string("delete_confirm"))
        reply.append(
            say.buttons(say.intent_button("button_yes", "affirm"), say.intent_button("button_no", "deny"))
        )
        return [SlotSet("awaiting_delete", True)]


class DeleteData(MentorAction):
    """Deletes the person's data once they confirmed (the core deletes after the turn is saved)."""

    action_name = "action_delete_data"

    def answer(self, reply: Reply, tracker: Tracker) -> list[EventType]:
        """Ask the core to forget the person, and say it is done."""
        reply.append(say.forget_user())
        reply.append(say.string("deleted"))
        return [SlotSet("awaiting_delete", False)]


class CancelDelete(MentorAction):
    """Keeps everything when the person says no."""

    action_name = "action_cancel_delete"

    def answer(self, reply: Reply, tracker: Tracker) -> list[EventType]:
        """Confirm that nothing was deleted."""
        reply.append(say.string("delete_cancelled"))
        return [SlotSet("awaiting_delete", False)]
