"""What the local WhatsApp Graph API fake says: Graph error bodies and the webhook payloads Meta POSTs.

Kept apart from the server (``fakes.whatsapp_graph``) so that tests can build the exact payloads the fake
sends, and so that the shapes live in one place. The shapes follow Meta's webhook reference with
business-scoped user ids (BSUIDs, ``CC.digits``): a person is ``contacts[0].user_id``, their phone number
``contacts[0].wa_id`` only when Meta shares it; a message carries ``from_user_id`` (the BSUID) and ``from``
(the phone number, left out without one).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

# code: (HTTP status, Graph error type, message, details) as the Cloud API answers a send it refuses.
ERRORS: dict[int, tuple[int, str, str, str]] = {
    190: (401, "OAuthException", "Error validating access token: Session has expired.", ""),
    4: (400, "OAuthException", "(#4) Application request limit reached", "Too many API calls."),
    100: (400, "OAuthException", "(#100) Invalid parameter", "A parameter is missing or invalid."),
    130429: (
        400,
        "OAuthException",
        "(#130429) Rate limit hit",
        "Cloud API message throughput has been reached.",
    ),
    131056: (
        400,
        "OAuthException",
        "(#131056) (Business Account, Consumer Account) pair rate limit hit",
        "Message failed to send because there were too many messages sent from this phone number to the "
        "same phone number in a short period of time.",
    ),
    131048: (
        400,
        "OAuthException",
        "(#131048) Spam rate limit hit",
        "Message failed to send because there are restrictions on how many messages can be sent from this "
        "phone number.",
    ),
    131047: (
        400,
        "OAuthException",
        "(#131047) Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer last replied to "
        "this number.",
    ),
    131026: (400, "OAuthException", "(#131026) Message Undeliverable", "Unable to deliver message."),
    131050: (
        400,
        "OAuthException",
        "(#131050) User has stopped marketing messages",
        "Unable to deliver the marketing message: the user chose to stop receiving marketing messages.",
    ),
    131000: (500, "OAuthException", "(#131000) Something went wrong", "Something went wrong."),
    131016: (503, "OAuthException", "(#131016) Service unavailable", "A service is temporarily unavailable."),
    132001: (
        404,
        "OAuthException",
        "(#132001) Template name does not exist in the translation",
        "The template does not exist in this language or is not approved.",
    ),
}
SUBCODES = {190: 463}


def error_body(code: int) -> tuple[int, dict[str, Any]]:
    """The HTTP status and JSON body with which the Graph API refuses a call with ``code``."""
    status, kind, message, details = ERRORS.get(code, (400, "OAuthException", f"(#{code}) Error", ""))
    error: dict[str, Any] = {
        "message": message,
        "type": kind,
        "code": code,
        "fbtrace_id": "A" + secrets.token_urlsafe(16),
    }
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    if code in SUBCODES:
        error["error_subcode"] = SUBCODES[code]
    return status, {"error": error}


def webhook_error(code: int) -> dict[str, Any]:
    """An error as a failed status webhook carries it (``statuses[].errors[]``)."""
    _, kind, message, details = ERRORS.get(code, (400, "OAuthException", f"(#{code}) Error", ""))
    title = message.split(") ", 1)[-1]
    return {
        "code": code,
        "title": title,
        "message": title,
        "error_data": {"details": details or title},
        "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
    }


def signature(secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` header value Meta sends: ``sha256=`` and the body's HMAC-SHA256."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


_serial = itertools.count(1)


def wamid() -> str:
    """A fresh message id, shaped like Meta's (``wamid.`` and base64)."""
    raw = f"\x15\x02\x00\x11\x18\x12{next(_serial):020d}{secrets.token_hex(4)}".encode()
    return "wamid." + base64.b64encode(raw).decode()


def media_id() -> str:
    return str(10**15 + secrets.randbelow(9 * 10**15))


