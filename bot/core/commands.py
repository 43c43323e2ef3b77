"""What the platform-neutral commands do: start, help, menu, stop, export, consent, check-in buttons, handoff.

They need no language understanding, so the core runs them without Rasa. Channels map their own commands
(Telegram's ``/start <payload>``, ``/stop``...) and command buttons onto these.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.actions import say
from bot.core.handoff import Handoff
from bot.core.messages import InboundMessage
from bot.core.render import Renderer
from bot.storage import campaigns, checklists, cohorts, consents, outbox, personal_data, users
from bot.storage.db import Database
from bot.storage.models import HelpRequest
from bot.storage.ticket_models import TICKET_SOURCES
from knowledge import eligibility, teams
from knowledge.model import KnowledgeBase
from scheduler.reminders import Planner

logger = logging.getLogger(__name__)

DEEP_LINK = re.compile(r"[A-Za-z0-9_-]{1,64}")
COHORT_PREFIX = "cohort_"
# A message that is only one of these words stops every proactive message at once, as ``/stop`` does, also
# on channels without slash commands (WhatsApp): French, English, Italian, Arabic, Darija and Derja, compared
# without case, accents, spaces or punctuation.
STOP_WORDS = frozenset(
    {
        "stop", "stopall", "arret", "arrete", "arreter", "basta", "unsubscribe", "desabonner",
        "توقف", "اوقف", "أوقف", "وقف", "إيقاف", "ايقاف", "بركا", "باراكا",
        "w9ef", "wqef", "baraka", "barka", "yezzi", "ya7bes", "a7bes", "o9ef",
    }
)  # fmt: skip


CAMPAIGN_MESSAGE = re.compile(r"\s*start\s+([A-Za-z0-9_-]{1,32})\s*", re.IGNORECASE)


def campaign_link(text: str) -> str | None:
    """The code of a campaign's WhatsApp link, whose first message is ``START <code>`` (channels without a
    /start payload): that message is taken as ``/start <code>``."""
    match = CAMPAIGN_MESSAGE.fullmatch(text)
    return match.group(1) if match else None


def is_stop_word(text: str) -> bool:
    """Whether the whole message is a STOP word: it acts at once, never through a guess of the NLU."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c for c in folded if c.isalnum() and not unicodedata.combining(c))
    return letters in STOP_WORDS


def menu_extras() -> list[say.Payload]:
    """Beside the menu's topics: the eligibility check and the saved checklist."""
    return [
        say.intent_button("button_check", "eligibility_check"),
        say.command_button("button_checklist", "checklist"),
    ]


@dataclass(frozen=True)
class CommandReply:
    """What a command says, and the topic or outcome it stands for."""

    payloads: list[say.Payload]
    topic: str


