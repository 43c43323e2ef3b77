"""A small Telegram Bot API server for tests and benchmarks, spoken to over real HTTP.

It does what python-telegram-bot 22 needs from Telegram: ``getMe``; ``getUpdates`` with real long polling
(``offset``, ``timeout``); ``setWebhook``/``deleteWebhook`` (updates are then POSTed to the bot with
the secret header); ``sendMessage``, ``sendChatAction``, ``answerCallbackQuery``, ``editMessageText``
and ``setMyCommands``. It answers 429 (with ``retry_after``), 5xx and 403 ("bot was blocked") the way
Telegram does when a test asks it to, and, once given limits (``/test/limits``), answers 429 as Telegram
would to a bot that sends too fast (more than 20% over the limit in any second, or two messages to one chat
within 0.8 s of each other at 1 a second). Tests play users through ``/test/...`` routes: send text, press a
button (on the newest message offering it, or on a message named), send a sticker, read what the bot sent,
ask and wait for the first reply (``/test/ask``, which returns the round trip measured here: update delivered
to first ``sendMessage`` received), or read the sending figures (``/test/stats``).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from collections import Counter
from typing import Any

import aiohttp
from aiohttp import web

from fakes.telegram_state import BotApiState, Fault, SendLimits

BOT = {
    "id": 777000111,
    "is_bot": True,
    "first_name": "Mentor",
    "username": "mentor_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
JSON_FIELDS = ("reply_markup", "allowed_updates", "commands", "entities")


class FakeBotApi:
    """The aiohttp application and its state."""

    def __init__(self) -> None:
        self.state = BotApiState()
        self._update_ids = itertools.count(100_000_001)  # as large as real ones
        self._message_ids = itertools.count(1)
        self._session: aiohttp.ClientSession | None = None
        self.app = web.Application()
        self.app.router.add_post("/bot{token}/{method}", self._api)
        self.app.router.add_get("/bot{token}/{method}", self._api)
        self.app.router.add_post("/test/text", self._test_text)
        self.app.router.add_post("/test/ask", self._test_ask)
        self.app.router.add_post("/test/press", self._test_press)
        self.app.router.add_post("/test/sticker", self._test_sticker)
        self.app.router.add_post("/test/fault", self._test_fault)
        self.app.router.add_post("/test/block", self._test_block)
        self.app.router.add_post("/test/member", self._test_member)
        self.app.router.add_post("/test/update", self._test_update)
        self.app.router.add_get("/test/sent", self._test_sent)
        self.app.router.add_get("/test/calls", self._test_calls)
        self.app.router.add_post("/test/limits", self._test_limits)
        self.app.router.add_get("/test/stats", self._test_stats)
        self.app.on_cleanup.append(self._close)

    async def _close(self, _: web.Application) -> None:
        if self._session is not None:
            await self._session.close()

    # --- the Bot API ------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        self.state.calls.append(method)
        chat_id = _int(params.get("chat_id"))
        faults = self.state.faults[method]
        if faults:
            fault = faults[0]
            fault.times -= 1
            if fault.times <= 0:
                faults.popleft()
            return _error(fault.status, fault.retry_after)
        if chat_id is not None and chat_id in self.state.blocked and method.startswith("send"):
            return _error(403)
        if method == "sendMessage" and chat_id is not None and self.state.limits is not None:
            now = time.monotonic()
            if self.state.limits.refuses(self.state, chat_id, now):
                self.state.throttled += 1
                return _error(429, 1)
            self.state.recent_sends.append(now)
            self.state.last_send_to[chat_id] = now
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.json_response({"ok": True, "result": await handler(params)})

    async def _m_getMe(self, params: dict[str, Any]) -> Any:
        return BOT

    async def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = _int(params.get("offset")) or 0
        timeout = float(params.get("timeout") or 0)
        while self.state.updates and self.state.updates[0]["update_id"] < offset:
            self.state.updates.popleft()
        if not self.state.updates and timeout > 0:
            self.state.new_update.clear()
            try:
                await asyncio.wait_for(self.state.new_update.wait(), timeout)
            except asyncio.TimeoutError:
                return []
        limit = _int(params.get("limit")) or 100
        return list(itertools.islice(self.state.updates, limit))

    async def _m_setWebhook(self, params: dict[str, Any]) -> Any:
        self.state.webhook_url = params.get("url") or None
        self.state.webhook_secret = params.get("secret_token")
        return True

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.state.webhook_url = None
        return True

    async def _m_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {
            "url": self.state.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }

    async def _m_setMyCommands(self, params: dict[str, Any]) -> Any:
        self.state.commands[params.get("language_code") or ""] = params.get("commands") or []
        return True

    async def _m_sendChatAction(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT,
            "text": params.get("text", ""),
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self.state.sent[chat_id].append(message)
        self.state.delivered += 1
        waiter = self.state.reply_waiters.pop(chat_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(time.perf_counter())
        return message

    async def _m_editMessageText(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        for message in self.state.sent[chat_id]:
            if message["message_id"] == _int(params.get("message_id")):
                message["text"] = params.get("text", "")
                return message
        return True

    # --- playing users ----------------------------------------------------------------------------

    async def push(self, update: dict[str, Any]) -> None:
        """Deliver an update: to the webhook when one is set, else to the getUpdates queue."""
        update = {"update_id": next(self._update_ids), **update}
        if self.state.webhook_url:
            headers = {"X-Telegram-Bot-Api-Secret-Token": self.state.webhook_secret or ""}
            if self._session is None:
                self._session = aiohttp.ClientSession()
            async with self._session.post(self.state.webhook_url, json=update, headers=headers) as reply:
                reply.raise_for_status()
            return
        self.state.updates.append(update)
        self.state.new_update.set()

    @staticmethod
    def _user(body: dict[str, Any]) -> dict[str, Any]:
        user_id = int(body["chat_id"])
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": body.get("first_name", "Test"),
            "language_code": body.get("language_code", "fr"),
        }

    def _message(self, body: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat_type = body.get("chat_type", "private")
        chat = {"id": int(body["chat_id"]), "type": chat_type}
        if chat_type != "private":
            chat["title"] = "A group"
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self._user(body),
            **content,
        }

    async def _test_text(self, request: web.Request) -> web.Response:
        body = await request.json()
        text: str = body["text"]
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        kind = "edited_message" if body.get("edited") else "message"
        message = self._message(body, **content)
        if kind == "edited_message":
            message["edit_date"] = int(time.time())
        await self.push({kind: message})
        return web.json_response({"ok": True})

    async def _test_ask(self, request: web.Request) -> web.Response:
        """Send a text as the user and wait for the bot's first reply; return the round trip in seconds."""
        body = await request.json()
        chat_id = int(body["chat_id"])
        waiter: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.state.reply_waiters[chat_id] = waiter
        started = time.perf_counter()
        await self.push({"message": self._message(body, text=body["text"])})
        try:
            replied = await asyncio.wait_for(waiter, float(body.get("timeout", 30)))
        except asyncio.TimeoutError:
            self.state.reply_waiters.pop(chat_id, None)
            return web.json_response({"ok": False, "round_trip": None})
        return web.json_response({"ok": True, "round_trip": replied - started})

    async def _test_sticker(self, request: web.Request) -> web.Response:
        body = await request.json()
        sticker = {
            "file_id": "s1",
            "file_unique_id": "u1",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
        await self.push({"message": self._message(body, sticker=sticker)})
        return web.json_response({"ok": True})

    async def _test_press(self, request: web.Request) -> web.Response:
        body = await request.json()
        chat_id = int(body["chat_id"])
        shown = self._pressed_on(chat_id, body["data"], body.get("message_id"))
        if shown is None:
            shown = self._message(body, text="")
        query = {
            "id": str(next(self._update_ids)),
            "from": self._user(body),
            "chat_instance": f"ci{chat_id}",
            "data": body["data"],
            "message": shown,
        }
        await self.push({"callback_query": query})
        return web.json_response({"ok": True})

    def _pressed_on(self, chat_id: int, data: str, message_id: int | None) -> dict[str, Any] | None:
        """The message a press is on: the one named, else the newest offering that button, else the newest
        (a press the bot never offered, as a tampered client would send)."""
        sent = self.state.sent[chat_id]
        if message_id is not None:
            return next((m for m in sent if m["message_id"] == message_id), None)
        for message in reversed(sent):
            rows = message.get("reply_markup", {}).get("inline_keyboard", [])
            if any(button.get("callback_data") == data for row in rows for button in row):
                return message
        return sent[-1] if sent else None

    async def _test_fault(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.state.faults[body["method"]].append(
            Fault(int(body["status"]), int(body.get("times", 1)), body.get("retry_after"))
        )
        return web.json_response({"ok": True})

    async def _test_block(self, request: web.Request) -> web.Response:
        self.state.blocked.add(int((await request.json())["chat_id"]))
        return web.json_response({"ok": True})

    async def _test_member(self, request: web.Request) -> web.Response:
        """The person blocked (``kicked``) or unblocked (``member``) the bot: a ``my_chat_member`` update."""
        body = await request.json()
        chat = {"id": int(body["chat_id"]), "type": "private"}
        change = {
            "chat": chat,
            "from": self._user(body),
            "date": int(time.time()),
            "old_chat_member": {"status": "member" if body["status"] == "kicked" else "kicked", "user": BOT},
            "new_chat_member": {"status": body["status"], "user": BOT},
        }
        await self.push({"my_chat_member": change})
        return web.json_response({"ok": True})

    async def _test_update(self, request: web.Request) -> web.Response:
        """Deliver an update as given, its ``update_id`` included (Telegram delivering one again)."""
        await self.push(await request.json())
        return web.json_response({"ok": True})

    async def _test_sent(self, request: web.Request) -> web.Response:
        chat_id = int(request.query["chat_id"])
        return web.json_response(self.state.sent.get(chat_id, []))

    async def _test_calls(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "calls": self.state.calls,
                "commands": self.state.commands,
                "webhook_url": self.state.webhook_url,
            }
        )

    async def _test_limits(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.state.limits = SendLimits(float(body["per_second"]), float(body.get("per_chat_per_second", 1)))
        return web.json_response({"ok": True})

    async def _test_stats(self, request: web.Request) -> web.Response:
        """Messages delivered and refused, and how many chats got each number of messages."""
        per_chat = Counter(len(messages) for messages in self.state.sent.values())
        return web.json_response(
            {
                "delivered": self.state.delivered,
                "throttled": self.state.throttled,
                "chats_by_count": {str(k): v for k, v in sorted(per_chat.items())},
            }
        )


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        params = await request.json()
    else:
        params = dict(await request.post())
    params.update(request.query)
    for name in JSON_FIELDS:
        if isinstance(params.get(name), str):
            params[name] = json.loads(params[name])
    return params


def _int(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


def _error(status: int, retry_after: int | None = None) -> web.Response:
    descriptions = {403: "Forbidden: bot was blocked by the user", 429: "Too Many Requests: retry later"}
    body: dict[str, Any] = {
        "ok": False,
        "error_code": status,
        "description": descriptions.get(status, "Bad Gateway"),
    }
    if status == 429:
        body["parameters"] = {"retry_after": retry_after or 1}
        body["description"] = f"Too Many Requests: retry after {retry_after or 1}"
    return web.json_response(body, status=status)


def main() -> None:
    """Serve on ``127.0.0.1:PORT`` until killed: ``python -m fakes.telegram_bot_api PORT``."""
    web.run_app(FakeBotApi().app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)


if __name__ == "__main__":
    main()
