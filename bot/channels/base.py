"""The types every channel speaks, and what an adapter must offer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

MessageKind = Literal["text", "command", "unsupported"]
COMMANDS = ("start", "help", "menu", "stop", "consent", "export", "checkin")
COMMAND_PREFIX = "cmd:"


@dataclass(frozen=True)
class Button:
    """A quick reply: what the person sees, and the text sent back when they press it."""

    title: str
    payload: str


@dataclass(frozen=True)
class InboundMessage:
    """One message from a person, whatever the platform.

    ``kind`` is ``unsupported`` for stickers, photos, voice notes and other things the bot cannot read, and
    ``command`` for one of ``COMMANDS`` (then ``text`` is the command and ``argument`` what follows it).
    ``client_language`` is the language the platform reports for the person's app, if any.
    """

    channel: str
    external_id: str
    text: str = ""
    kind: MessageKind = "text"
    client_language: str | None = None
    argument: str = ""


def command_payload(command: str, argument: str = "") -> str:
    """The payload of a button that runs a core command (``cmd:consent news``)."""
    return f"{COMMAND_PREFIX}{command} {argument}".strip()


def inbound_from_payload(
    channel: str, external_id: str, payload: str, client_language: str | None = None
) -> InboundMessage:
    """The message a pressed button sends: a core command, or text (``/intent`` payloads) for the NLU."""
    if payload.startswith(COMMAND_PREFIX):
        command, _, argument = payload[len(COMMAND_PREFIX) :].partition(" ")
        if command in COMMANDS:
            return InboundMessage(channel, external_id, command, "command", client_language, argument)
    return InboundMessage(channel, external_id, payload, client_language=client_language)


@dataclass(frozen=True)
class OutboundMessage:
    """One message to a person: text and optional quick replies, in one reply language."""

    text: str
    language: str
    buttons: tuple[Button, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Capabilities:
    """What a channel can show; the channel adapter splits or trims to fit."""

    max_text_length: int
    max_buttons: int
    max_button_title: int


class ChannelAdapter(Protocol):
    """A platform adapter: its name and capabilities, and how to send one message."""

    name: str
    capabilities: Capabilities

    async def send(self, external_id: str, message: OutboundMessage) -> None:
        """Deliver one message to one person."""