@dataclass(frozen=True)
class Business:
    """The business side of every webhook: its account, its phone number id and displayed number."""

    waba_id: str
    phone_number_id: str
    display_phone_number: str

    def envelope(self, value: dict[str, Any]) -> dict[str, Any]:
        """Wrap a ``value`` in the ``whatsapp_business_account`` notification Meta POSTs."""
        metadata = {
            "display_phone_number": self.display_phone_number,
            "phone_number_id": self.phone_number_id,
        }
        value = {"messaging_product": "whatsapp", "metadata": metadata, **value}
        return {
            "object": "whatsapp_business_account",
            "entry": [{"id": self.waba_id, "changes": [{"value": value, "field": "messages"}]}],
        }


@dataclass(frozen=True)
class Person:
    """A WhatsApp user as webhooks name them: a BSUID, and a phone number and profile name when shared."""

    user_id: str
    wa_id: str | None = None
    name: str | None = None
    username: str | None = None

    def contact(self) -> dict[str, Any]:
        profile: dict[str, Any] = {}
        if self.name is not None:
            profile["name"] = self.name
        if self.username is not None:
            profile["username"] = self.username
        contact: dict[str, Any] = {"profile": profile, "user_id": self.user_id}
        if self.wa_id:
            contact["wa_id"] = self.wa_id
        return contact


def message(
    business: Business, person: Person, kind: str, content: Any, context_id: str | None = None
) -> tuple[str, dict[str, Any]]:
    """An incoming message webhook: its id and payload. ``content`` goes under the key ``kind``."""
    message_id = wamid()
    body: dict[str, Any] = {
        "from_user_id": person.user_id,
        "id": message_id,
        "timestamp": str(int(time.time())),
    }
    if person.wa_id:
        body["from"] = person.wa_id
    if context_id:
        body["context"] = {"from": business.display_phone_number, "id": context_id}
    body["type"] = kind
    if kind == "unsupported":
        body["errors"] = [
            {
                "code": 131051,
                "title": "Message type unknown",
                "message": "Message type unknown",
                "error_data": {"details": "Message type is currently not supported."},
            }
        ]
    if content is not None:
        body[kind] = content
    value = {"contacts": [person.contact()], "messages": [body]}
    return message_id, business.envelope(value)


def content(kind: str, body: dict[str, Any]) -> tuple[str, Any]:
    """The webhook ``type`` and its object for a message a test plays, from the test's request body."""
    if kind == "text":
        return "text", {"body": body["text"]}
    if kind == "button_reply":
        reply = {"id": body["id"], "title": body.get("title", body["id"])}
        return "interactive", {"type": "button_reply", "button_reply": reply}
    if kind == "list_reply":
        reply = {"id": body["id"], "title": body.get("title", body["id"])}
        if body.get("description"):
            reply["description"] = body["description"]
        return "interactive", {"type": "list_reply", "list_reply": reply}
    if kind == "button":
        return "button", {"payload": body["payload"], "text": body.get("text", body["payload"])}
    if kind in ("voice", "audio"):
        return "audio", {
            "mime_type": "audio/ogg; codecs=opus",
            "sha256": _sha(),
            "id": media_id(),
            "voice": kind == "voice",
        }
    if kind in ("image", "video", "document"):
        mime = {"image": "image/jpeg", "video": "video/mp4", "document": "application/pdf"}[kind]
        media: dict[str, Any] = {"mime_type": mime, "sha256": _sha(), "id": media_id()}
        if body.get("caption"):
            media["caption"] = body["caption"]
        if kind == "document":
            media["filename"] = body.get("filename", "file.pdf")
        return kind, media
    if kind == "sticker":
        return "sticker", {"mime_type": "image/webp", "sha256": _sha(), "id": media_id(), "animated": False}
    if kind == "location":
        location = {"latitude": body.get("latitude", 33.5731), "longitude": body.get("longitude", -7.5898)}
        location.update({k: body[k] for k in ("name", "address") if k in body})
        return "location", location
    if kind == "contacts":
        card = {
            "name": {"formatted_name": body.get("contact_name", "Amina"), "first_name": "Amina"},
            "phones": [{"phone": "+212 600 000000", "type": "CELL"}],
        }
        return "contacts", [card]
    if kind == "reaction":
        return "reaction", {"message_id": body["message_id"], "emoji": body.get("emoji", "\U0001f44d")}
    return "unsupported", {"type": body.get("unsupported_type", "edit")}


