"""The list of actions, built with their dependencies; names match ``domain.yml``."""

from __future__ import annotations

from bot.actions.base import MentorAction
from bot.actions.chitchat import Acknowledge, ChooseLanguage, Greet, Thanks
from bot.actions.deps import ActionDeps
from bot.actions.fallback import Fallback
from bot.actions.knowledge_answers import AnswerTopic, Followup, OutOfScope
from bot.actions.privacy import CancelDelete, ConfirmDelete, DeleteData, Privacy
from bot.actions.subscriptions import ConsentNo, ConsentYes, Subscribe, Unsubscribe

ACTIONS: tuple[type[MentorAction], ...] = (
    Greet,
    ChooseLanguage,
    Thanks,
    Acknowledge,
    AnswerTopic,
    Followup,
    OutOfScope,
    Fallback,
    Subscribe,
    Unsubscribe,
    ConsentYes,
    ConsentNo,
    Privacy,
    ConfirmDelete,
    DeleteData,
    CancelDelete,
)


def build_actions(deps: ActionDeps) -> list[MentorAction]:
    """One instance of every action."""
    return [action(deps) for action in ACTIONS]
