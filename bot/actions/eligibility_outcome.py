"""What the eligibility check says at its end: the findings with their sources, the checklist, the
timeline from a planned start, the passport warning, and keeping the checklist when the person asks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from bot.actions import say
from bot.actions.base import MentorAction, Reply
from bot.actions.deps import ActionDeps
from bot.core.messages import command_payload
from bot.storage import checklists, users
from knowledge import eligibility as rules

STATUS_MARKS = {"met": "✅", "not_met": "❌", "unknown": "❓", "note": "ℹ️"}
VERDICTS = {
    "met": "check_verdict_met",
    "not_met": "check_verdict_not_met",
    "unknown": "check_verdict_unknown",
}
ANSWER_SLOTS = {
    "age": "elig_age",
    "residence": "elig_residence",
    "path": "elig_path",
    "obtained": "elig_obtained",
    "region": "elig_region",
    "work": "elig_work",
    "host": "elig_host",
    "italian": "elig_italian",
}


def answers_of(slots: Mapping[str, Any]) -> rules.Answers:
    """The check's answers from its slots."""
    return rules.Answers(**{name: slots.get(slot) for name, slot in ANSWER_SLOTS.items()})


def stops_early(answers: rules.Answers) -> bool:
    """A minor, or someone already in Italy or the EU: the route does not apply, nothing more to ask."""
    return rules.age_rule(answers).status == "not_met" or answers.residence == "eu"


def findings_payload(deps: ActionDeps, answers: rules.Answers) -> say.Payload:
    """The findings, each with its first source, the verdict, and the day the rules were checked."""
    table = deps.eligibility_sources
    found = rules.findings(answers, deps.clock().date())
    lines = [
        {
            "mark": STATUS_MARKS[f.status],
            "string": f.string,
            "params": f.params,
            "sources": table.cite(f.sources),
        }
        for f in found
    ]
    return {
        "findings": lines,
        "verdict": VERDICTS[rules.verdict(found)],
        "checked": table.checked.isoformat(),
    }


def office_of(deps: ActionDeps, user_id: str, answers: rules.Answers) -> str:
    """The visa office string for where the person lives (their city, when they named one)."""
    with deps.database.session() as session:
        user = users.get(session, user_id)
        city = user.city if user is not None else None
    return rules.visa_office(answers.residence, city)


def checklist_payloads(
    items: list[str], ticked: list[str], office: str, table: rules.SourceTable
) -> list[say.Payload]:
    """The checklist and its sources (the visa list, the permit kit, the office's page)."""
    sources = rules.CHECKLIST_SOURCES + rules.OFFICE_SOURCES[office]
    return [
        {"checklist": {"items": items, "ticked": ticked, "office": office}},
        say.cited(table.cite(sources), table.checked.isoformat()),
    ]


def tick_buttons(items: list[str], ticked: list[str]) -> say.Payload:
    """One button per item not yet ticked off ("✓ 3"), then the menu."""
    choices: list[say.Payload] = [
        {"title": f"✓ {number}", "payload": command_payload("tick", item)}
        for number, item in enumerate(items, start=1)
        if item not in ticked
    ]
    return say.buttons(*choices, say.intent_button("button_menu", "greet"))


def outcome_payloads(
    deps: ActionDeps, user_id: str, answers: rules.Answers, with_checklist: bool
) -> list[say.Payload]:
    """The findings; with the checklist when the conditions may be met."""
    parts = [say.marks("eligibility.check"), findings_payload(deps, answers)]
    if with_checklist:
        office = office_of(deps, user_id, answers)
        parts.extend(checklist_payloads(list(rules.CHECKLIST_ITEMS), [], office, deps.eligibility_sources))
    return parts


class DoneCheck(MentorAction):
    """Ends the check: why it stopped, or the dates and the checklist kept; the slots are emptied."""

    action_name = "action_eligibility_done"

    def __init__(self, deps: ActionDeps, leaving: Mapping[str, MentorAction] | None = None) -> None:
        super().__init__(deps)
        self.leaving = dict(leaving or {})

    def answer(self, reply: Reply, tracker: Tracker) -> list[EventType]:
        """Say what the end of the check means, then forget the answers (unless kept in a checklist)."""
        from bot.actions.eligibility import SLOTS

        stop = tracker.get_slot("elig_stop")
        answers = answers_of({s: tracker.get_slot(s) for s in ANSWER_SLOTS.values()})
        events: list[EventType] = []
        reply.append(say.marks("eligibility.check"))
        if stop == "cancelled":
            reply.append(say.string("check_cancelled"))
        elif stop == "left" and tracker.get_intent_of_latest_message() in self.leaving:
            reply.clear()
            events = self.leaving[tracker.get_intent_of_latest_message()].answer(reply, tracker)
        elif stop == "outcome":
            reply.extend(outcome_payloads(self.deps, tracker.sender_id, answers, with_checklist=False))
        else:
            self._dates_and_keep(reply, tracker, answers)
        return [*events, *(SlotSet(slot, None) for slot in SLOTS)]

    def _dates_and_keep(self, reply: Reply, tracker: Tracker, answers: rules.Answers) -> None:
        today = self.deps.clock().date()
        start = _day(tracker.get_slot("elig_start"))
        passport = _day(tracker.get_slot("elig_passport"))
        if start is not None:
            plan = rules.timeline(start, today)
            dates = {"start": start, "visa_by": plan.visa_by, "arrive_from": plan.arrive_from}
            key = "check_timeline_too_soon" if plan.too_soon else "check_timeline"
            reply.append(say.dated(key, {k: v.isoformat() for k, v in dates.items()}))
        check = None
        if passport is not None:
            planned = start or rules.earliest_start(today)
            check = rules.passport_check(passport, planned, rules.stay_months(answers))
            key = "check_passport_ok" if check.valid else "check_passport_warning"
            shown = {"expiry": passport, "stay_end": check.stay_end, "needed": check.needed}
            reply.append(say.dated(key, {k: v.isoformat() for k, v in shown.items()}))
        if tracker.get_slot("elig_save") != "yes":
            reply.append(say.string("check_not_kept"))
            return
        office = office_of(self.deps, tracker.sender_id, answers)
        now = self.deps.clock()
        with self.deps.database.session() as session:
            checklists.save(
                session,
                tracker.sender_id,
                {name: getattr(answers, name) for name in ANSWER_SLOTS},
                list(rules.CHECKLIST_ITEMS),
                office,
                passport.isoformat() if passport else None,
                start.isoformat() if start else None,
                now,
            )
            due = None
            if check is not None and passport is not None and not check.valid:
                due = checklists.plan_passport_reminder(
                    session, tracker.sender_id, passport, check.renew_by, now, self.deps.quiet_hours
                )
        reply.append(say.string("checklist_saved"))
        if due is not None:
            reply.append(say.dated("check_reminder_planned", {"day": due.date().isoformat()}))
        elif check is not None and not check.valid:
            reply.append(say.string("check_reminder_offer"))
            reply.append(say.buttons(say.command_button("button_consent_reminders", "consent", "reminders")))


def _day(value: str | None) -> date | None:
    """An ISO day from a slot ("skip" and nothing: None)."""
    if not value or value == "skip":
        return None
    return date.fromisoformat(value)