def status(
    business: Business,
    message_id: str,
    state: str,
    person: Person | None,
    recipient: str,
    code: int | None = None,
) -> dict[str, Any]:
    """A status webhook for a message the business sent: sent, delivered, read or failed (with ``code``).

    As Meta does, a failed status carries ``errors`` and no ``contacts``, sent/delivered/read carry the
    person's ``contacts`` entry; ``recipient_id`` is the phone number (when known) and ``recipient_user_id``
    the BSUID.
    """
    now = int(time.time())
    entry: dict[str, Any] = {"id": message_id, "status": state, "timestamp": str(now)}
    phone = person.wa_id if person is not None else (recipient if recipient.isdigit() else None)
    user_id = person.user_id if person is not None else (None if recipient.isdigit() else recipient)
    if phone:
        entry["recipient_id"] = phone
    if user_id:
        entry["recipient_user_id"] = user_id
    value: dict[str, Any] = {"statuses": [entry]}
    if state == "failed":
        entry["errors"] = [webhook_error(code or 131026)]
    else:
        if state == "sent":
            entry["conversation"] = {
                "id": secrets.token_hex(16),
                "expiration_timestamp": str(now + 86400),
                "origin": {"type": "service"},
            }
        entry["pricing"] = {
            "billable": False,
            "pricing_model": "PMP",
            "category": "service",
            "type": "free_customer_service",
        }
        contact = (
            person.contact()
            if person is not None
            else {"user_id": user_id, **({"wa_id": phone} if phone else {})}
        )
        value = {"contacts": [contact], **value}
    return business.envelope(value)


def template(spec: dict[str, Any], index: int) -> dict[str, Any]:
    """A template as the Graph API lists it, from a test's short description (``body`` with ``{{1}}``
    placeholders, or ``{{name}}`` ones with ``parameter_format: NAMED``; ``examples`` fill them)."""
    return {
        "id": str(spec.get("id", 900000000000000 + index)),
        "name": spec["name"],
        "language": spec.get("language", "en"),
        "status": spec.get("status", "APPROVED"),
        "category": spec.get("category", "UTILITY"),
        "parameter_format": spec.get("parameter_format", "POSITIONAL"),
        "components": spec.get("components") or [_body(spec)],
        **({"rejected_reason": spec["rejected_reason"]} if "rejected_reason" in spec else {}),
    }


def _body(spec: dict[str, Any]) -> dict[str, Any]:
    """The BODY component with the ``example`` Meta lists beside its placeholders."""
    text = spec.get("body", "Hello {{1}}")
    names = list(dict.fromkeys(re.findall(r"{{\s*(\w+)\s*}}", text)))
    body: dict[str, Any] = {"type": "BODY", "text": text}
    if not names:
        return body
    examples = list(spec.get("examples") or [f"example {n}" for n in names])
    if spec.get("parameter_format") == "NAMED":
        named = [{"param_name": n, "example": e} for n, e in zip(names, examples, strict=True)]
        body["example"] = {"body_text_named_params": named}
    else:
        body["example"] = {"body_text": [examples]}
    return body


def template_matches(template: dict[str, Any], query: Any) -> bool:
    for key in ("status", "category", "language"):
        if key in query and template[key] not in query[key].split(","):
            return False
    return "name" not in query or query["name"] in template["name"]


def _sha() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()
