"""One conversational turn, as a short list of steps over one inbound message.

clean → person → language → (an open ticket takes the message) → (Rasa agent → actions) → scam warning →
render → remember.
Storage sessions are short and never held while Rasa runs, so actions and the tracker store
can write to the same SQLite file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.actions import say
from bot.core.commands import Commands, campaign_link, is_stop_word
from bot.core.messages import (
    COMMAND_PREFIX,
    InboundMessage,
    OutboundMessage,
    Sent,
    TurnResult,
    is_command_payload,
)
from bot.core.render import Renderer
from bot.core.text import clean
from bot.storage import buttons, personal_data, users
from bot.storage.db import Database
from knowledge.model import REPLY_LANGUAGES
from knowledge.topics import topic_of_intent
from nlu.language.layer import LanguageGuess, LanguageLayer
from nlu.language.varieties import REPLY_FOR_VARIETY
from nlu.scam_signals import ScamSignals

logger = logging.getLogger(__name__)

# Commands only a button sends: honoured only when the bot offered that button on that message.
BUTTON_COMMANDS = ("consent", "export", "checkin", "handoff", "tick")
# What still reaches the bot while a ticket is open (privacy, delete my data, and the answer to its
# confirmation); everything else goes to the ticket.
THROUGH_A_TICKET = ("privacy", "delete_data")
CONFIRMATIONS = ("affirm", "deny")
THROUGH_CONFIDENCE = 0.5
# Commands a person may type on any channel (WhatsApp has no command menu).
TYPED_COMMANDS = {"/checklist": "checklist", "/menu": "menu", "/help": "help"}
CHECK_FORM = "eligibility_form"
# Buttons that act once (a check-in's answer).
ONE_TIME_COMMANDS = ("checkin",)


@dataclass(frozen=True)
class Person:
    """What a turn needs to know about the person, read before Rasa runs."""

    id: str
    chosen_language: str | None
    reply_language: str | None
    variety: str | None
    country: str | None


class Conversation:
    """The conversation core: takes an ``InboundMessage``, returns a ``TurnResult``; knows no platform."""

    def __init__(
        self,
        agent: Agent,
        layer: LanguageLayer,
        scam_signals: ScamSignals,
        renderer: Renderer,
        commands: Commands,
        database: Database,
        clock: Callable[[], datetime],
        default_language: str = "fr",
        forgotten: Callable[[], object] = lambda: None,
    ) -> None:
        self.agent = agent
        self.layer = layer
        self.scam_signals = scam_signals
        self.renderer = renderer
        self.commands = commands
        self.database = database
        self.clock = clock
        self.default_language = default_language
        self.forgotten = forgotten  # what else must follow a deletion (files derived from the database)

    async def handle(self, inbound: InboundMessage) -> TurnResult:
        """Answer one message; never raises: an unexpected error gets an apology in the person's language."""
        try:
            return await self._turn(inbound)
        except Exception:
            logger.exception("turn failed on channel %s", inbound.channel)
            language = self.default_language
            text = self.renderer.knowledge.string("error_apology", language)
            return TurnResult(
                "", "fr", None, None, "out_of_scope", language, [OutboundMessage(text, language)]
            )

    def delivered(self, user_id: str, message: OutboundMessage, sent: Sent) -> None:
        """Remember the command buttons of a reply that went out, so that pressing them is honoured."""
        payloads = [b.payload for b in message.buttons if is_command_payload(b.payload)]
        if payloads and sent.message_id is not None:
            with self.database.session() as session:
                buttons.offer(session, user_id, sent.message_id, payloads, self.clock())

    async def _turn(self, inbound: InboundMessage) -> TurnResult:
        cleaned = clean(inbound.text)
        if inbound.kind == "text" and is_stop_word(cleaned.text):
            inbound = replace(inbound, kind="command", text="stop", argument="")
        elif inbound.kind == "text" and (code := campaign_link(cleaned.text)) is not None:
            inbound = replace(inbound, kind="command", text="start", argument=code)
        elif inbound.kind == "text" and cleaned.text.strip().lower() in TYPED_COMMANDS:
            inbound = replace(inbound, kind="command", text=TYPED_COMMANDS[cleaned.text.strip().lower()])
        readable = inbound.kind == "text" and cleaned.has_letters
        is_payload = cleaned.text.startswith("/")
        person, guess, reply_language = self._prepare(inbound, cleaned.text if readable else None)
        if inbound.kind == "command":
            if inbound.text in BUTTON_COMMANDS and not self._offered(person.id, inbound):
                return self._simple(
                    person, inbound.text, [say.string("button_expired")], guess, reply_language
                )
            command = self.commands.run(person.id, inbound)
            if inbound.text == "stop":
                await self._leave_check(person.id)
            return self._simple(person, inbound.text, command.payloads, guess, reply_language, command.topic)
        if not readable and inbound.kind == "text" and any(c.isdigit() for c in cleaned.text):
            readable = await self._in_check(person.id)  # "22", "09/2027": an answer to the check's question
        parse = None
        ticket = self.commands.handoff.active(person.id)
        if ticket is not None:
            parse = await self.agent.parse_message(cleaned.text) if readable else None
            if not await self._for_the_bot(person.id, parse):
                self.commands.handoff.take(ticket, cleaned.text if readable else "[not text]")
                logger.info("turn user=%s added to ticket %d, the bot stays quiet", person.id, ticket)
                return TurnResult(
                    cleaned.text, guess.variety, None, None, say.PERSON, reply_language, [], person.id
                )
        if not readable:
            key = "no_text" if inbound.kind == "unsupported" or cleaned.text else "empty_message"
            return self._simple(person, cleaned.text, [say.string(key)])
        if guess.foreign and not person.chosen_language:
            payloads = [say.string("unsupported_language"), say.language_buttons()]
            return self._simple(person, cleaned.text, payloads, guess, reply_language)

        parse = parse or await self.agent.parse_message(cleaned.text)
        intent = parse.get("intent", {}).get("name")
        confidence = parse.get("intent", {}).get("confidence")
        output = CollectingOutputChannel()
        metadata = {"variety": guess.variety, "reply_language": reply_language, "country": person.country}
        await self.agent.handle_message(
            UserMessage(cleaned.text, output, sender_id=person.id, parse_data=parse, metadata=metadata)
        )
        replies = [m["custom"] for m in output.messages if isinstance(m.get("custom"), dict)]
        payloads, command_topic = self._run_commands(
            person, inbound, [part for reply in replies for part in reply["parts"]]
        )
        topic = (
            next((p["marks"] for p in payloads if "marks" in p), None)
            or command_topic
            or topic_of_intent(intent)
            or next((p["entry"] for p in payloads if "entry" in p), "out_of_scope")
        )

        if not is_payload and self.scam_signals.detect(cleaned.text):
            if topic == "out_of_scope":
                topic = "safety.scams"
            if not any(p.get("entry") == "safety.scams" for p in payloads):
                payloads = [say.string("scam_warning"), say.entry("safety.scams"), *payloads]
        if cleaned.truncated:
            payloads.insert(0, say.string("truncated"))

        chosen = next((p["set_language"] for p in payloads if "set_language" in p), None)
        if chosen:
            reply_language = chosen
        forget = any(p.get("forget_user") for p in payloads)
        messages = self.renderer.render(payloads, reply_language)
        if chosen or forget:
            self._apply_choices(person, chosen, forget)
        logger.info(
            "turn user=%s variety=%s intent=%s confidence=%.2f topic=%s reply=%s",
            person.id,
            guess.variety,
            intent,
            confidence or 0.0,
            topic,
            reply_language,
        )
        return TurnResult(
            cleaned.text,
            guess.variety,
            intent,
            confidence,
            topic,
            reply_language,
            messages,
            person.id,
            say.suggested(payloads),
        )

    async def _for_the_bot(self, user_id: str, parse: dict[str, Any] | None) -> bool:
        """Whether a message written while a ticket is open is for the bot: privacy, delete my data, or the
        yes or no to the bot's own question whether to delete."""
        intent = (parse or {}).get("intent") or {}
        if (intent.get("confidence") or 0.0) < THROUGH_CONFIDENCE:
            return False
        if intent.get("name") in THROUGH_A_TICKET:
            return True
        if intent.get("name") in CONFIRMATIONS:
            tracker = await self.agent.tracker_store.retrieve(user_id)
            return bool(tracker is not None and tracker.get_slot("awaiting_delete"))
        return False
    async def _in_check(self, user_id: str) -> bool:
        """Whether the person is answering the eligibility check's questions."""
        tracker = await self.agent.tracker_store.retrieve(user_id)
        return tracker is not None and tracker.active_loop_name == CHECK_FORM

    async def _leave_check(self, user_id: str) -> None:
        """A STOP word also ends an eligibility check under way, so the next message is not taken as an
        answer to its question; its answers, kept only in the conversation, are dropped."""
        if not await self._in_check(user_id):
            return
        tracker = await self.agent.tracker_store.retrieve(user_id)
        from rasa.shared.core.events import ActiveLoop, SlotSet

        from bot.actions.eligibility import SLOTS

        tracker.update(ActiveLoop(None))
        for slot in (*SLOTS, "requested_slot"):
            tracker.update(SlotSet(slot, None))
        await self.agent.tracker_store.save(tracker)

    def _offered(self, user_id: str, inbound: InboundMessage) -> bool:
        """Whether the bot sent this button to this person (a one-time button: and it was not used yet)."""
        if inbound.in_reply_to is None:
            logger.info("user=%s pressed a %s button on no known message", user_id, inbound.text)
            return False
        payload = f"{COMMAND_PREFIX}{inbound.text} {inbound.argument}".strip()
        with self.database.session() as session:
            offered = buttons.take(
                session,
                user_id,
                inbound.in_reply_to,
                payload,
                self.clock(),
                inbound.text in ONE_TIME_COMMANDS,
            )
        if not offered:
            logger.info("user=%s pressed a %s button the bot did not offer, ignored", user_id, inbound.text)
        return offered

    def _run_commands(
        self, person: Person, inbound: InboundMessage, payloads: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Run what an action asked for (a yes to the bot's own consent question): the very command its
        button would have run, so both paths write the same rows and say the same thing."""
        parts: list[dict[str, Any]] = []
        topic = None
        for part in payloads:
            if "command" not in part:
                parts.append(part)
                continue
            message = InboundMessage(
                inbound.channel, inbound.external_id, part["command"], "command", argument=part["argument"]
            )
            reply = self.commands.run(person.id, message)
            parts.extend(reply.payloads)
            topic = reply.topic
        return parts, topic

    def _prepare(self, inbound: InboundMessage, text: str | None) -> tuple[Person, LanguageGuess, str]:
        """Find the person, read the message's language and store it, in one short transaction."""
        with self.database.session() as session:
            user = users.get_or_create(session, inbound.channel, inbound.external_id, self.clock())
            users.record_inbound(session, user, self.clock())
            if inbound.country and not user.country:
                user.country = inbound.country
            person = Person(user.id, user.chosen_language, user.reply_language, user.variety, user.country)
            if text is None or text.startswith("/"):
                guess = LanguageGuess(person.variety or "fr", 1.0, "none", too_short=True)
            else:
                guess = self.layer.detect(text, previous=person.variety, country=person.country)
            reply_language = self._reply_language(person, guess, inbound.client_language)
            if not guess.too_short:
                user.variety = guess.variety
            user.reply_language = reply_language
        return person, guess, reply_language

    def _reply_language(self, person: Person, guess: LanguageGuess, client_language: str | None) -> str:
        """DESIGN's rule: an explicit choice wins, else follow the message, else keep the conversation's."""
        if person.chosen_language:
            return person.chosen_language
        if not guess.too_short:
            return REPLY_FOR_VARIETY[guess.variety]
        if person.reply_language:
            return person.reply_language
        if client_language in REPLY_LANGUAGES:
            return str(client_language)
        return REPLY_FOR_VARIETY.get(guess.variety, self.default_language)

    def _simple(
        self,
        person: Person,
        text: str,
        payloads: list[dict[str, Any]],
        guess: LanguageGuess | None = None,
        reply_language: str | None = None,
        topic: str = "out_of_scope",
    ) -> TurnResult:
        """A turn answered without Rasa (a command, nothing to read, or a language we do not serve)."""
        language = reply_language or person.chosen_language or person.reply_language or self.default_language
        messages = self.renderer.render(payloads, language)
        variety = guess.variety if guess and not guess.too_short else (person.variety or "fr")
        logger.info("turn user=%s answered without NLU reply=%s", person.id, language)
        return TurnResult(text, variety, None, None, topic, language, messages, person.id)

    def _apply_choices(self, person: Person, chosen: str | None, forget: bool) -> None:
        """Store a chosen reply language, or delete everything once the turn is saved."""
        if forget:
            with self.database.session() as session:
                personal_data.forget(session, person.id)
            self.database.checkpoint()  # nothing of them left in the write-ahead log either
            self.forgotten()
            logger.info("user=%s deleted their data", person.id)
            return
        with self.database.session() as session:
            user = users.get(session, person.id)
            if user is not None:
                user.chosen_language = chosen
                user.reply_language = chosen
