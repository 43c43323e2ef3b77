"""Sending on WhatsApp through pywa_async: quick replies as reply buttons, a list or numbered text, long text
split to fit, and the Cloud API's error codes as ``SendError``.

Choices sent as numbered text are remembered per person (``NumberedOffers``, shared by the reply and the
outbox senders of the process), so that the person's reply "2" (or "٢") chooses the second of their last
numbered offer; a restart forgets them, and a number is then read as text.

Used by the channel for replies (a few attempts in place) and by the outbox dispatcher (one attempt: the
dispatcher owns retries and pauses). pywa points at Meta's Graph URL; its httpx session is ours, so its
``base_url`` is set to ``MENTOR_WHATSAPP_API_URL`` (a local fake in tests).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import timedelta

import httpx
from pywa_async import WhatsApp, errors
from pywa_async.types import Button, Section, SectionList, SectionRow
from pywa_async.types.templates import BodyText, TemplateLanguage

from bot.channels.whatsapp_templates import TemplatesFile
from bot.core.messages import Capabilities, OutboundMessage, Sent
from bot.core.send_errors import ContactUnreachable, OutsideServiceWindow, SendError
from bot.core.text import split_text
from bot.settings import WhatsAppSettings

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
BACKOFF_SECONDS = 0.5
INTERACTIVE_BODY = 1024  # an interactive message's body holds at most 1,024 characters
MAX_ID = 200
MAX_DESCRIPTION = 72
SPAM_PAUSE_SECONDS = 600.0
TOKEN_PAUSE_SECONDS = 3600.0
PAIR_RATE_SECONDS = 6.0
# The label of the button that opens a list, per reply language (at most 20 characters).
LIST_BUTTON = {"fr": "Choisir", "ar": "اختر", "en": "Choose", "it": "Scegli", "ary": "Khtar", "aeb": "A5tar"}


def to_send_error(error: errors.WhatsAppError | httpx.HTTPError) -> SendError:
    """Meta's error codes as ``SendError`` kinds the intake and the dispatcher act on."""
    if isinstance(error, httpx.HTTPError):
        return SendError("network error or timeout", retryable=True)
    code = error.code
    if code == 130429:
        return SendError("throughput limit hit (130429)", retryable=True, retry_after=1.0)
    if code == 131056:
        return SendError("pair rate limit hit (131056)", retryable=True, retry_after=PAIR_RATE_SECONDS)
    if code == 131048:
        logger.error("whatsapp: spam rate limit (131048), sending paused for %.0f s", SPAM_PAUSE_SECONDS)
        return SendError("spam rate limit (131048)", retryable=True, retry_after=SPAM_PAUSE_SECONDS)
    if code == 131047:
        return OutsideServiceWindow("outside the 24-hour window (131047)")
    if code == 131026:
        return ContactUnreachable("undeliverable (131026)")
    if code == 131050:
        return SendError("the person stopped marketing messages (131050)", retryable=False)
    if code == 190 or isinstance(error, errors.AuthorizationError):
        logger.error(
            "WHATSAPP ACCESS TOKEN EXPIRED OR INVALID (190): nothing can be sent until "
            "MENTOR_WHATSAPP_TOKEN is renewed; sending paused"
        )
        return SendError("access token expired (190)", retryable=True, retry_after=TOKEN_PAUSE_SECONDS)
    status = error.status_code or 0
    if status >= 500 or code in (131000, 131016) or error.is_transient:
        return SendError(f"server error ({code})", retryable=True)
    return SendError(f"refused ({code})", retryable=False)


def _fits_buttons(message: OutboundMessage, capabilities: Capabilities) -> bool:
    return 0 < len(message.buttons) <= capabilities.max_buttons and all(
        len(b.title) <= capabilities.max_button_title and len(b.payload) <= MAX_ID for b in message.buttons
    )


def _short(title: str, limit: int) -> str:
    """A title cut to ``limit`` characters at a word, with an ellipsis."""
    if len(title) <= limit:
        return title
    cut = title[: limit - 1].rsplit(" ", 1)[0] or title[: limit - 1]
    return cut + "…"


