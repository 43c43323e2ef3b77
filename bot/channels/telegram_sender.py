"""Sending to Telegram: split to fit, inline keyboards, and Telegram's errors as ``SendError``.

Used by the channel for replies (retrying a little in place) and by the outbox dispatcher for proactive
messages (one attempt: the dispatcher owns retries, pacing and the 429 pause).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.channels.telegram_request import AiohttpRequest
from bot.core.messages import Capabilities, OutboundMessage, Sent
from bot.core.send_errors import ContactUnreachable, SendError
from bot.core.text import split_text
from bot.settings import TelegramSettings

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
BACKOFF_SECONDS = 0.5
MAX_CALLBACK_BYTES = 64


def to_send_error(error: TelegramError) -> SendError:
    """Telegram's errors as ``SendError``: 429 waits, 5xx and timeouts retry, 403 is unreachable."""
    if isinstance(error, RetryAfter):
        seconds = error.retry_after  # a timedelta: PTB_TIMEDELTA is set at start-up
        wait = seconds.total_seconds() if isinstance(seconds, timedelta) else float(seconds)
        return SendError("throttled", retryable=True, retry_after=wait)
    if isinstance(error, Forbidden):
        return ContactUnreachable("blocked")
    if isinstance(error, BadRequest):
        return SendError(f"bad request: {error.message}", retryable=False)
    if isinstance(error, TimedOut | NetworkError):
        return SendError("network or server error", retryable=True)
    return SendError(type(error).__name__, retryable=False)


class TelegramSender:
    """Sends one ``OutboundMessage`` to one chat through a python-telegram-bot ``Bot``."""

    name = "telegram"
    capabilities = Capabilities(max_text_length=4096, max_buttons=12, max_button_title=64)

    def __init__(self, bot: Bot, attempts: int = MAX_ATTEMPTS) -> None:
        self.bot = bot
        self.attempts = attempts

    async def __aenter__(self) -> TelegramSender:
        await self.bot.initialize()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.bot.shutdown()

    async def send(self, external_id: str, message: OutboundMessage) -> Sent:
        """Send one message (split to fit), with its quick replies on the last piece; retry what may pass.
        Returns the id of the last piece, the one that carries the buttons."""
        pieces = split_text(message.text, self.capabilities.max_text_length)
        last = None
        for number, piece in enumerate(pieces, start=1):
            markup = self._keyboard(message) if number == len(pieces) else None
            last = await self._with_retries(
                lambda p=piece, m=markup: self.bot.send_message(external_id, p, reply_markup=m)
            )
        return Sent(str(last.message_id) if last is not None else None)

    def _keyboard(self, message: OutboundMessage) -> InlineKeyboardMarkup | None:
        buttons = [
            InlineKeyboardButton(b.title[: self.capabilities.max_button_title], callback_data=b.payload)
            for b in message.buttons[: self.capabilities.max_buttons]
            if len(b.payload.encode()) <= MAX_CALLBACK_BYTES
        ]
        if not buttons:
            return None
        return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])

    async def _with_retries(self, call: Callable[[], Awaitable[Any]]) -> Any:
        """Wait out 429s, retry 5xx and timeouts with backoff, raise ``SendError`` for the rest."""
        for attempt in range(1, self.attempts + 1):
            try:
                return await call()
            except TelegramError as raw:
                error = to_send_error(raw)
                if not error.retryable or attempt == self.attempts:
                    raise error from None
                delay = (
                    error.retry_after
                    if error.retry_after is not None
                    else BACKOFF_SECONDS * 2 ** (attempt - 1)
                )
                logger.info("telegram send retry %d in %.1fs: %s", attempt, delay, error.reason)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")


def outbox_sender(settings: TelegramSettings, connections: int) -> TelegramSender:
    """A sender with its own aiohttp connections, one attempt per message, for the outbox dispatcher."""
    bot = Bot(settings.token.reveal(), base_url=settings.api_url, request=AiohttpRequest(connections))
    return TelegramSender(bot, attempts=1)