class Commands:
    """Runs one command for one person."""

    def __init__(
        self,
        database: Database,
        knowledge: KnowledgeBase,
        clock: Callable[[], datetime],
        planner: Planner,
        handoff: Handoff | None = None,
    ) -> None:
        self.database = database
        self.knowledge = knowledge
        self.clock = clock
        self.planner = planner
        self.handoff = handoff or Handoff(
            database, Renderer(knowledge, clock), teams.load(list(knowledge.entries)), clock
        )
        self.sources = eligibility.load_sources()

    def run(self, user_id: str, message: InboundMessage) -> CommandReply:
        """Apply the command's effect and return what to say (help for a command we do not know)."""
        handlers: dict[str, Callable[[str, str], CommandReply]] = {
            "start": self._start,
            "help": self._help,
            "menu": self._menu,
            "stop": self._stop,
            "consent": self._consent,
            "export": self._export,
            "checkin": self._checkin,
            "handoff": self._handoff,
            "checklist": self._checklist,
            "tick": self._tick,
        }
        return handlers.get(message.text, self._help)(user_id, message.argument)

    def _menu_buttons(self) -> say.Payload:
        return say.buttons(*map(say.topic_button, self.knowledge.menu), *menu_extras())

    def _start(self, user_id: str, argument: str) -> CommandReply:
        """Record where the person came from (joining the cohort a link names); greet, offer languages,
        the privacy notice and consents."""
        joined = None
        if argument and DEEP_LINK.fullmatch(argument):
            joined = self._record_source(user_id, argument)
        elif argument:
            logger.info("user=%s started with a malformed link payload, ignored", user_id)
        payloads = [
            say.string("greet"),
            say.language_buttons(),
            *([say.string("cohort_joined", code=joined)] if joined else []),
            say.string("privacy_notice"),
            say.buttons(
                say.command_button("button_consent_news", "consent", "news"),
                say.command_button("button_consent_reminders", "consent", "reminders"),
            ),
            say.string("menu"),
            self._menu_buttons(),
        ]
        return CommandReply(payloads, "chitchat.greet")

    def _record_source(self, user_id: str, link: str) -> str | None:
        """Keep the person's first link as their source, and their arrival through a campaign's link; a
        ``cohort_<code>`` link of a known cohort enrols them (joining by the cohort's own link is asking for
        its reminders). Returns the cohort joined."""
        now = self.clock()
        with self.database.session() as session:
            user = users.get(session, user_id)
            if user is None:
                return None
            campaigns.attribute(session, user, link, now)
            code = link[len(COHORT_PREFIX) :] if link.startswith(COHORT_PREFIX) else ""
            cohort = cohorts.find(session, code) if code else None
            if cohort is None:
                return None
            cohorts.enroll(session, cohort, user, now)
            consents.record(session, user_id, "reminders", True, now)
            self.planner.plan_cohort(session, cohort, now, [user_id])
            return cohort.code

    def _help(self, user_id: str, argument: str) -> CommandReply:
        return CommandReply([say.string("help"), self._menu_buttons()], "chitchat.greet")

    def _menu(self, user_id: str, argument: str) -> CommandReply:
        return CommandReply([say.string("menu"), self._menu_buttons()], "chitchat.greet")

    def _stop(self, user_id: str, argument: str) -> CommandReply:
        """End every proactive message at once: consents withdrawn, nothing left pending."""
        with self.database.session() as session:
            consents.withdraw_all(session, user_id, self.clock())
            outbox.cancel_pending(session, user_id, outbox.STOPPED)
        return CommandReply([say.string("stopped")], "action.unsubscribe")

    def _export(self, user_id: str, argument: str) -> CommandReply:
        """Show the person everything stored about them."""
        with self.database.session() as session:
            data = personal_data.export(session, user_id)
        return CommandReply(
            [say.string("export_intro"), say.raw(json.dumps(data, ensure_ascii=False, indent=1))], "privacy"
        )

    def _consent(self, user_id: str, argument: str) -> CommandReply:
        """Record a decision on one purpose: ``news`` (or ``reminders``) grants it, ``news off`` withdraws it.

        Only a button the person pressed, or their yes to the question naming the purpose, runs this: an
        intent guess alone never does (the actions ask first).
        """
        purpose, _, state = argument.partition(" ")
        if purpose not in consents.PURPOSES or state not in ("", "off"):
            return CommandReply([say.string("help")], "out_of_scope")
        granted = state == ""
        now = self.clock()
        with self.database.session() as session:
            consents.record(session, user_id, purpose, granted, now)
            if granted and purpose == "reminders":
                outbox.resume(session, user_id, now, outbox.STOPPED)
                self.planner.plan_person(session, user_id, now)
                self._plan_passport(session, user_id, now)
        if not granted:
            return CommandReply([say.string(f"consent_{purpose}_withdrawn")], "action.unsubscribe")
        return CommandReply([say.string(f"consent_{purpose}_given")], "action.subscribe")

    def _checklist(self, user_id: str, argument: str) -> CommandReply:
        """The person's saved checklist, with a button to tick off each item still to do."""
        from bot.actions.eligibility import check_button
        from bot.actions.eligibility_outcome import checklist_payloads, tick_buttons

        with self.database.session() as session:
            saved = checklists.get(session, user_id)
        if saved is None:
            return CommandReply(
                [say.string("checklist_none"), say.buttons(check_button())], "eligibility.checklist"
            )
        payloads = checklist_payloads(saved.items, saved.ticked, saved.office, self.sources)
        return CommandReply([*payloads, tick_buttons(saved.items, saved.ticked)], "eligibility.checklist")

    def _tick(self, user_id: str, argument: str) -> CommandReply:
        """Tick one item off (a button of the checklist), then show the list again."""
        with self.database.session() as session:
            ticked = checklists.tick(session, user_id, argument, self.clock())
        if not ticked:
            return self._checklist(user_id, "")
        shown = self._checklist(user_id, "")
        return CommandReply([say.string("checklist_ticked"), *shown.payloads], shown.topic)

    def _plan_passport(self, session: Session, user_id: str, now: datetime) -> None:
        """With reminders now allowed, the renewal reminder of a saved passport that would not last."""
        saved = checklists.get(session, user_id)
        if saved is None or saved.passport_expiry is None:
            return
        expiry = date.fromisoformat(saved.passport_expiry)
        start = date.fromisoformat(saved.planned_start) if saved.planned_start else None
        answers = eligibility.Answers(**saved.answers)
        check = eligibility.passport_check(
            expiry, start or eligibility.earliest_start(now.date()), eligibility.stay_months(answers)
        )
        if not check.valid:
            checklists.plan_passport_reminder(
                session, user_id, expiry, check.renew_by, now, self.planner.quiet
            )

    def _checkin(self, user_id: str, argument: str) -> CommandReply:
        """An answer to a return check-in: "help" becomes a help request and the ticket that handles it."""
        answer, _, step = argument.partition(" ")
        if answer == "help":
            with self.database.session() as session:
                request = HelpRequest(user_id=user_id, step=step[:64] or "unknown", at=self.clock())
                session.add(request)
                session.flush()
                request_id = int(request.id)
            promise = self.handoff.open(user_id, "checkin", "return.mentoring", request_id)
            return CommandReply([say.string("checkin_help_recorded"), *promise], "contact.human")
        return CommandReply([say.string("checkin_ok_reply")], "chitchat.greet")

    def _handoff(self, user_id: str, argument: str) -> CommandReply:
        """Open a ticket for a person of a mentor team (asked for, or the offer after two misses taken)."""
        source = argument if argument in TICKET_SOURCES else "asked"
        return CommandReply(self.handoff.open(user_id, source), "contact.human")
