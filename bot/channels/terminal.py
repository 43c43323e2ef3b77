"""The terminal channel: a conversation on standard input and output.

Quick replies are shown as numbered choices; typing the number sends the choice. Piped input is answered
line by line and the chat ends at the end of input.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import TextIO

from bot.core.messages import (
    Button,
    Capabilities,
    InboundMessage,
    OutboundMessage,
    Sent,
    TurnHandler,
    inbound_from_payload,
)

EXTERNAL_ID = "local"


class TerminalChannel:
    """Reads lines, answers each through the conversation core, writes the replies."""

    name = "terminal"
    capabilities = Capabilities(max_text_length=100_000, max_buttons=20, max_button_title=64)

    def __init__(self, conversation: TurnHandler, stdin: TextIO, stdout: TextIO, intro: str | None) -> None:
        self.conversation = conversation
        self.stdin = stdin
        self.stdout = stdout
        self.intro = intro
        self._choices: tuple[Button, ...] = ()
        self._choices_on: str | None = None
        self._ids = itertools.count(1)

    def parse(self, line: str) -> InboundMessage:
        """A typed line, or the payload of the numbered choice it names."""
        stripped = line.strip()
        if stripped.isdigit() and 1 <= int(stripped) <= len(self._choices):
            payload = self._choices[int(stripped) - 1].payload
            return inbound_from_payload(self.name, EXTERNAL_ID, payload, in_reply_to=self._choices_on)
        return InboundMessage(self.name, EXTERNAL_ID, line)

    async def send(self, external_id: str, message: OutboundMessage) -> Sent:
        """Write one message and its numbered choices."""
        self.stdout.write(f"\nMentor: {message.text}\n")
        for number, button in enumerate(message.buttons, start=1):
            self.stdout.write(f"  {number}. {button.title}\n")
        self.stdout.flush()
        return Sent(str(next(self._ids)))

    async def run(self) -> None:
        """Chat until the end of input."""
        if self.intro:
            self.stdout.write(self.intro + "\n")
        loop = asyncio.get_running_loop()
        while True:
            if self.intro:
                self.stdout.write("\n> ")
                self.stdout.flush()
            line = await loop.run_in_executor(None, self.stdin.readline)
            if not line:
                break
            result = await self.conversation.handle(self.parse(line))
            numbered = [m for m in result.messages if m.buttons]
            self._choices = numbered[-1].buttons if numbered else ()
            for message in result.messages:
                is_choice = message.buttons == self._choices
                shown = message if is_choice else OutboundMessage(message.text, message.language)
                sent = await self.send(EXTERNAL_ID, shown)
                if is_choice and shown.buttons:
                    self._choices_on = sent.message_id
                    if result.user_id is not None:
                        self.conversation.delivered(result.user_id, shown, sent)
