"""The Telegram channel, on python-telegram-bot: updates in by long polling or by the webhook route of the one
web server, replies out through the intake's workers.

Every update, from either mode, takes one path: checked (``telegram_updates``), taken in once by its
``update_id``, queued in the intake, answered off the request path. The webhook refuses a wrong secret (403,
compared as raw bytes in constant time), a body over 1 MB (413) and anything that is not an update (400,
counted by the field that was wrong), and answers 429 to a person flooding and 503 when the queue is full, so
that Telegram delivers again later. Telegram's quirks stay here: commands and deep links, callback queries,
groups, the command menu.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections import Counter

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from telegram import Bot, BotCommand, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import Updater
from telegram.request import HTTPXRequest

from bot.channels import telegram_updates
from bot.channels.payloads import BadPayload
from bot.channels.telegram_request import AiohttpRequest
from bot.channels.telegram_sender import TelegramSender
from bot.channels.telegram_updates import BotIdentity
from bot.core.intake import Intake, Reachability
from bot.core.messages import OutboundMessage, Sent
from bot.settings import TelegramSettings
from bot.web.app import read_limited
from knowledge.model import KnowledgeBase

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/telegram"
SECRET_HEADER = b"x-telegram-bot-api-secret-token"
MAX_BODY = 1_000_000
MENU_COMMANDS = ("start", "help", "menu", "language", "privacy", "checklist", "stop")
# Telegram's language codes for the reply languages it knows (Darija and Derja have none).
TELEGRAM_LANGUAGES = ("fr", "ar", "en", "it")
REPLY_CONNECTIONS = 8
# Telegram delivers an update again after any answer but 2xx: one person flooding, or the queue full.
RETRY_LATER = {"flooding": 429, "full": 503}


class TelegramChannel:
    """Runs the bot on Telegram: takes updates in, hands them to the intake, sends what it answers."""

    name = "telegram"
    capabilities = TelegramSender.capabilities

    def __init__(
        self, intake: Intake, people: Reachability, knowledge: KnowledgeBase, settings: TelegramSettings
    ) -> None:
        self.intake = intake
        self.people = people
        self.knowledge = knowledge
        self.settings = settings
        self.bot = Bot(
            settings.token.reveal(),
            base_url=settings.api_url,
            request=AiohttpRequest(REPLY_CONNECTIONS),
            get_updates_request=HTTPXRequest(read_timeout=40),
        )
        self.sender = TelegramSender(self.bot)
        self.me: BotIdentity | None = None
        self.refused: Counter[str] = Counter()
        self._acknowledging: set[asyncio.Task[None]] = set()

    # --- messages out -----------------------------------------------------------------------------

    async def send(self, external_id: str, message: OutboundMessage) -> Sent:
        """Send one reply (split to fit), retrying what may pass."""
        return await self.sender.send(external_id, message)

    async def typing(self, external_id: str) -> None:
        """The typing indicator, best effort."""
        try:
            await self.bot.send_chat_action(external_id, ChatAction.TYPING)
        except TelegramError:
            logger.info("typing indicator not shown")

    # --- updates in -------------------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        """The webhook route, in webhook mode."""
        return [Route(WEBHOOK_PATH, self._receive, methods=["POST"])] if self.settings.webhook_url else []

    async def _receive(self, request: Request) -> Response:
        """One webhook call: check the secret, the size and the shape, then take the update in."""
        secret = self.settings.webhook_secret
        given = [value for name, value in request.scope["headers"] if name == SECRET_HEADER]
        if secret is None or len(given) != 1 or not hmac.compare_digest(given[0], secret.reveal().encode()):
            return self._refuse(403, "missing or wrong secret")
        if self.me is None:
            return Response(status_code=503)  # starting: Telegram delivers again
        body = await read_limited(request, MAX_BODY)
        if body is None:
            return self._refuse(413, "body over 1 MB")
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            return self._refuse(400, "not JSON")
        try:
            update = telegram_updates.check(data)
        except BadPayload as error:
            return self._refuse(400, f"wrong or missing {error.where}")
        admission = await self._take(update)
        return Response(status_code=RETRY_LATER.get(admission, 200))

    def _refuse(self, status: int, reason: str) -> Response:
        """Count and log a refused update (status 0: one from long polling), naming what was wrong."""
        self.refused[reason] += 1
        logger.warning("telegram update refused (%d): %s", status, reason)
        return Response(status_code=status or 400)

    async def _take(self, update: telegram_updates.Update, wait: bool = False) -> str:
        """Act on a checked update: acknowledge a button, note a block, queue a message."""
        assert self.me is not None
        parsed = telegram_updates.parse(update, self.me)
        if parsed.callback_id is not None:
            task = asyncio.create_task(self._acknowledge(parsed.callback_id))
            self._acknowledging.add(task)
            task.add_done_callback(self._acknowledging.discard)
        if parsed.reachability is not None:
            self.people.reachable(self.name, parsed.reachability.external_id, parsed.reachability.reachable)
        if parsed.inbound is None:
            return "ignored"
        if wait:
            await self.intake.wait_for_room(parsed.inbound)
        return await self.intake.offer(str(parsed.update_id), parsed.inbound)

    async def _acknowledge(self, callback_id: str) -> None:
        try:
            await self.bot.answer_callback_query(callback_id)
        except TelegramError:
            logger.info("button press not acknowledged")

    # --- running ----------------------------------------------------------------------------------

    async def register_commands(self) -> None:
        """The command menu, in each language Telegram knows, and French by default."""
        for language in (None, *TELEGRAM_LANGUAGES):
            commands = [
                BotCommand(name, self.knowledge.string(f"command_{name}", language or "fr"))
                for name in MENU_COMMANDS
            ]
            await self.bot.set_my_commands(commands, language_code=language)

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until ``stop`` is set: long polling, or the webhook (its route is on the web server)."""
        async with self.bot:
            self.me = BotIdentity(self.bot.id, self.bot.username)
            await self.register_commands()
            if self.settings.webhook_url:
                assert self.settings.webhook_secret is not None
                await self.bot.set_webhook(
                    self.settings.webhook_url,
                    secret_token=self.settings.webhook_secret.reveal(),
                    allowed_updates=Update.ALL_TYPES,
                )
                logger.info("telegram channel running (webhook)")
                await stop.wait()
            else:
                await self._poll(stop)
            for task in list(self._acknowledging):
                task.cancel()
        logger.info("telegram channel stopped")

    async def _poll(self, stop: asyncio.Event) -> None:
        """Long polling: updates flow from the updater into the intake, held back while it is full."""
        queue: asyncio.Queue[object] = asyncio.Queue()
        updater = Updater(self.bot, queue)
        async with updater:
            await updater.start_polling(allowed_updates=Update.ALL_TYPES)
            logger.info("telegram channel running (polling)")
            pump = asyncio.create_task(self._pump(queue))
            await stop.wait()
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pump
            await updater.stop()

    async def _pump(self, queue: asyncio.Queue[object]) -> None:
        while True:
            update = await queue.get()
            if not isinstance(update, Update):
                continue
            try:
                checked = telegram_updates.check(json.loads(update.to_json()))  # enums as plain strings
            except BadPayload as error:
                self._refuse(0, f"wrong or missing {error.where}")
                continue
            await self._take(checked, wait=True)
