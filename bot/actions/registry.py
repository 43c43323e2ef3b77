"""The list of actions, built with their dependencies; names match ``domain.yml``."""

from __future__ import annotations

from bot.actions.base import MentorAction
from bot.actions.chitchat import Acknowledge, ChooseLanguage, Greet, Thanks
from bot.actions.deps import ActionDeps
from bot.actions.eligibility import ASK_ACTIONS, LEAVING_INTENTS, StartCheck, ValidateCheck
from bot.actions.eligibility_outcome import DoneCheck
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
    StartCheck,
    ValidateCheck,
    *ASK_ACTIONS,
)
# What an intent that leaves the eligibility check runs once the check has ended.
LEAVING_ACTIONS: dict[str, type[MentorAction]] = {
    "delete_data": ConfirmDelete,
    "privacy": Privacy,
    "subscribe": Subscribe,
    "unsubscribe": Unsubscribe,
}


def build_actions(deps: ActionDeps) -> list[MentorAction]:
    """One instance of every action."""
    assert set(LEAVING_ACTIONS) == set(LEAVING_INTENTS)
    leaving = {intent: action(deps) for intent, action in LEAVING_ACTIONS.items()}
    return [*(action(deps) for action in ACTIONS), DoneCheck(deps, leaving)]
