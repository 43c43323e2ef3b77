"""The types every channel speaks, and the two small protocols between channels and the core.

Channels import this module and never the conversation itself: they hand an ``InboundMessage`` to a
``TurnHandler`` and send what comes back through their ``Sender``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal, Protocol, runtime_checkable

MessageKind = Literal["text", "command", "unsupported"]
COMMANDS = ("start", "help", "menu", "stop", "consent", "export", "checkin", "handoff", "checklist", "tick")
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
    ``client_language`` is the language the platform reports for the person's app, if any; ``country`` the
    country the platform vouches for (a WhatsApp id's prefix), if any. ``in_reply_to`` is the platform id of
    the bot's message whose button was pressed: a command button acts only on a message the bot sent.
    """

    channel: str
    external_id: str
    text: str = ""
    kind: MessageKind = "text"
    client_language: str | None = None
    argument: str = ""
    country: str | None = None
    in_reply_to: str | None = None


def command_payload(command: str, argument: str = "") -> str:
    """The payload of a button that runs a core command (``cmd:consent news``)."""
    return f"{COMMAND_PREFIX}{command} {argument}".strip()


def is_command_payload(payload: str) -> bool:
    """Whether a button runs a core command (and so must have been offered by the bot to be honoured)."""
    return payload.startswith(COMMAND_PREFIX)


def inbound_from_payload(
    channel: str,
    external_id: str,
    payload: str,
    client_language: str | None = None,
    in_reply_to: str | None = None,
    country: str | None = None,
) -> InboundMessage:
    """The message a pressed button sends: a core command, or text (``/intent`` payloads) for the NLU."""
    if is_command_payload(payload):
        command, _, argument = payload[len(COMMAND_PREFIX) :].partition(" ")
        if command in COMMANDS:
            return InboundMessage(
                channel, external_id, command, "command", client_language, argument, country, in_reply_to
            )
    return InboundMessage(
        channel,
        external_id,
        payload,
        client_language=client_language,
        country=country,
        in_reply_to=in_reply_to,
    )


@dataclass(frozen=True)
class OutboundMessage:
    """One message to a person: text and optional quick replies, in one reply language."""

    text: str
    language: str
    buttons: tuple[Button, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Capabilities:
    """What a channel can show and when it may speak first; the core and the dispatcher read these instead of
    asking which platform it is, and the adapter splits or trims to fit.

    ``max_list_rows`` and ``max_list_title`` describe a list picker (0: none); ``templates`` whether
    pre-approved templates exist; ``service_window`` how long after a person's last message free text may be
    sent (None: always); ``opt_in_required`` whether nothing proactive may go to a person before they said
    yes to its purpose (Meta requires it on WhatsApp; undecided is then no).
    """

    max_text_length: int
    max_buttons: int
    max_button_title: int
    max_list_rows: int = 0
    max_list_title: int = 0
    templates: bool = False
    service_window: timedelta | None = None
    opt_in_required: bool = False


@dataclass(frozen=True)
class Sent:
    """What a platform said about a message it accepted: its id there (for button presses and statuses)."""

    message_id: str | None


@dataclass(frozen=True)
class TurnResult:
    """What the bot understood and answered (the fields of ``mentor ask``), and to whom."""

    text: str
    language: str
    intent: str | None
    confidence: float | None
    topic: str
    reply_language: str
    messages: list[OutboundMessage] = field(default_factory=list)
    user_id: str | None = None
    suggestions: list[str] = field(default_factory=list)  # topic ids offered when unsure, in order

    @property
    def reply(self) -> str:
        """All reply texts, one paragraph each."""
        return "\n\n".join(message.text for message in self.messages)


class Sender(Protocol):
    """A platform adapter's sending half: its name and capabilities, and how to send one message."""

    name: str
    capabilities: Capabilities

    async def send(self, external_id: str, message: OutboundMessage) -> Sent:
        """Deliver one message to one person; raise ``SendError`` when the platform refuses."""


@runtime_checkable
class TemplateSender(Protocol):
    """A sender that can speak outside its service window with a pre-approved template."""

    async def send_template(self, external_id: str, message_key: str, message: OutboundMessage) -> Sent:
        """Send ``message`` as the approved template of ``message_key`` in its language; raise
        ``OutsideServiceWindow`` with the reason when there is none."""


class TurnHandler(Protocol):
    """The core as a channel sees it: one inbound message in, the replies out (never raises)."""

    async def handle(self, inbound: InboundMessage) -> TurnResult:
        """Answer one message."""

    def delivered(self, user_id: str, message: OutboundMessage, sent: Sent) -> None:
        """Note that a reply went out, so that the command buttons it carried can be honoured later."""
