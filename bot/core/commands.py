"""What the platform-neutral commands do: start, help, menu, stop, and the consent buttons.

They need no language understanding, so the core runs them without Rasa. Channels map their own commands
(Telegram's ``/start <payload>``, ``/stop``...) and command buttons onto these.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.actions import say
from bot.channels.base import InboundMessage
from bot.storage import consents, personal_data, users
from bot.storage.db import Database
from knowledge.model import KnowledgeBase

logger = logging.getLogger(__name__)

DEEP_LINK = re.compile(r"[A-Za-z0-9_-]{1,64}")
COHORT_PREFIX = "cohort_"


@dataclass(frozen=True)
class CommandReply:
    """What a command says, and the topic or outcome it stands for."""

    payloads: list[say.Payload]
    topic: str


class Commands:
    """Runs one command for one person."""

    def __init__(self, database: Database, knowledge: KnowledgeBase, clock: Callable[[], datetime]) -> None:
        self.database = database
        self.knowledge = knowledge
        self.clock = clock

    def run(self, user_id: str, message: InboundMessage) -> CommandReply:
        """Apply the command's effect and return what to say (help for a command we do not know)."""
        handlers: dict[str, Callable[[str, str], CommandReply]] = {
            "start": self._start,
            "help": self._help,
            "menu": self._menu,
            "stop": self._stop,
            "consent": self._consent,
            "export": self._export,
        }
        return handlers.get(message.text, self._help)(user_id, message.argument)

    def _menu_buttons(self) -> say.Payload:
        return say.buttons(*map(say.topic_button, self.knowledge.menu))

    def _start(self, user_id: str, argument: str) -> CommandReply:
        """Record where the person came from; greet, offer languages, the privacy notice and consents."""
        if argument and DEEP_LINK.fullmatch(argument):
            with self.database.session() as session:
                user = users.get(session, user_id)
                if user is not None:
                    user.source = argument
                    if argument.startswith(COHORT_PREFIX) and len(argument) > len(COHORT_PREFIX):
                        user.cohort_code = argument[len(COHORT_PREFIX) :]
        elif argument:
            logger.info("user=%s started with a malformed link payload, ignored", user_id)
        payloads = [
            say.string("greet"),
            say.language_buttons(),
            say.string("privacy_notice"),
            say.buttons(
                say.command_button("button_consent_news", "consent", "news"),
                say.command_button("button_consent_reminders", "consent", "reminders"),
            ),
            say.string("menu"),
            self._menu_buttons(),
        ]
        return CommandReply(payloads, "chitchat.greet")

    def _help(self, user_id: str, argument: str) -> CommandReply:
        return CommandReply([say.string("help"), self._menu_buttons()], "chitchat.greet")

    def _menu(self, user_id: str, argument: str) -> CommandReply:
        return CommandReply([say.string("menu"), self._menu_buttons()], "chitchat.greet")

    def _stop(self, user_id: str, argument: str) -> CommandReply:
        """End every proactive message at once."""
        with self.database.session() as session:
            consents.withdraw_all(session, user_id, self.clock())
        return CommandReply([say.string("stopped")], "action.unsubscribe")

    def _export(self, user_id: str, argument: str) -> CommandReply:
        """Show the person everything stored about them."""
        with self.database.session() as session:
            data = personal_data.export(session, user_id)
        return CommandReply(
            [say.string("export_intro"), say.raw(json.dumps(data, ensure_ascii=False, indent=1))], "privacy"
        )

    def _consent(self, user_id: str, argument: str) -> CommandReply:
        """Record consent to one purpose, pressed on a button."""
        if argument not in consents.PURPOSES:
            return CommandReply([say.string("help")], "out_of_scope")
        with self.database.session() as session:
            consents.record(session, user_id, argument, True, self.clock())
        return CommandReply([say.string(f"consent_{argument}_given")], "action.subscribe")
