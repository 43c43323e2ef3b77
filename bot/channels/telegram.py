"""The Telegram channel, on python-telegram-bot: updates in, replies out, by long polling or a webhook.

Telegram's quirks stay here: commands and deep links, inline keyboards and callback queries, the
4,096-character limit, the typing indicator, group chats (answer only when addressed), and its errors mapped
to ``SendError``.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
from collections.abc import Callable
from urllib.parse import urlsplit

from aiohttp import web
from telegram import BotCommand, Message, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.channels.base import InboundMessage, OutboundMessage, inbound_from_payload
from bot.channels.errors import ContactUnreachable, SendError
from bot.channels.telegram_sender import TelegramSender
from bot.core.conversation import Conversation
from bot.settings import TelegramSettings
from knowledge.model import KnowledgeBase

logger = logging.getLogger(__name__)

CORE_COMMANDS = ("start", "help", "menu", "stop")
# Commands that are questions for the assistant: sent to the NLU as intent payloads.
NLU_COMMANDS = {"privacy": "/privacy", "language": "/choose_language"}
MENU_COMMANDS = ("start", "help", "menu", "language", "privacy", "stop")
# Telegram's language codes for the reply languages it knows (Darija and Derja have none).
TELEGRAM_LANGUAGES = ("fr", "ar", "en", "it")


class TelegramChannel:
    """Runs the bot on Telegram through the conversation core."""

    name = "telegram"
    capabilities = TelegramSender.capabilities

    def __init__(
        self,
        conversation: Conversation,
        knowledge: KnowledgeBase,
        settings: TelegramSettings,
        on_unreachable: Callable[[str], None],
    ) -> None:
        self.conversation = conversation
        self.knowledge = knowledge
        self.settings = settings
        self.on_unreachable = on_unreachable
        builder = ApplicationBuilder().token(settings.token.reveal()).base_url(settings.api_url)
        builder = builder.concurrent_updates(True)
        if settings.webhook_url:
            builder = builder.updater(None)
        self.application: Application = builder.build()
        self.sender = TelegramSender(self.application.bot)
        self._register_handlers()

    def _register_handlers(self) -> None:
        app = self.application
        app.add_handler(CommandHandler(list(CORE_COMMANDS) + list(NLU_COMMANDS), self._on_command))
        app.add_handler(CallbackQueryHandler(self._on_button))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, self._on_text))
        app.add_handler(
            MessageHandler(~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL, self._on_other)
        )
        app.add_error_handler(self._on_error)

    # --- updates in -------------------------------------------------------------------------------

    async def _on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Map a Telegram command to a core command, or to an intent payload for the NLU."""
        message = update.effective_message
        if message is None or message.text is None:
            return
        command = message.text.split()[0].lstrip("/").split("@")[0].lower()
        argument = " ".join(context.args or [])
        if command in NLU_COMMANDS:
            inbound = self._inbound(update, NLU_COMMANDS[command])
        else:
            inbound = InboundMessage(
                self.name, str(message.chat_id), command, "command", self._language(update), argument
            )
        await self._answer(update, inbound)

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Acknowledge a pressed button, then act as if its payload had been sent."""
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        if query.data and query.message is not None:
            inbound = inbound_from_payload(
                self.name, str(query.message.chat.id), query.data, self._language(update)
            )
            await self._answer(update, inbound)

    async def _on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer a text message (an edited one too); in groups only when the bot is addressed."""
        message = update.effective_message
        if message is None or message.text is None:
            return
        text = message.text
        if message.chat.type != ChatType.PRIVATE:
            text = self._addressed_text(message, context)
            if text is None:
                return
        await self._answer(update, self._inbound(update, text))

    async def _on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice notes, documents, locations, contacts, polls: say what the bot reads."""
        message = update.effective_message
        if message is None or message.chat.type != ChatType.PRIVATE:
            return
        inbound = InboundMessage(
            self.name, str(message.chat_id), kind="unsupported", client_language=self._language(update)
        )
        await self._answer(update, inbound)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the failure with its traceback and the update id only (never its text)."""
        update_id = update.update_id if isinstance(update, Update) else None
        logger.error("telegram update %s failed", update_id, exc_info=context.error)

    def _addressed_text(self, message: Message, context: ContextTypes.DEFAULT_TYPE) -> str | None:
        """The text without the bot's @mention, when a group message mentions or replies to the bot."""
        username = f"@{context.bot.username}" if context.bot.username else None
        text = message.text or ""
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == context.bot.id:
            return text
        if username and username.lower() in text.lower():
            return re.sub(re.escape(username), "", text, flags=re.IGNORECASE).strip()
        return None

    def _inbound(self, update: Update, text: str) -> InboundMessage:
        chat = update.effective_chat
        assert chat is not None
        return InboundMessage(self.name, str(chat.id), text, client_language=self._language(update))

    @staticmethod
    def _language(update: Update) -> str | None:
        user = update.effective_user
        return user.language_code.split("-")[0] if user and user.language_code else None

    async def _answer(self, update: Update, inbound: InboundMessage) -> None:
        """Show the typing indicator, run the turn, send the replies."""
        chat_id = inbound.external_id
        try:
            await self.application.bot.send_chat_action(chat_id, ChatAction.TYPING)
        except TelegramError:
            logger.info("typing indicator not shown in chat of update %s", update.update_id)
        result = await self.conversation.handle(inbound)
        for message in result.messages:
            try:
                await self.send(chat_id, message)
            except ContactUnreachable:
                self.on_unreachable(chat_id)
                return
            except SendError as error:
                logger.warning("reply to update %s not delivered: %s", update.update_id, error.reason)
                return

    # --- messages out -----------------------------------------------------------------------------

    async def send(self, external_id: str, message: OutboundMessage) -> None:
        """Send one message (split to fit), retrying what may pass."""
        await self.sender.send(external_id, message)

    # --- running ----------------------------------------------------------------------------------

    async def register_commands(self) -> None:
        """The command menu, in each language Telegram knows, and French by default."""
        bot = self.application.bot
        for language in (None, *TELEGRAM_LANGUAGES):
            commands = [
                BotCommand(name, self.knowledge.string(f"command_{name}", language or "fr"))
                for name in MENU_COMMANDS
            ]
            await bot.set_my_commands(commands, language_code=language)

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until ``stop`` is set: long polling, or a webhook server when a webhook URL is set."""
        async with self.application:
            await self.register_commands()
            await self.application.start()
            runner = None
            if self.settings.webhook_url:
                runner = await self._start_webhook()
            else:
                assert self.application.updater is not None
                await self.application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
            logger.info("telegram channel running (%s)", "webhook" if runner else "polling")
            await stop.wait()
            if runner is not None:
                await runner.cleanup()
            elif self.application.updater is not None:
                await self.application.updater.stop()
            await self.application.stop()
        logger.info("telegram channel stopped")

    async def _start_webhook(self) -> web.AppRunner:
        settings = self.settings
        assert settings.webhook_url and settings.webhook_secret
        server = web.Application()
        server.router.add_post(_path_of(settings.webhook_url), self._receive)
        runner = web.AppRunner(server, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, settings.listen_host, settings.listen_port).start()
        await self.application.bot.set_webhook(
            settings.webhook_url,
            secret_token=settings.webhook_secret.reveal(),
            allowed_updates=Update.ALL_TYPES,
        )
        return runner

    async def _receive(self, request: web.Request) -> web.Response:
        """A webhook call: refuse it without the right secret, else queue the update."""
        secret = self.settings.webhook_secret
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if secret is None or not hmac.compare_digest(given.encode(), secret.reveal().encode()):
            logger.warning("webhook call refused: missing or wrong secret")
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), self.application.bot)
        except (ValueError, TypeError, KeyError):
            logger.warning("webhook call refused: not an update")
            return web.Response(status=400)
        await self.application.update_queue.put(update)
        return web.Response(status=200)


def _path_of(url: str) -> str:
    return urlsplit(url).path or "/"