class NumberedOffers:
    """Each person's last offer of choices sent as numbered text: what their reply "2" chooses."""

    def __init__(self, people: int = 100_000) -> None:
        self.people = people
        self._offers: OrderedDict[str, tuple[str | None, tuple[str, ...]]] = OrderedDict()

    def offer(self, external_id: str, message_id: str | None, payloads: Sequence[str]) -> None:
        """Remember the choices just sent to a person as numbered text (the person longest unoffered is
        forgotten first)."""
        self._offers[external_id] = (message_id, tuple(payloads))
        self._offers.move_to_end(external_id)
        while len(self._offers) > self.people:
            self._offers.popitem(last=False)

    def choose(self, external_id: str, text: str) -> tuple[str, str | None] | None:
        """The payload a reply that is only a number (Western or Arabic-Indic digits) chooses among the
        person's last numbered offer, and the id of the message that offered it; None for anything else."""
        number = text.strip().rstrip(".)")
        offer = self._offers.get(external_id)
        if offer is None or not (0 < len(number) <= 2 and number.isdecimal()):
            return None
        message_id, payloads = offer
        index = int(number) - 1  # int() reads every decimal digit: ٢ and ۲ are 2
        return (payloads[index], message_id) if 0 <= index < len(payloads) else None


NUMBERED = NumberedOffers()


def quick_replies(message: OutboundMessage, capabilities: Capabilities) -> tuple[str, object | None]:
    """The body and pywa's quick replies: reply buttons, a list, or the choices numbered in the text (then
    the quick replies are None and the buttons are numbered in their order)."""
    if not message.buttons:
        return message.text, None
    if _fits_buttons(message, capabilities):
        return message.text, [Button(b.title, b.payload) for b in message.buttons]
    choices = [b for b in message.buttons if len(b.payload) <= MAX_ID]
    if 0 < len(choices) <= capabilities.max_list_rows:
        limit = capabilities.max_list_title
        rows = [
            SectionRow(
                _short(b.title, limit),
                b.payload,
                _short(b.title, MAX_DESCRIPTION) if len(b.title) > limit else None,
            )
            for b in choices
        ]
        label = LIST_BUTTON.get(message.language, LIST_BUTTON["fr"])
        return message.text, SectionList(label, sections=[Section(label, rows=rows)])
    numbered = "\n".join(f"{n}. {b.title}" for n, b in enumerate(message.buttons, start=1))
    return f"{message.text}\n\n{numbered}", None


