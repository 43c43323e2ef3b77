"""A small WhatsApp Cloud (Graph) API server for tests and benchmarks, spoken to over real HTTP.

It does what the bot's WhatsApp adapter (pywa 4.5) needs from Meta: ``POST /{version}/{phone_id}/messages``
(text, interactive buttons and lists, templates, mark-as-read), checking the bearer token (error 190 when
wrong) and answering as Meta does; ``GET /{version}/{waba_id}/message_templates`` with Meta's paging. It
answers the Cloud API's error codes when a test asks (``/test/fail``), synchronously (an HTTP error) or as
Meta often does, asynchronously (accepted, then a ``failed`` status webhook), and, given limits
(``/test/limits``), refuses what Meta would: 130429 over the throughput per second, 131056 over the pair
rate (one message per 6 s to one person, with an optional burst). Tests play users through ``/test/...``:
each POSTs a webhook signed with the app secret (``X-Hub-Signature-256``) to the bot URL set with
``/test/webhook`` and reports the status the bot answered. ``/test/ask`` sends a text and waits for the
bot's first message to that person (the round trip measured here), ``/test/sent`` reads what the bot sent,
``/test/stats`` the sending figures. Payload shapes: ``fakes.whatsapp_payloads``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from fakes import whatsapp_payloads as payloads
from fakes.whatsapp_limits import Fault, SendLimits
from fakes.whatsapp_payloads import Business, Person
from fakes.whatsapp_webhooks import WebhookSender

TOKEN = "test-whatsapp-token"
APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
BUSINESS = Business(
    waba_id="102290129340398", phone_number_id="106540352242922", display_phone_number="15550783881"
)
PERSON_KINDS = (
    "text", "button_reply", "list_reply", "button", "voice", "audio", "image", "video", "document",
    "sticker", "location", "contacts", "reaction", "unknown",
)  # fmt: skip


@dataclass
class GraphState:
    """Everything the fake server remembers."""

    token: str = TOKEN
    business: Business = BUSINESS
    people: dict[str, Person] = field(default_factory=dict)  # by BSUID and by phone number
    sent: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    recipient_of: dict[str, str] = field(default_factory=dict)  # wamid: what the bot addressed
    reads: list[str] = field(default_factory=list)
    templates: list[dict[str, Any]] = field(default_factory=list)
    faults: deque[Fault] = field(default_factory=deque)
    limits: SendLimits = field(default_factory=SendLimits)
    auto_statuses: tuple[str, ...] = ()
    reply_waiters: dict[str, asyncio.Future[float]] = field(default_factory=dict)
    accepted: int = 0
    refused: Counter[int] = field(default_factory=Counter)


class FakeGraphApi:
    """The aiohttp application and its state."""

    def __init__(self) -> None:
        self.state = GraphState()
        self.hooks = WebhookSender(APP_SECRET, VERIFY_TOKEN)
        self._tasks: set[asyncio.Task[None]] = set()
        self.app = web.Application(client_max_size=64 * 1024**2)
        router = self.app.router
        router.add_post("/{version}/{phone_id}/messages", self._messages)
        router.add_get("/{version}/{waba_id}/message_templates", self._templates)
        for kind in PERSON_KINDS:
            router.add_post(f"/test/{kind}", self._person_route(kind))
        routes = {
            "/test/webhook": self._test_webhook, "/test/config": self._test_config,
            "/test/templates": self._test_set_templates, "/test/fail": self._test_fail,
            "/test/limits": self._test_limits, "/test/status": self._test_status,
            "/test/auto_status": self._test_auto_status, "/test/raw": self._test_raw,
            "/test/replay": self._test_replay, "/test/verify": self._test_verify,
            "/test/ask": self._test_ask, "/test/reset": self._test_reset,
        }  # fmt: skip
        for path, handler in routes.items():
            router.add_post(path, handler)
        router.add_get("/test/sent", self._test_sent)
        router.add_get("/test/stats", self._test_stats)
        self.app.on_cleanup.append(self._close)

    async def _close(self, _: web.Application) -> None:
        for task in list(self._tasks):
            task.cancel()
        await self.hooks.close()

    # --- the Graph API ----------------------------------------------------------------------------

    def _authorized(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None
        return (token or request.query.get("access_token")) == self.state.token

    async def _messages(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return _graph_error(190)
        if request.match_info["phone_id"] != self.state.business.phone_number_id:
            return _graph_error(100)
        try:
            body = await request.json()
        except ValueError:
            return _graph_error(100)
        if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
            return _graph_error(100)
        if body.get("status") == "read":
            if not isinstance(body.get("message_id"), str):
                return _graph_error(100)
            self.state.reads.append(body["message_id"])
            return web.json_response({"success": True})
        recipient = body.get("recipient") or body.get("to")
        kind = body.get("type", "text")
        if not isinstance(recipient, str) or not recipient or not isinstance(body.get(kind), dict | list):
            return _graph_error(100)
        keys = self._keys(recipient)
        fault = self._take_fault(keys)
        if fault is not None and fault.mode == "sync":
            self.state.refused[fault.code] += 1
            return _graph_error(fault.code)
        code = self.state.limits.refuses(self._key(recipient), time.monotonic())
        if code is not None:
            self.state.refused[code] += 1
            return _graph_error(code)
        message_id = payloads.wamid()
        self._record(recipient, message_id, body)
        if fault is not None:
            self._spawn(self._send_statuses(message_id, recipient, ("failed",), fault.code))
        elif self.state.auto_statuses:
            self._spawn(self._send_statuses(message_id, recipient, self.state.auto_statuses))
        contact = (
            {"input": recipient, "wa_id": recipient}
            if recipient.isdigit()
            else {"input": recipient, "user_id": recipient}
        )
        return web.json_response(
            {"messaging_product": "whatsapp", "contacts": [contact], "messages": [{"id": message_id}]}
        )

    def _take_fault(self, keys: set[str]) -> Fault | None:
        for fault in self.state.faults:
            if fault.matches(keys):
                fault.times -= 1
                if fault.times <= 0:
                    self.state.faults.remove(fault)
                return fault
        return None

    def _key(self, recipient: str) -> str:
        """One key per person: their BSUID when the fake knows it, else what the bot addressed."""
        person = self.state.people.get(recipient)
        return person.user_id if person is not None else recipient

    def _keys(self, recipient: str) -> set[str]:
        person = self.state.people.get(recipient)
        return {recipient} if person is None else {recipient, person.user_id, person.wa_id or person.user_id}

    def _record(self, recipient: str, message_id: str, body: dict[str, Any]) -> None:
        key = self._key(recipient)
        self.state.sent[key].append({"id": message_id, "at": time.time(), **body})
        self.state.recipient_of[message_id] = recipient
        self.state.accepted += 1
        waiter = self.state.reply_waiters.pop(key, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(time.perf_counter())

    async def _templates(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return _graph_error(190)
        if request.match_info["waba_id"] != self.state.business.waba_id:
            return _graph_error(100)
        chosen = [t for t in self.state.templates if payloads.template_matches(t, request.query)]
        limit = max(1, min(int(request.query.get("limit") or 25), 100))
        start = int(request.query.get("after") or 0)
        page = chosen[start : start + limit]
        paging: dict[str, Any] = {"cursors": {"before": str(start), "after": str(start + len(page))}}
        if start + limit < len(chosen):
            paging["next"] = _page_url(request, start + limit, limit)
        if start > 0:
            paging["previous"] = _page_url(request, max(0, start - limit), limit)
        answer: dict[str, Any] = {"data": page, "paging": paging}
        if "summary" in request.query:
            answer["summary"] = self._template_summary(request.query["summary"].split(","), len(chosen))
        return web.json_response(answer)

    def _template_summary(self, fields: list[str], total: int) -> dict[str, Any]:
        figures = {
            "total_count": total,
            "message_template_count": len(self.state.templates),
            "message_template_limit": 250,
            "are_translations_complete": True,
        }
        return {name: figures[name] for name in fields if name in figures}

    # --- webhooks to the bot ----------------------------------------------------------------------

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send_statuses(
        self, message_id: str, recipient: str, states: tuple[str, ...], code: int | None = None
    ) -> None:
        person = self.state.people.get(recipient)
        for state in states:
            await asyncio.sleep(0.01)
            body = payloads.status(self.state.business, message_id, state, person, recipient, code)
            try:
                await self.hooks.deliver(_dump(body))
            except (aiohttp.ClientError, web.HTTPException, asyncio.TimeoutError):
                self.hooks.answers[0] += 1

    def _person(self, body: dict[str, Any]) -> Person:
        user_id = str(body["user_id"])
        known = self.state.people.get(user_id)
        person = Person(
            user_id=user_id,
            wa_id=body.get("wa_id") or (known.wa_id if known else None),
            name=body.get("name", known.name if known else "Test"),
            username=body.get("username"),
        )
        self.state.people[user_id] = person
        if person.wa_id:
            self.state.people[person.wa_id] = person
        return person

    def _person_route(self, kind: str) -> Any:
        async def handler(request: web.Request) -> web.Response:
            body = await request.json()
            wire_kind, content = payloads.content(kind, body)
            context = body.get("context_id")
            if context is None and kind in ("button_reply", "list_reply", "button"):
                context = self._last_sent_id(str(body["user_id"])) or payloads.wamid()  # Meta always quotes
            message_id, payload = payloads.message(
                self.state.business, self._person(body), wire_kind, content, context
            )
            raw = _dump(payload)
            statuses = [await self.hooks.deliver(raw) for _ in range(int(body.get("times", 1)))]
            return web.json_response({"status": statuses[0], "statuses": statuses, "message_id": message_id})

        return handler

    def _last_sent_id(self, user_id: str) -> str | None:
        sent = self.state.sent.get(user_id)
        return sent[-1]["id"] if sent else None

    # --- test controls ----------------------------------------------------------------------------

    async def _test_webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.hooks.url = body["url"]
        self.hooks.app_secret = body.get("app_secret", self.hooks.app_secret)
        self.hooks.verify_token = body.get("verify_token", self.hooks.verify_token)
        return web.json_response({"ok": True})

    async def _test_config(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.state.token = body.get("token", self.state.token)
        business = self.state.business
        self.state.business = Business(
            waba_id=str(body.get("waba_id", business.waba_id)),
            phone_number_id=str(body.get("phone_number_id", business.phone_number_id)),
            display_phone_number=str(body.get("display_phone_number", business.display_phone_number)),
        )
        return web.json_response({"ok": True})

    async def _test_set_templates(self, request: web.Request) -> web.Response:
        self.state.templates = [
            payloads.template(t, i) for i, t in enumerate((await request.json())["templates"])
        ]
        return web.json_response({"ok": True, "templates": self.state.templates})

    async def _test_fail(self, request: web.Request) -> web.Response:
        body = await request.json()
        mode = body.get("mode", "sync")
        if mode not in ("sync", "async"):
            raise web.HTTPBadRequest(text="mode is sync or async")
        self.state.faults.append(Fault(int(body["code"]), int(body.get("times", 1)), body.get("to"), mode))
        return web.json_response({"ok": True})

    async def _test_limits(self, request: web.Request) -> web.Response:
        self.state.limits.configure(await request.json())
        return web.json_response({"ok": True})

    async def _test_status(self, request: web.Request) -> web.Response:
        """Status webhooks for sent messages: one (``id``), or many at once (``ids``, ``concurrency``)."""
        body = await request.json()
        bodies = []
        for message_id in body.get("ids") or [body["id"]]:
            to = body.get("to") or self.state.recipient_of.get(message_id)
            if to is None:
                raise web.HTTPNotFound(text="no message with that id was sent")
            person, state, code = self.state.people.get(to), body["status"], body.get("code")
            bodies.append(_dump(payloads.status(self.state.business, message_id, state, person, to, code)))
        if "ids" not in body:
            return web.json_response({"status": await self.hooks.deliver(bodies[0])})
        return web.json_response(await self.hooks.deliver_many(bodies, int(body.get("concurrency", 50))))

    async def _test_auto_status(self, request: web.Request) -> web.Response:
        self.state.auto_statuses = tuple((await request.json()).get("statuses", ()))
        return web.json_response({"ok": True})

    async def _test_raw(self, request: web.Request) -> web.Response:
        """POST any body to the bot: ``signed`` (default), ``unsigned``, ``forged``, or an exact header."""
        body = await request.json()
        raw = body["body"].encode() if isinstance(body["body"], str) else _dump(body["body"])
        how = body.get("signature", "signed")
        if how == "unsigned":
            return web.json_response({"status": await self.hooks.deliver(raw, sign=False)})
        if how == "forged":
            return web.json_response({"status": await self.hooks.forged(raw)})
        explicit = None if how == "signed" else str(how)
        return web.json_response({"status": await self.hooks.deliver(raw, signature=explicit)})

    async def _test_replay(self, request: web.Request) -> web.Response:
        """Deliver a webhook already sent again, byte for byte, as Meta's retries do."""
        index = int((await request.json()).get("index", -1))
        return web.json_response({"status": await self.hooks.deliver(self.hooks.bodies[index])})

    async def _test_verify(self, request: web.Request) -> web.Response:
        """Play Meta's subscription handshake against the bot; return its status and body."""
        body = await request.json() if request.can_read_body else {}
        return web.json_response(await self.hooks.handshake(body))

    async def _test_ask(self, request: web.Request) -> web.Response:
        """Send a text as a person and wait for the bot's first message to them; return the round trip."""
        body = await request.json()
        person = self._person(body)
        waiter: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.state.reply_waiters[person.user_id] = waiter
        _, payload = payloads.message(self.state.business, person, "text", {"body": body["text"]})
        started = time.perf_counter()
        status = await self.hooks.deliver(_dump(payload))
        try:
            replied = await asyncio.wait_for(waiter, float(body.get("timeout", 30)))
        except asyncio.TimeoutError:
            self.state.reply_waiters.pop(person.user_id, None)
            return web.json_response({"ok": False, "status": status, "round_trip": None})
        return web.json_response({"ok": True, "status": status, "round_trip": replied - started})

    async def _test_reset(self, request: web.Request) -> web.Response:
        self.state = GraphState()
        self.hooks.forget()
        return web.json_response({"ok": True})

    async def _test_sent(self, request: web.Request) -> web.Response:
        """What the bot sent to one person (``?user=`` a BSUID or a phone number), or to all."""
        user = request.query.get("user")
        if user is None:
            return web.json_response(self.state.sent)
        return web.json_response(
            {"messages": self.state.sent.get(self._key(user), []), "read": self.state.reads}
        )

    async def _test_stats(self, request: web.Request) -> web.Response:
        per_person = Counter(len(messages) for messages in self.state.sent.values())
        return web.json_response(
            {
                "accepted": self.state.accepted,
                "refused": {str(k): v for k, v in sorted(self.state.refused.items())},
                "people_by_count": {str(k): v for k, v in sorted(per_person.items())},
                **self.hooks.figures(),
                **self.state.limits.figures(),
            }
        )


def _page_url(request: web.Request, after: int, limit: int) -> str:
    """The absolute URL of another page, as Meta's ``paging.next`` is (built by hand: yarl refuses ports)."""
    query = {**request.query, "after": str(after), "limit": str(limit)}
    return f"{request.scheme}://{request.host}{request.path}?{urlencode(query)}"


def _graph_error(code: int) -> web.Response:
    status, body = payloads.error_body(code)
    return web.json_response(body, status=status)


def _dump(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def main() -> None:
    """Serve on ``127.0.0.1:PORT`` until killed: ``python -m fakes.whatsapp_graph PORT``."""
    web.run_app(FakeGraphApi().app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)


if __name__ == "__main__":
    main()
