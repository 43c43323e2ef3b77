"""pywa_async (the SDK the bot's adapter uses) against the local fake: what it sends, how it reads Meta's
webhooks, and which exception each Cloud API error code becomes. The last is the table the adapter's
error mapping is built on."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import pytest
from pywa_async import WhatsApp, errors
from pywa_async.types import (
    Button,
    CallbackButton,
    CallbackSelection,
    Message,
    MessageStatus,
    Section,
    SectionList,
    SectionRow,
)
from pywa_async.types.templates import BodyText, TemplateLanguage

from fakes import whatsapp_payloads as payloads
from fakes.whatsapp_graph import BUSINESS
from tests.fakes.conftest import Receiver
from tests.whatsapp_api import API_VERSION, WhatsAppServer

MOROCCAN = "MA.4206619117351"
T = TypeVar("T")

# The exception pywa 4.5 raises for each code, and its family (the class the adapter can catch).
EXCEPTIONS: dict[int, tuple[type[errors.WhatsAppError], type[errors.WhatsAppError]]] = {
    190: (errors.ExpiredAccessToken, errors.AuthorizationError),
    130429: (errors.RateLimitHit, errors.ThrottlingError),
    131056: (errors.TooManyMessages, errors.ThrottlingError),
    131048: (errors.SpamRateLimitHit, errors.ThrottlingError),
    131047: (errors.ReEngagementMessage, errors.SendMessageError),
    131026: (errors.MessageUndeliverable, errors.SendMessageError),
    131050: (errors.UserStoppedMarketingMessages, errors.SendMessageError),
    131000: (errors.UnknownError, errors.SendMessageError),
    131016: (errors.ServiceUnavailable, errors.SendMessageError),
    132001: (errors.TemplateNotExists, errors.SendMessageError),
    100: (errors.WhatsAppError, errors.WhatsAppError),
}


def with_pywa(whatsapp: WhatsAppServer, use: Callable[[WhatsApp], Awaitable[T]]) -> T:
    """Run ``use`` with a pywa_async client pointed at the fake, as the adapter constructs it."""

    async def run() -> T:
        async with httpx.AsyncClient(timeout=10) as session:
            wa = WhatsApp(
                phone_id=whatsapp.phone_number_id,
                token=whatsapp.token,
                session=session,
                api_version=API_VERSION,
                waba_id=whatsapp.waba_id,
            )
            session.base_url = httpx.URL(whatsapp.api_url)  # pywa sets Meta's; the session is ours to point
            return await use(wa)

    return asyncio.run(run())


def test_pywa_sends_text_buttons_a_list_a_template_and_read_marks_recorded_at_the_fake(
    whatsapp: WhatsAppServer,
) -> None:
    async def use(wa: WhatsApp) -> list[str]:
        sent = [
            await wa.send_message(to=MOROCCAN, text="Salam *Youssef*"),
            await wa.send_message(
                to=MOROCCAN, text="Wach?", buttons=[Button("Ah", "yes"), Button("La", "no")]
            ),
            await wa.send_message(
                to=MOROCCAN,
                text="Khtar lugha",
                buttons=SectionList(
                    "Lughat",
                    sections=[Section("Lughat", rows=[SectionRow("Darija", "lang:ary", "الدارجة")])],
                ),
            ),
            await wa.send_template(
                to="212600000001",
                name="reminder_step",
                language=TemplateLanguage.FRENCH,
                params=[BodyText.params("Youssef", "lundi")],
            ),
        ]
        await wa.mark_message_as_read("wamid.INCOMING=")
        return [message.id for message in sent]

    ids = with_pywa(whatsapp, use)
    text, buttons, choice = whatsapp.sent(MOROCCAN)
    [template] = whatsapp.sent("212600000001")
    assert [m["id"] for m in (text, buttons, choice, template)] == ids
    assert (text["recipient"], text["recipient_type"], text["text"]["body"]) == (
        MOROCCAN,
        "individual",
        "Salam *Youssef*",
    )
    assert (
        "to" not in text
    )  # pywa addresses a BSUID (``CC.digits``) as ``recipient``, a phone number as ``to``
    assert buttons["interactive"]["type"] == "button"
    assert [b["reply"] for b in buttons["interactive"]["action"]["buttons"]] == [
        {"id": "yes", "title": "Ah"},
        {"id": "no", "title": "La"},
    ]
    assert choice["interactive"]["type"] == "list"
    assert choice["interactive"]["action"]["button"] == "Lughat"
    assert choice["interactive"]["action"]["sections"][0]["rows"] == [
        {"id": "lang:ary", "title": "Darija", "description": "الدارجة"}
    ]
    assert template["to"] == "212600000001"
    assert template["template"]["name"] == "reminder_step"
    assert template["template"]["language"] == {"code": "fr"}
    assert template["template"]["components"] == [
        {
            "type": "BODY",
            "parameters": [{"type": "text", "text": "Youssef"}, {"type": "text", "text": "lundi"}],
        }
    ]
    assert whatsapp.read() == ["wamid.INCOMING="]


def test_pywa_reads_the_templates_and_follows_the_paging(whatsapp: WhatsAppServer) -> None:
    whatsapp.templates(
        *(
            {"name": f"step_{n}", "language": "fr", "status": "APPROVED" if n % 2 else "PENDING"}
            for n in range(5)
        )
    )

    async def use(wa: WhatsApp) -> list[tuple[str, str]]:
        from pywa_async.types.others import Pagination

        page = await wa.get_templates(pagination=Pagination(limit=2))
        seen = []
        while True:
            assert all(isinstance(t.components[0], BodyText) for t in page)  # Meta's example is there
            seen += [(t.name, str(t.status)) for t in page]
            if not page.has_next:
                return seen
            page = await page.next()

    seen = with_pywa(whatsapp, use)
    assert [name for name, _ in seen] == [f"step_{n}" for n in range(5)]
    assert [status for _, status in seen][:2] == ["PENDING", "APPROVED"]


@pytest.mark.parametrize("code", sorted(EXCEPTIONS))
def test_each_error_code_becomes_its_pywa_exception(whatsapp: WhatsAppServer, code: int) -> None:
    whatsapp.fail(code)

    async def use(wa: WhatsApp) -> errors.WhatsAppError:
        with pytest.raises(errors.WhatsAppError) as caught:
            await wa.send_message(to=MOROCCAN, text="hi")
        return caught.value

    error = with_pywa(whatsapp, use)
    exact, family = EXCEPTIONS[code]
    assert type(error) is exact
    assert isinstance(error, family)
    assert (error.code, error.status_code) == (code, payloads.ERRORS[code][0])
    assert error.details == (payloads.ERRORS[code][3] or None)


def test_a_wrong_token_is_expired_access_token_in_pywa(whatsapp: WhatsAppServer) -> None:
    whatsapp.config(token="another-token")

    async def use(wa: WhatsApp) -> type[errors.WhatsAppError]:
        with pytest.raises(errors.WhatsAppError) as caught:
            await wa.send_message(to=MOROCCAN, text="hi")
        return type(caught.value)

    assert with_pywa(whatsapp, use) is errors.ExpiredAccessToken


def _captured(receiver: Receiver) -> dict[str, Any]:
    return json.loads(receiver.posts(1)[0].body)


def test_pywa_parses_the_fakes_message_webhook_with_the_bsuid(
    whatsapp: WhatsAppServer, receiver: Receiver
) -> None:
    whatsapp.text(MOROCCAN, "Salam", wa_id="212600000001", name="Youssef")
    update = _captured(receiver)

    async def use(wa: WhatsApp) -> Message:
        return Message.from_update(client=wa, update=update)

    message = with_pywa(whatsapp, use)
    user = message.from_user
    assert (user.bsuid, user.wa_id, user.name, user.country_code) == (
        MOROCCAN,
        "212600000001",
        "Youssef",
        "MA",
    )
    assert message.text == "Salam"
    assert message.metadata.phone_number_id == BUSINESS.phone_number_id


def test_pywa_cannot_parse_a_failed_status_without_contacts(
    whatsapp: WhatsAppServer, receiver: Receiver
) -> None:
    """Meta's failed statuses carry no ``contacts``; pywa 4.5 reads ``contacts[0]`` unconditionally, so the
    adapter must read statuses (at least failed ones) from the raw payload."""
    whatsapp.fail(131026, mode="async")

    async def use(wa: WhatsApp) -> None:
        await wa.send_message(to=MOROCCAN, text="hi")

    with_pywa(whatsapp, use)
    update = _captured(receiver)
    assert update["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] == "failed"

    async def parse(wa: WhatsApp) -> MessageStatus:
        return MessageStatus.from_update(client=wa, update=update)

    with pytest.raises(KeyError, match="contacts"):
        with_pywa(whatsapp, parse)


def test_pywa_parses_presses_choices_and_voice_notes_from_the_fake(
    whatsapp: WhatsAppServer, receiver: Receiver
) -> None:
    whatsapp.press(MOROCCAN, "menu:visa", "Visa")
    whatsapp.choose(MOROCCAN, "lang:ary", "Darija")
    whatsapp.play("voice", MOROCCAN)
    press, choice, voice = (json.loads(r.body) for r in receiver.posts(3))

    async def use(wa: WhatsApp) -> tuple[CallbackButton, CallbackSelection, Message]:
        return (
            CallbackButton.from_update(client=wa, update=press),
            CallbackSelection.from_update(client=wa, update=choice),
            Message.from_update(client=wa, update=voice),
        )

    button, selection, audio = with_pywa(whatsapp, use)
    assert (button.data, button.title, button.from_user.bsuid) == ("menu:visa", "Visa", MOROCCAN)
    assert (selection.data, selection.title) == ("lang:ary", "Darija")
    assert audio.audio is not None and audio.audio.voice is True


@pytest.mark.parametrize(
    ("kind", "extra", "pywa_type"),
    [
        ("button", {"payload": "STOP", "text": "Stop"}, "button"),
        ("image", {"caption": "passport"}, "image"),
        ("video", {}, "video"),
        ("document", {}, "document"),
        ("sticker", {}, "sticker"),
        ("location", {"name": "Casablanca"}, "location"),
        ("contacts", {}, "contacts"),
        ("reaction", {"message_id": "wamid.X="}, "reaction"),
        ("unknown", {}, "unsupported"),
    ],
)
def test_pywa_parses_every_other_kind_the_fake_plays(
    whatsapp: WhatsAppServer, receiver: Receiver, kind: str, extra: dict[str, Any], pywa_type: str
) -> None:
    whatsapp.play(kind, MOROCCAN, **extra)
    update = _captured(receiver)

    async def use(wa: WhatsApp) -> Message | CallbackButton:
        if kind == "button":  # a template's quick-reply button is a CallbackButton in pywa
            return CallbackButton.from_update(client=wa, update=update)
        return Message.from_update(client=wa, update=update)

    parsed = with_pywa(whatsapp, use)
    assert str(parsed.type) == pywa_type
    assert parsed.from_user.bsuid == MOROCCAN
    if kind == "button":
        assert parsed.data == "STOP"
    if kind == "unknown":
        assert parsed.error is not None and parsed.error.code == 131051