class WhatsAppSender:
    """Sends one ``OutboundMessage`` to one person (their BSUID or phone number) through pywa_async."""

    name = "whatsapp"
    capabilities = Capabilities(
        max_text_length=4096,
        max_buttons=3,
        max_button_title=20,
        max_list_rows=10,
        max_list_title=24,
        templates=True,
        service_window=timedelta(hours=24),
        opt_in_required=True,
    )

    def __init__(
        self,
        settings: WhatsAppSettings,
        connections: int = 8,
        attempts: int = MAX_ATTEMPTS,
        templates: TemplatesFile | None = None,
        approved: Callable[[], set[tuple[str, str]]] = set,
        numbered: NumberedOffers = NUMBERED,
    ) -> None:
        self.settings = settings
        self.numbered = numbered
        self.templates = templates
        self.approved = approved
        self.connections = connections
        self.attempts = attempts
        self._session: httpx.AsyncClient | None = None
        self._client: WhatsApp | None = None

    @property
    def client(self) -> WhatsApp:
        """The pywa client, made on first use inside the running loop, pointed at the configured Graph URL."""
        if self._client is None:
            limits = httpx.Limits(max_connections=self.connections)
            self._session = httpx.AsyncClient(timeout=20, limits=limits)
            base, _, version = self.settings.api_url.rpartition("/v")
            self._client = WhatsApp(
                phone_id=self.settings.phone_number_id,
                token=self.settings.token.reveal(),
                session=self._session,
                api_version=version,
                waba_id=self.settings.business_account_id,
            )
            self._session.base_url = httpx.URL(self.settings.api_url)
        return self._client

    async def __aenter__(self) -> WhatsAppSender:
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.aclose()
        self._session = self._client = None

    async def send(self, external_id: str, message: OutboundMessage) -> Sent:
        """Send one message, split to fit, its quick replies on the last piece; return the last wamid."""
        body, replies = quick_replies(message, self.capabilities)
        pieces = split_text(body, self.capabilities.max_text_length)
        if replies is not None and pieces and len(pieces[-1]) > INTERACTIVE_BODY:
            pieces = pieces[:-1] + split_text(pieces[-1], INTERACTIVE_BODY)
        last = None
        for number, piece in enumerate(pieces, start=1):
            buttons = replies if number == len(pieces) else None
            last = await self._with_retries(external_id, piece, buttons)
        if message.buttons and replies is None:
            self.numbered.offer(external_id, last, [b.payload for b in message.buttons])
        return Sent(last)

    async def _with_retries(self, to: str, text: str, buttons: object | None) -> str:
        for attempt in range(1, self.attempts + 1):
            try:
                sent = await self.client.send_message(to=to, text=text, buttons=buttons)  # type: ignore[arg-type]
                return str(sent.id)
            except (errors.WhatsAppError, httpx.HTTPError) as raw:
                error = to_send_error(raw)
                if not error.retryable or attempt == self.attempts:
                    raise error from None
                delay = min(error.retry_after or BACKOFF_SECONDS * 2 ** (attempt - 1), 10.0)
                logger.info("whatsapp send retry %d in %.1fs: %s", attempt, delay, error.reason)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def send_template(self, external_id: str, message_key: str, message: OutboundMessage) -> Sent:
        """Send the approved template of ``message_key`` in the message's language, filled from the message;
        ``OutsideServiceWindow`` naming the template when it is not approved (or the message has none)."""
        template = self.templates.template(message_key, message.language) if self.templates else None
        if template is None:
            raise OutsideServiceWindow(f"outside the 24-hour window, no template for {message_key}")
        if (template.name, template.code) not in self.approved():
            raise OutsideServiceWindow(
                f"outside the 24-hour window, no approved template {template.name} ({template.code})"
            )
        values = template.values(message.text)
        params = [BodyText.params(*values)] if values else None
        try:
            sent = await self.client.send_template(
                to=external_id, name=template.name, language=TemplateLanguage(template.code), params=params
            )
        except (errors.WhatsAppError, httpx.HTTPError) as raw:
            raise to_send_error(raw) from None
        return Sent(str(sent.id))

    async def mark_read(self, message_id: str, typing: bool) -> None:
        """Mark a person's message as read, with the typing indicator (best effort)."""
        try:
            if typing:
                await self.client.indicate_typing(message_id)
            else:
                await self.client.mark_message_as_read(message_id)
        except (errors.WhatsAppError, httpx.HTTPError):
            logger.info("whatsapp read mark not shown")


def outbox_sender(
    settings: WhatsAppSettings, connections: int, approved: Callable[[], set[tuple[str, str]]]
) -> WhatsAppSender:
    """A sender with its own connections, one attempt per message, for the outbox dispatcher; outside the
    24-hour window it sends the templates of the templates file that ``approved()`` lists."""
    return WhatsAppSender(settings, connections, 1, TemplatesFile.load(), approved)


async def list_templates(settings: WhatsAppSettings) -> list[tuple[str, str, str, str | None]]:
    """Every template of the business account, as the Graph API lists them, page after page:
    (name, language code, status, category)."""
    from pywa_async.types.others import Pagination

    sender = WhatsAppSender(settings, connections=2, attempts=1)
    listed: list[tuple[str, str, str, str | None]] = []
    async with sender:
        try:
            page = await sender.client.get_templates(pagination=Pagination(limit=100))
            while True:
                listed += [(t.name, str(t.language), str(t.status), str(t.category)) for t in page]
                if not page.has_next:
                    return listed
                page = await page.next()
        except (errors.WhatsAppError, httpx.HTTPError) as raw:
            raise to_send_error(raw) from None
