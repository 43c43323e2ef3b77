"""The terminal channel: a conversation on standard input and output.

Quick replies are shown as numbered choices; typing the number sends the choice. Piped input is answered
line by line and the chat ends at the end of input.
"""

from __future__ import annotations

import asyncio
from typing import TextIO

from bot.channels.base import Button, Capabilities, InboundMessage, OutboundMessage, inbound_from_payload
from bot.core.conversation import Conversation

EXTERNAL_ID = "local"


class TerminalChannel:
    """Reads lines, answers each through the conversation core, writes the replies."""

    name = "terminal"
    capabilities = Capabilities(max_text_length=100_000, max_buttons=20, max_button_title=64)

    def __init__(self, conversation: Conversation, stdin: TextIO, stdout: TextIO, intro: str | None) -> None:
        self.conversation = conversation
        self.stdin = stdin
        self.stdout = stdout
        self.intro = intro
        self._choices: tuple[Button, ...] = ()

    def parse(self, line: str) -> InboundMessage:
        """A typed line, or the payload of the numbered choice it names."""
        stripped = line.strip()
        if stripped.isdigit() and 1 <= int(stripped) <= len(self._choices):
            return inbound_from_payload(self.name, EXTERNAL_ID, self._choices[int(stripped) - 1].payload)
        return InboundMessage(self.name, EXTERNAL_ID, line)

    async def send(self, external_id: str, message: OutboundMessage) -> None:
        """Write one message and its numbered choices."""
        self.stdout.write(f"\nMentor: {message.text}\n")
        for number, button in enumerate(message.buttons, start=1):
            self.stdout.write(f"  {number}. {button.title}\n")
        self.stdout.flush()

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
                shown = (
                    message
                    if message.buttons == self._choices
                    else OutboundMessage(message.text, message.language)
                )
                await self.send(EXTERNAL_ID, shown)
