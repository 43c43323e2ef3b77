"""Telegram updates checked before anything acts on them: the fields the bot reads, with their types and
ranges, parsed into what the core understands (an ``InboundMessage``) or a block/unblock report.

An update is checked with pydantic's strict types: a string where a number belongs, a date of 10^18 or a
missing chat is refused with the path of the field that was wrong, never left to fail inside a handler.
Fields the bot does not read are ignored; stickers, photos, voice notes and the like only count as "not text".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import ConstrainedInt, Field, StrictBool, constr

from bot.channels.payloads import StrictModel, checked
from bot.core.messages import InboundMessage, inbound_from_payload

CHANNEL = "telegram"
# Commands the core runs, and Telegram commands that are questions for the assistant (intent payloads).
CORE_COMMANDS = ("start", "help", "menu", "stop", "checklist")
NLU_COMMANDS = {"privacy": "/privacy", "language": "/choose_language"}
MAX_TEXT = 16_384  # Telegram sends at most 4,096 characters; the core cuts long texts further


class Identifier(ConstrainedInt):
    """A Telegram id: an integer within what JSON numbers carry exactly (no bool, no string)."""

    strict = True
    ge = -(2**53)
    le = 2**53


class Timestamp(ConstrainedInt):
    """A Unix time within this century and the next."""

    strict = True
    ge = 0
    le = 2**32


class TelegramUser(StrictModel):
    id: Identifier
    is_bot: StrictBool = False
    language_code: constr(strict=True, max_length=35) | None = None  # type: ignore[valid-type]


class Chat(StrictModel):
    id: Identifier
    type: constr(strict=True, max_length=32)  # type: ignore[valid-type]


class Entity(StrictModel):
    type: constr(strict=True, max_length=32)  # type: ignore[valid-type]
    offset: Identifier
    length: Identifier


class RepliedTo(StrictModel):
    """The message a group message answers: only who wrote it matters (is it the bot?)."""

    from_: TelegramUser | None = Field(None, alias="from")


class Message(StrictModel):
    message_id: Identifier
    date: Timestamp
    chat: Chat
    from_: TelegramUser | None = Field(None, alias="from")
    text: constr(strict=True, max_length=MAX_TEXT) | None = None  # type: ignore[valid-type]
    entities: list[Entity] | None = None
    reply_to_message: RepliedTo | None = None


class MessageRef(StrictModel):
    message_id: Identifier
    chat: Chat


class CallbackQuery(StrictModel):
    id: constr(strict=True, max_length=64)  # type: ignore[valid-type]
    from_: TelegramUser = Field(alias="from")
    data: constr(strict=True, max_length=64) | None = None  # type: ignore[valid-type]
    message: MessageRef | None = None


class MemberStatus(StrictModel):
    status: constr(strict=True, max_length=32)  # type: ignore[valid-type]


class ChatMemberUpdated(StrictModel):
    chat: Chat
    date: Timestamp
    new_chat_member: MemberStatus


class Update(StrictModel):
    update_id: Identifier
    message: Message | None = None
    edited_message: Message | None = None
    callback_query: CallbackQuery | None = None
    my_chat_member: ChatMemberUpdated | None = None


@dataclass(frozen=True)
class Reachable:
    """The person blocked the bot (``False``) or unblocked it (``True``)."""

    external_id: str
    reachable: bool


@dataclass(frozen=True)
class Parsed:
    """What an update means for the bot: a message to answer, a button to acknowledge, a block report."""

    update_id: int
    inbound: InboundMessage | None = None
    callback_id: str | None = None
    reachability: Reachable | None = None


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is, to tell when a group message addresses it."""

    id: int
    username: str | None


def check(data: object) -> Update:
    """The update, checked; ``BadPayload`` naming the first wrong field otherwise."""
    return checked(Update, data)


def parse(update: Update, me: BotIdentity) -> Parsed:
    """What the update asks of the bot (nothing, for updates it does not act on)."""
    if update.callback_query is not None:
        return _button(update.update_id, update.callback_query)
    if update.my_chat_member is not None:
        member = update.my_chat_member
        if member.chat.type != "private":
            return Parsed(update.update_id)
        status = member.new_chat_member.status
        if status not in ("kicked", "member"):
            return Parsed(update.update_id)
        return Parsed(update.update_id, reachability=Reachable(str(member.chat.id), status == "member"))
    message = update.message or update.edited_message
    if message is None:
        return Parsed(update.update_id)
    return Parsed(update.update_id, inbound=_message(message, me))


def _language(user: TelegramUser | None) -> str | None:
    return user.language_code.split("-")[0] if user and user.language_code else None


def _button(update_id: int, query: CallbackQuery) -> Parsed:
    """A pressed inline button: acknowledged always; acted on when it is on a message in a private chat."""
    inbound = None
    if query.data and query.message is not None and query.message.chat.type == "private":
        inbound = inbound_from_payload(
            CHANNEL,
            str(query.message.chat.id),
            query.data,
            _language(query.from_),
            in_reply_to=str(query.message.message_id),
        )
    return Parsed(update_id, inbound=inbound, callback_id=query.id)


def _message(message: Message, me: BotIdentity) -> InboundMessage | None:
    """A message: a command, text, or something that is not text; in groups only when addressed."""
    chat_id = str(message.chat.id)
    language = _language(message.from_)
    private = message.chat.type == "private"
    if message.text is None:
        if not private:
            return None
        return InboundMessage(CHANNEL, chat_id, kind="unsupported", client_language=language)
    text = message.text if private else _addressed(message, me)
    if text is None:
        return None
    if _is_command(message):
        return _command(chat_id, text, language)
    return InboundMessage(CHANNEL, chat_id, text, client_language=language)


def _is_command(message: Message) -> bool:
    return any(e.type == "bot_command" and e.offset == 0 for e in message.entities or ())


def _command(chat_id: str, text: str, language: str | None) -> InboundMessage:
    """``/start payload``, ``/stop``...: a core command; ``/privacy``: a question; unknown ones get help."""
    word, _, argument = text.partition(" ")
    command = word.lstrip("/").split("@")[0].lower()
    if command in NLU_COMMANDS:
        return InboundMessage(CHANNEL, chat_id, NLU_COMMANDS[command], client_language=language)
    kind: Literal["command"] = "command"
    name = command if command in CORE_COMMANDS else "help"
    return InboundMessage(CHANNEL, chat_id, name, kind, language, argument.strip())


def _addressed(message: Message, me: BotIdentity) -> str | None:
    """The text without the bot's @mention, when a group message mentions or replies to the bot."""
    text = message.text or ""
    replied = message.reply_to_message
    if replied is not None and replied.from_ is not None and replied.from_.id == me.id:
        return text
    if me.username:
        mention = f"@{me.username}".lower()
        index = text.lower().find(mention)
        if index >= 0:
            return (text[:index] + text[index + len(mention) :]).strip()
    return None
