"""The eligibility check: a Rasa form (``eligibility_form``) asking one question at a time.

Rasa runs the loop (stories/rules_eligibility.yml, drawn in stories/eligibility.md); these actions start
it, ask each question with its buttons, and read each answer (``validate_eligibility_form``): a button's
value, or words in any variety (``nlu.check_answers``). A question asked in the middle is answered and the
same question asked again; "annuler", "cancel", "khlas"... leave the check; an answer that cannot be used
is asked again with its example. The answers live in the conversation's slots only, until the person
chooses to keep their checklist (``bot.actions.eligibility_outcome``).
"""

from __future__ import annotations

import json
from datetime import date

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from bot.actions import say
from bot.actions.base import MentorAction, Reply
from bot.actions.eligibility_outcome import answers_of, outcome_payloads, stops_early
from knowledge.eligibility import findings, verdict
from knowledge.topics import TOPIC_BY_INTENT
from nlu import check_answers

FORM = "eligibility_form"
CHECK_TOPIC = "eligibility.check"
VALUE_ENTITY = "elig_value"
START_INTENT = "eligibility_check"
# Each question: its string, and its buttons (label string, value). The order is the form's (domain.yml).
QUESTIONS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "elig_age": ("check_q_age", (("check_b_adult", "adult"), ("check_b_minor", "minor"))),
    "elig_residence": (
        "check_q_residence",
        (
            ("check_b_ma", "MA"),
            ("check_b_tn", "TN"),
            ("check_b_other_country", "other"),
            ("check_b_eu", "eu"),
        ),
    ),
    "elig_path": (
        "check_q_path",
        (
            ("check_b_secondary", "secondary"),
            ("check_b_vocational", "vocational"),
            ("check_b_degree", "degree"),
            ("check_b_path_other", "other"),
        ),
    ),
    "elig_obtained": (
        "check_q_obtained",
        (
            ("check_b_this_year", "this_year"),
            ("check_b_last_year", "last_year"),
            ("check_b_older", "older"),
            ("check_b_ongoing", "ongoing"),
        ),
    ),
    "elig_region": (
        "check_q_region",
        (
            ("check_b_lombardia", "lombardia"),
            ("check_b_piemonte", "piemonte"),
            ("check_b_region_other", "other"),
            ("check_b_dont_know", "unknown"),
        ),
    ),
    "elig_work": (
        "check_q_work",
        (
            ("check_b_skilled", "skilled"),
            ("check_b_elementary", "elementary"),
            ("check_b_dont_know", "unknown"),
        ),
    ),
    "elig_host": ("check_q_host", (("check_b_yes", "yes"), ("check_b_no", "no"))),
    "elig_italian": (
        "check_q_italian",
        (
            ("check_b_italian_none", "none"),
            ("check_b_italian_basic", "basic"),
            ("check_b_italian_good", "good"),
        ),
    ),
    "elig_start": ("check_q_start", (("check_b_skip", "skip"),)),
    "elig_passport": ("check_q_passport", (("check_b_skip", "skip"),)),
    "elig_save": ("check_q_save", (("check_b_save_yes", "yes"), ("check_b_save_no", "no"))),
}
SLOTS = (*QUESTIONS, "elig_stop")
LAST_CHECK_QUESTION = "elig_italian"
# Intents that leave the check to do what they ask (their action runs when the check has ended).
LEAVING_INTENTS = ("delete_data", "privacy", "subscribe", "unsubscribe")
SURE = 0.6


def value_button(label: str, value: str) -> say.Payload:
    """A button that answers the current question with ``value``."""
    return {"label": label, "payload": f"/{START_INTENT}" + json.dumps({VALUE_ENTITY: value})}


def check_button() -> say.Payload:
    """The button that starts the check (menus, the eligibility answer)."""
    return say.intent_button("button_check", START_INTENT)


class StartCheck(MentorAction):
    """Starts a fresh check: earlier answers in the slots are dropped, then the form asks."""

    action_name = "action_eligibility_start"

    def answer(self, reply: Reply, tracker: Tracker) -> list[EventType]:
        """Say how the check works."""
        reply.append(say.marks("programme.eligibility"))
        reply.append(say.string("check_intro"))
        return [SlotSet(slot, None) for slot in (*SLOTS, "requested_slot")]


