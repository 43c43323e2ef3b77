"""The types every channel speaks, and what an adapter must offer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

MessageKind = Literal["text", "unsupported"]


@dataclass(frozen=True)
class Button:
    """A quick reply: what the person sees, and the text sent back when they press it."""

    title: str
    payload: str


@dataclass(frozen=True)
class InboundMessage:
    """One message from a person, whatever the platform.

    ``kind`` is ``unsupported`` for stickers, photos, voice notes and other things the bot cannot read.
    ``client_language`` is the language the platform reports for the person's app, if any.
    """

    channel: str
    external_id: str
    text: str = ""
    kind: MessageKind = "text"
    client_language: str | None = None


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
