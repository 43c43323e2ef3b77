"""One conversational turn, as a short list of steps over one inbound message.

clean → person → language → (Rasa agent → actions) → scam warning → render → remember.
Storage sessions are short and never held while Rasa runs, so actions and the tracker store
can write to the same SQLite file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.actions import say
from bot.channels.base import InboundMessage, OutboundMessage
from bot.core.commands import Commands
from bot.core.render import Renderer
from bot.core.text import clean
from bot.storage import personal_data, users
from bot.storage.db import Database
from knowledge.model import REPLY_LANGUAGES
from knowledge.topics import topic_of_intent
from nlu.language.layer import LanguageGuess, LanguageLayer
from nlu.language.varieties import REPLY_FOR_VARIETY
from nlu.scam_signals import ScamSignals

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TurnResult:
    """What the bot understood and answered (the fields of ``mentor ask``)."""

    text: str
    language: str
    intent: str | None
    confidence: float | None
    topic: str
    reply_language: str
    messages: list[OutboundMessage] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)  # topic ids offered when unsure, in order

    @property
    def reply(self) -> str:
        """All reply texts, one paragraph each."""
        return "\n\n".join(message.text for message in self.messages)


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
    ) -> None:
        self.agent = agent
        self.layer = layer
        self.scam_signals = scam_signals
        self.renderer = renderer
        self.commands = commands
        self.database = database
        self.clock = clock
        self.default_language = default_language

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

    async def _turn(self, inbound: InboundMessage) -> TurnResult:
        cleaned = clean(inbound.text)
        readable = inbound.kind == "text" and cleaned.has_letters
        is_payload = cleaned.text.startswith("/")
        person, guess, reply_language = self._prepare(inbound, cleaned.text if readable else None)
        if inbound.kind == "command":
            command = self.commands.run(person.id, inbound)
            return self._simple(person, inbound.text, command.payloads, guess, reply_language, command.topic)
        if not readable:
            key = "no_text" if inbound.kind == "unsupported" or cleaned.text else "empty_message"
            return self._simple(person, cleaned.text, [say.string(key)])
        if guess.foreign and not person.chosen_language:
            payloads = [say.string("unsupported_language"), say.language_buttons()]
            return self._simple(person, cleaned.text, payloads, guess, reply_language)

        parse = await self.agent.parse_message(cleaned.text)
        intent = parse.get("intent", {}).get("name")
        confidence = parse.get("intent", {}).get("confidence")
        output = CollectingOutputChannel()
        metadata = {"variety": guess.variety, "reply_language": reply_language, "country": person.country}
        await self.agent.handle_message(
            UserMessage(cleaned.text, output, sender_id=person.id, parse_data=parse, metadata=metadata)
        )
        replies = [m["custom"] for m in output.messages if isinstance(m.get("custom"), dict)]
        payloads = [part for reply in replies for part in reply["parts"]]
        topic = topic_of_intent(intent) or next(
            (p["entry"] for p in payloads if "entry" in p), "out_of_scope"
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
        suggestions = say.suggested(payloads)
        return TurnResult(
            cleaned.text, guess.variety, intent, confidence, topic, reply_language, messages, suggestions
        )

    def _prepare(self, inbound: InboundMessage, text: str | None) -> tuple[Person, LanguageGuess, str]:
        """Find the person, read the message's language and store it, in one short transaction."""
        with self.database.session() as session:
            user = users.get_or_create(session, inbound.channel, inbound.external_id, self.clock())
            person = Person(user.id, user.chosen_language, user.reply_language, user.variety, user.country)
            if text is None or text.startswith("/"):
                guess = LanguageGuess(person.variety or "fr", 1.0, "none", too_short=True)
            else:
                guess = self.layer.detect(text, previous=person.variety)
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
        return TurnResult(text, variety, None, None, topic, language, messages)

    def _apply_choices(self, person: Person, chosen: str | None, forget: bool) -> None:
        """Store a chosen reply language, or delete everything once the turn is saved."""
        with self.database.session() as session:
            if forget:
                personal_data.forget(session, person.id)
                logger.info("user=%s deleted their data", person.id)
                return
            user = users.get(session, person.id)
            if user is not None:
                user.chosen_language = chosen
                user.reply_language = chosen