class AskQuestion(MentorAction):
    """Asks one question of the check, with its buttons and a cancel button."""

    slot = ""

    def answer(self, reply: Reply, tracker: Tracker) -> list[EventType]:
        """The question (its example inside) and its buttons."""
        question, choices = QUESTIONS[self.slot]
        reply.append(say.marks(CHECK_TOPIC))
        reply.append(say.string(question))
        buttons = [value_button(label, value) for label, value in choices]
        reply.append(say.buttons(*buttons, value_button("check_b_cancel", "cancel")))
        return []


ASK_ACTIONS: tuple[type[MentorAction], ...] = tuple(
    type(f"Ask_{slot}", (AskQuestion,), {"action_name": f"action_ask_{slot}", "slot": slot})
    for slot in QUESTIONS
)


class ValidateCheck(MentorAction):
    """Reads the answer to the question just asked; decides whether the check goes on, stops or repeats."""

    action_name = f"validate_{FORM}"

    def answer(self, reply: Reply, tracker: Tracker) -> list[EventType]:
        """Fill the slot from a button or the words; else answer the question asked, leave, or ask again."""
        slot = tracker.get_slot("requested_slot")
        if slot not in QUESTIONS:
            return []
        message = tracker.latest_message
        text = message.get("text") or ""
        entities = {e["entity"]: str(e["value"]) for e in message.get("entities") or []}
        intent = message.get("intent") or {}
        today = self.deps.clock().date()
        value = self._button_value(entities.get(VALUE_ENTITY), today)
        if value == "cancel" or (value is None and check_answers.is_cancel(text)):
            return _stop("cancelled")
        if value is None and not text.startswith("/"):
            value = check_answers.parse(
                slot, text, today, entities, self.deps.city_countries, intent.get("name")
            )
        if value is not None:
            return self._filled(reply, tracker, slot, value, text, today)
        return self._unusable(reply, slot, intent.get("name"), float(intent.get("confidence") or 0))

    @staticmethod
    def _button_value(value: str | None, today: date) -> str | None:
        """A button's value; the year buttons become years."""
        years_ago = {"this_year": 0, "last_year": 1, "older": 2}
        if value in years_ago:
            return str(today.year - years_ago[value])
        return value

    def _filled(
        self, reply: Reply, tracker: Tracker, slot: str, value: str, text: str, today: date
    ) -> list[EventType]:
        events: list[EventType] = [SlotSet(slot, value)]
        if slot == "elig_residence":
            self.country(tracker)  # a city named here is remembered: it chooses the visa office
        if slot == "elig_path" and not text.startswith("/"):
            obtained = check_answers.parse_obtained(text, today)  # "licence f gestion 2024"
            if obtained:
                events.append(SlotSet("elig_obtained", obtained))
        filled = {**{s: tracker.get_slot(s) for s in QUESTIONS}, slot: value}
        answers = answers_of(filled)
        if stops_early(answers):
            return [*events, *_stop("outcome")]
        if slot == LAST_CHECK_QUESTION:
            if verdict(findings(answers, today)) == "not_met":
                return [*events, *_stop("outcome")]
            reply.extend(outcome_payloads(self.deps, tracker.sender_id, answers, with_checklist=True))
        return events

    def _unusable(self, reply: Reply, slot: str, intent: str | None, confidence: float) -> list[EventType]:
        if intent in LEAVING_INTENTS and confidence >= SURE:
            return _stop("left")
        topic = TOPIC_BY_INTENT.get(intent or "")
        if topic and topic != "programme.eligibility" and confidence >= SURE:
            reply.extend([say.marks(topic), say.entry(topic), say.string("check_resume")])
        else:
            reply.extend([say.marks(CHECK_TOPIC), say.string("check_retry")])
        return [SlotSet(slot, None)]


def _stop(reason: str) -> list[EventType]:
    """End the form now; ``action_eligibility_done`` says why."""
    return [SlotSet("elig_stop", reason), SlotSet("requested_slot", None)]
