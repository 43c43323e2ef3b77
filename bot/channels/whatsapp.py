"""The WhatsApp channel, on the Cloud API through pywa_async: Meta's webhook on the one web server, replies
out through the intake's workers.

``GET /webhooks/whatsapp`` answers Meta's subscription handshake (200 with ``hub.challenge`` when
``hub.verify_token`` is right, 403 otherwise). ``POST /webhooks/whatsapp`` checks ``X-Hub-Signature-256``
over the raw body, in constant time, before reading anything (unsigned or forged: 403, nothing stored, the
body never logged), refuses a body over 1 MB (413) and anything that is not a notification (400). Each
message is taken in once by its wamid (Meta delivers again after any answer but 2xx, also across restarts)
and answered off the request path; a person flooding gets 429 and a full queue 503, so Meta retries later.
Statuses (sent, delivered, read, failed) are written on the outbox row with that wamid, in group commits:
the statuses of every webhook that arrives while one transaction is being written go into the next one, and
each webhook is acknowledged once its statuses are stored (Meta sends one status a webhook, hundreds a
second; one transaction each would make the database the limit).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timezone

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels import whatsapp_updates
from bot.channels.payloads import BadPayload
from bot.channels.whatsapp_sender import NUMBERED, NumberedOffers, WhatsAppSender
from bot.channels.whatsapp_updates import StatusReport
from bot.core.intake import Intake
from bot.core.messages import InboundMessage, OutboundMessage, Sent, inbound_from_payload
from bot.settings import WhatsAppSettings
from bot.storage import outbox
from bot.storage.db import Database
from bot.web.app import read_limited

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/whatsapp"
SIGNATURE_HEADER = b"x-hub-signature-256"
MAX_BODY = 1_000_000
RETRY_LATER = {"flooding": 429, "full": 503}
# A status may arrive before the dispatcher has written the wamid on its row (it records every 0.25 s):
# an unmatched status is tried again a few times; one for a reply (never in the outbox) is then dropped.
STATUS_RETRIES = (0.5, 1.0, 2.0)
MAX_UNMATCHED = 10_000
REPLY_CONNECTIONS = 8


class StatusBatches:
    """Writes status reports in shared transactions, one at a time; ``record`` returns once the reports it
    was given are stored, with those whose outbox row is not (yet) known."""

    def __init__(self, write: Callable[[list[StatusReport]], list[StatusReport]]) -> None:
        self.write = write
        self._waiting: list[tuple[list[StatusReport], asyncio.Future[list[StatusReport]]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, reports: list[StatusReport]) -> list[StatusReport]:
        stored: asyncio.Future[list[StatusReport]] = asyncio.get_running_loop().create_future()
        self._waiting.append((reports, stored))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all())
        return await stored

    async def _write_all(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                unmatched = await asyncio.to_thread(self.write, [r for reports, _ in batch for r in reports])
            except Exception as error:  # each webhook of the batch fails (5xx), so Meta delivers it again
                for _, stored in batch:
                    if not stored.done():
                        stored.set_exception(error)
                continue
            left = {id(report) for report in unmatched}
            for reports, stored in batch:
                if not stored.done():
                    stored.set_result([r for r in reports if id(r) in left])


class WhatsAppChannel:
    """Runs the bot on WhatsApp: takes webhooks in, hands messages to the intake, sends what it answers."""

    name = "whatsapp"
    capabilities = WhatsAppSender.capabilities

    def __init__(
        self,
        intake: Intake,
        database: Database,
        settings: WhatsAppSettings,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        numbered: NumberedOffers = NUMBERED,
    ) -> None:
        self.intake = intake
        self.numbered = numbered
        self.database = database
        self.settings = settings
        self.clock = clock
        self.sender = WhatsAppSender(settings, REPLY_CONNECTIONS, numbered=numbered)
        self.refused: Counter[str] = Counter()
        self._latest: dict[str, str] = {}  # person: the wamid of their newest message (for typing)
        self._background: set[asyncio.Task[None]] = set()
        self._statuses = StatusBatches(self._record_statuses)

    # --- messages out -----------------------------------------------------------------------------

    async def send(self, external_id: str, message: OutboundMessage) -> Sent:
        """Send one reply (split to fit), retrying what may pass."""
        return await self.sender.send(external_id, message)

    async def typing(self, external_id: str) -> None:
        """Mark the person's newest message read with the typing indicator, best effort."""
        message_id = self._latest.pop(external_id, None)
        if message_id is not None:
            await self.sender.mark_read(message_id, typing=True)

    # --- webhooks in ------------------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        """The webhook: the handshake (GET) and notifications (POST)."""
        return [
            Route(WEBHOOK_PATH, self._handshake, methods=["GET"]),
            Route(WEBHOOK_PATH, self._receive, methods=["POST"]),
        ]

    async def _handshake(self, request: Request) -> Response:
        token = self.settings.verify_token
        given = request.query_params.get("hub.verify_token", "")
        challenge = request.query_params.get("hub.challenge", "")
        right = token is not None and hmac.compare_digest(given.encode(), token.reveal().encode())
        if request.query_params.get("hub.mode") != "subscribe" or not right or len(challenge) > 256:
            logger.warning("whatsapp handshake refused")
            return PlainTextResponse("forbidden", status_code=403)
        return PlainTextResponse(challenge)

    async def _receive(self, request: Request) -> Response:
        """One notification: size, then signature over the raw bytes, then shape; then act on it."""
        body = await read_limited(request, MAX_BODY)
        if body is None:
            return self._refuse(413, "body over 1 MB")
        if not self._signed(request, body):
            return self._refuse(403, "missing or wrong signature")
        try:
            notification = whatsapp_updates.check(json.loads(body))
        except (ValueError, RecursionError) as error:
            where = error.where if isinstance(error, BadPayload) else "not JSON"
            return self._refuse(400, f"wrong or missing {where}")
        parsed = whatsapp_updates.parse(notification, self.settings.phone_number_id)
        if parsed.statuses:
            unmatched = await self._statuses.record(parsed.statuses)
            if unmatched and len(self._background) < MAX_UNMATCHED:
                task = asyncio.create_task(self._record_later(unmatched))
                self._background.add(task)
                task.add_done_callback(self._background.discard)
        worst = 200
        for incoming in parsed.messages:
            admission = await self.intake.offer(incoming.message_id, self._chosen(incoming.inbound))
            if admission == "queued":
                self._latest[incoming.inbound.external_id] = incoming.message_id
            worst = max(worst, RETRY_LATER.get(admission, 200))
        return Response(status_code=worst)

    def _chosen(self, inbound: InboundMessage) -> InboundMessage:
        """A reply that is only a number, to choices sent as numbered text: the choice it names, as if its
        button were pressed on that message."""
        chosen = self.numbered.choose(inbound.external_id, inbound.text) if inbound.kind == "text" else None
        if chosen is None:
            return inbound
        payload, message_id = chosen
        return inbound_from_payload(
            inbound.channel,
            inbound.external_id,
            payload,
            inbound.client_language,
            in_reply_to=message_id,
            country=inbound.country,
        )

    def _signed(self, request: Request, body: bytes) -> bool:
        secret = self.settings.app_secret
        given = [value for name, value in request.scope["headers"] if name == SIGNATURE_HEADER]
        if secret is None or len(given) != 1:
            return False
        expected = "sha256=" + hmac.new(secret.reveal().encode(), body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(given[0], expected.encode())

    def _refuse(self, status: int, reason: str) -> Response:
        """Count and log a refused webhook by what was wrong (never its body)."""
        self.refused[reason] += 1
        logger.warning("whatsapp webhook refused (%d): %s", status, reason)
        return Response(status_code=status)

    async def _record_later(self, reports: list[StatusReport]) -> None:
        for delay in STATUS_RETRIES:
            await asyncio.sleep(delay)
            reports = await self._statuses.record(reports)
            if not reports:
                return

    def _record_statuses(self, reports: list[StatusReport]) -> list[StatusReport]:
        """Write each status on its outbox row; return those whose row is not (yet) known."""
        unmatched = []
        with self.database.session() as session:
            for report in reports:
                at = (
                    datetime.fromtimestamp(report.timestamp, timezone.utc)
                    if report.timestamp is not None and report.timestamp < 2**32
                    else self.clock()
                )
                error = f"failed on WhatsApp ({report.error_code})" if report.status == "failed" else None
                if not outbox.record_delivery(session, report.message_id, report.status, at, error):
                    unmatched.append(report)
        return unmatched

    # --- running ----------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until ``stop`` is set (the webhook's route is on the web server)."""
        async with self.sender:
            logger.info("whatsapp channel running (webhook %s)", WEBHOOK_PATH)
            await stop.wait()
            for task in list(self._background):
                task.cancel()
        logger.info("whatsapp channel stopped")
