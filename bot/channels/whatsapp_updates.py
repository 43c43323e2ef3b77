"""WhatsApp webhook bodies checked before anything acts on them, and parsed into what the core understands.

A body is checked with pydantic's strict types (our own models: pywa 4.5 reads ``contacts[0]`` of a failed
status, which Meta leaves out, and raises on hostile shapes), so that a wrong type, a missing id or a huge
list is a 400 naming the field, never a 500. A person is their business-scoped user id (BSUID, ``MA.…``),
or their phone number (``wa_id``) when Meta sends no BSUID; the phone number is never logged. The BSUID's
prefix, else the phone's country code, is the person's country.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field, StrictInt, constr

from bot.channels.payloads import StrictModel, checked
from bot.core.messages import InboundMessage, inbound_from_payload

CHANNEL = "whatsapp"
MAX_TEXT = 65_536
MAX_ITEMS = 1000
PHONE_COUNTRIES = {"212": "MA", "216": "TN", "39": "IT"}
STATUSES = ("sent", "delivered", "read", "failed")

# Ids are printable: no control characters and no lone surrogates (which no database or JSON encoder takes).
Id = constr(strict=True, min_length=1, max_length=256, regex=r"^[^\x00-\x1f\x7f\ud800-\udfff]+$")
Word = constr(strict=True, max_length=64)
Digits = constr(strict=True, regex=r"^\d{1,15}$")


class Metadata(StrictModel):
    phone_number_id: Id  # type: ignore[valid-type]


class Contact(StrictModel):
    user_id: Id | None = None  # type: ignore[valid-type]
    wa_id: Digits | None = None  # type: ignore[valid-type]


class Text(StrictModel):
    body: constr(strict=True, max_length=MAX_TEXT)  # type: ignore[valid-type]


class Reply(StrictModel):
    id: Id  # type: ignore[valid-type]
    title: constr(strict=True, max_length=256) | None = None  # type: ignore[valid-type]


class Interactive(StrictModel):
    type: Word  # type: ignore[valid-type]
    button_reply: Reply | None = None
    list_reply: Reply | None = None


class TemplateButton(StrictModel):
    payload: constr(strict=True, min_length=1, max_length=256)  # type: ignore[valid-type]


class Context(StrictModel):
    id: Id | None = None  # type: ignore[valid-type]


class Message(StrictModel):
    id: Id  # type: ignore[valid-type]
    type: Word  # type: ignore[valid-type]
    from_: Digits | None = Field(None, alias="from")  # type: ignore[valid-type]
    from_user_id: Id | None = None  # type: ignore[valid-type]
    timestamp: Digits | None = None  # type: ignore[valid-type]
    context: Context | None = None
    text: Text | None = None
    interactive: Interactive | None = None
    button: TemplateButton | None = None


class Error(StrictModel):
    code: StrictInt


class Status(StrictModel):
    id: Id  # type: ignore[valid-type]
    status: Word  # type: ignore[valid-type]
    timestamp: Digits | None = None  # type: ignore[valid-type]
    errors: list[Error] = Field(default_factory=list, max_items=MAX_ITEMS)


class Value(StrictModel):
    metadata: Metadata
    contacts: list[Contact] = Field(default_factory=list, max_items=MAX_ITEMS)
    messages: list[Message] = Field(default_factory=list, max_items=MAX_ITEMS)
    statuses: list[Status] = Field(default_factory=list, max_items=MAX_ITEMS)


class Change(StrictModel):
    field: Word  # type: ignore[valid-type]
    value: Value


class Entry(StrictModel):
    changes: list[Change] = Field(max_items=MAX_ITEMS)


class Notification(StrictModel):
    object: constr(strict=True, regex=r"^whatsapp_business_account$")  # type: ignore[valid-type]
    entry: list[Entry] = Field(max_items=MAX_ITEMS)


@dataclass(frozen=True)
class Incoming:
    """A message to answer, and its wamid (the key that has it answered once)."""

    message_id: str
    inbound: InboundMessage


@dataclass(frozen=True)
class StatusReport:
    """What Meta says of a message the bot sent: sent, delivered, read, or failed with ``error_code``."""

    message_id: str
    status: str
    timestamp: int | None
    error_code: int | None = None


@dataclass(frozen=True)
class Parsed:
    """Everything one notification carries for the bot's phone number."""

    messages: list[Incoming]
    statuses: list[StatusReport]


def check(data: object) -> Notification:
    """The notification, checked; ``BadPayload`` naming the first wrong field otherwise."""
    return checked(Notification, data)


def country_of(user_id: str | None, phone: str | None) -> str | None:
    """The BSUID's prefix (``MA.…``), else the country of the phone's calling code."""
    if user_id and len(user_id) > 3 and user_id[2] == "." and user_id[:2].isalpha() and user_id[:2].isupper():
        return user_id[:2]
    if phone:
        for code, country in PHONE_COUNTRIES.items():
            if phone.startswith(code):
                return country
    return None


def parse(notification: Notification, phone_number_id: str) -> Parsed:
    """The messages and statuses addressed to ``phone_number_id`` (others are not ours and are ignored)."""
    messages: list[Incoming] = []
    statuses: list[StatusReport] = []
    for entry in notification.entry:
        for change in entry.changes:
            value = change.value
            if change.field != "messages" or value.metadata.phone_number_id != phone_number_id:
                continue
            for message in value.messages:
                inbound = _inbound(message, value.contacts)
                if inbound is not None:
                    messages.append(Incoming(message.id, inbound))
            statuses += [_status(status) for status in value.statuses if status.status in STATUSES]
    return Parsed(messages, statuses)


def _status(status: Status) -> StatusReport:
    code = status.errors[0].code if status.errors else None
    timestamp = int(status.timestamp) if status.timestamp else None
    return StatusReport(status.id, status.status, timestamp, code if status.status == "failed" else None)


def _inbound(message: Message, contacts: list[Contact]) -> InboundMessage | None:
    """What the person sent: text, a pressed button or list row, or something the bot cannot read."""
    contact = _contact_of(message, contacts)
    user_id = message.from_user_id or (contact.user_id if contact else None)
    phone = message.from_ or (contact.wa_id if contact else None)
    external_id = user_id or phone
    if external_id is None:
        return None
    country = country_of(user_id, phone)
    replied = message.context.id if message.context else None
    if message.type == "text" and message.text is not None:
        return InboundMessage(CHANNEL, external_id, message.text.body, country=country)
    payload = _payload(message)
    if payload is not None:
        return inbound_from_payload(CHANNEL, external_id, payload, in_reply_to=replied, country=country)
    return InboundMessage(CHANNEL, external_id, kind="unsupported", country=country)


def _contact_of(message: Message, contacts: list[Contact]) -> Contact | None:
    for contact in contacts:
        if (message.from_user_id and contact.user_id == message.from_user_id) or (
            message.from_ and contact.wa_id == message.from_
        ):
            return contact
    return contacts[0] if len(contacts) == 1 else None


def _payload(message: Message) -> str | None:
    """The id of a pressed reply button or chosen list row, or a template quick reply's payload."""
    if message.type == "interactive" and message.interactive is not None:
        reply = message.interactive.button_reply or message.interactive.list_reply
        return reply.id if reply is not None else None
    if message.type == "button" and message.button is not None:
        return message.button.payload
    return None
