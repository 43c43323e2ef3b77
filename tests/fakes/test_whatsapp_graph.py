"""The local WhatsApp Graph API fake, spoken to over plain HTTP: what the bot's adapter relies on it for."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from typing import Any

import httpx
import pytest

from fakes.whatsapp_payloads import ERRORS
from tests.fakes.conftest import Received, Receiver
from tests.whatsapp_api import WhatsAppServer

MOROCCAN = "MA.4206619117351"
TUNISIAN = "TN.8813904455120"


def send(whatsapp: WhatsAppServer, body: dict[str, Any], token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token or whatsapp.token}"}
    url = f"{whatsapp.api_url}/{whatsapp.phone_number_id}/messages"
    return whatsapp.client.post(url, json={"messaging_product": "whatsapp", **body}, headers=headers)


def text_to(recipient: str, text: str = "Salam") -> dict[str, Any]:
    key = "to" if recipient.isdigit() else "recipient"
    return {"recipient_type": "individual", key: recipient, "type": "text", "text": {"body": text}}


def value(received: Received) -> dict[str, Any]:
    return json.loads(received.body)["entry"][0]["changes"][0]["value"]


def test_a_message_is_accepted_answered_as_meta_does_and_recorded(whatsapp: WhatsAppServer) -> None:
    reply = send(whatsapp, text_to(MOROCCAN, "Marhba"))
    assert reply.status_code == 200
    answer = reply.json()
    assert answer["messaging_product"] == "whatsapp"
    assert answer["contacts"] == [{"input": MOROCCAN, "user_id": MOROCCAN}]
    assert answer["messages"][0]["id"].startswith("wamid.")
    by_phone = send(whatsapp, text_to("212600000001")).json()
    assert by_phone["contacts"] == [{"input": "212600000001", "wa_id": "212600000001"}]
    [recorded] = whatsapp.sent(MOROCCAN)
    assert recorded["id"] == answer["messages"][0]["id"]
    assert recorded["text"] == {"body": "Marhba"}


def test_a_wrong_token_is_refused_with_190_and_nothing_is_recorded(whatsapp: WhatsAppServer) -> None:
    reply = send(whatsapp, text_to(MOROCCAN), token="not-the-token")
    assert reply.status_code == 401
    error = reply.json()["error"]
    assert (error["code"], error["type"], error["error_subcode"]) == (190, "OAuthException", 463)
    assert "fbtrace_id" in error
    assert whatsapp.sent(MOROCCAN) == []
    missing = whatsapp.client.post(f"{whatsapp.api_url}/{whatsapp.phone_number_id}/messages", json={})
    assert missing.json()["error"]["code"] == 190


def test_a_malformed_send_is_refused_as_an_invalid_parameter(whatsapp: WhatsAppServer) -> None:
    reply = send(whatsapp, {"to": "212600000001", "type": "text"})
    assert (reply.status_code, reply.json()["error"]["code"]) == (400, 100)


def test_mark_as_read_is_accepted_and_recorded(whatsapp: WhatsAppServer) -> None:
    reply = send(whatsapp, {"status": "read", "message_id": "wamid.ABC="})
    assert reply.json() == {"success": True}
    assert whatsapp.read() == ["wamid.ABC="]
    assert whatsapp.stats()["accepted"] == 0


def test_templates_are_served_with_their_statuses_and_paged(whatsapp: WhatsAppServer) -> None:
    whatsapp.templates(
        {"name": "reminder_step", "language": "fr", "status": "APPROVED"},
        {"name": "reminder_step", "language": "ar", "status": "PENDING"},
        {"name": "call_alert", "language": "it", "status": "REJECTED", "rejected_reason": "INVALID_FORMAT"},
    )
    url = f"{whatsapp.api_url}/{whatsapp.waba_id}/message_templates"
    headers = {"Authorization": f"Bearer {whatsapp.token}"}
    first = whatsapp.client.get(url, params={"limit": 2}, headers=headers).json()
    assert [(t["name"], t["language"], t["status"]) for t in first["data"]] == [
        ("reminder_step", "fr", "APPROVED"),
        ("reminder_step", "ar", "PENDING"),
    ]
    second = whatsapp.client.get(first["paging"]["next"], headers=headers).json()
    assert [(t["name"], t["rejected_reason"]) for t in second["data"]] == [("call_alert", "INVALID_FORMAT")]
    assert "next" not in second["paging"]
    approved = whatsapp.client.get(url, params={"status": "APPROVED"}, headers=headers).json()
    assert [t["language"] for t in approved["data"]] == ["fr"]
    assert whatsapp.client.get(url).status_code == 401


@pytest.mark.parametrize("code", [190, 130429, 131056, 131047, 131026, 131050, 131048, 131000, 131016])
def test_each_error_code_is_answered_on_demand_then_sending_works_again(
    whatsapp: WhatsAppServer, code: int
) -> None:
    whatsapp.fail(code, times=2)
    for _ in range(2):
        reply = send(whatsapp, text_to(MOROCCAN))
        assert reply.status_code == ERRORS[code][0]
        error = reply.json()["error"]
        assert error["code"] == code
        assert error["message"] == ERRORS[code][2]
    assert send(whatsapp, text_to(MOROCCAN)).status_code == 200
    assert whatsapp.stats()["refused"] == {str(code): 2}
    assert len(whatsapp.sent(MOROCCAN)) == 1


def test_an_error_for_one_recipient_leaves_the_others_alone(whatsapp: WhatsAppServer) -> None:
    whatsapp.fail(131026, to=TUNISIAN)
    assert send(whatsapp, text_to(MOROCCAN)).status_code == 200
    assert send(whatsapp, text_to(TUNISIAN)).json()["error"]["code"] == 131026
    assert send(whatsapp, text_to(TUNISIAN)).status_code == 200


def test_throughput_over_the_limit_gets_130429(whatsapp: WhatsAppServer) -> None:
    whatsapp.limit(per_second=5, pair_seconds=6)
    codes = [send(whatsapp, text_to(f"MA.{1000 + n}")).status_code for n in range(8)]
    assert codes == [200] * 5 + [400] * 3
    stats = whatsapp.stats()
    assert stats["refused"] == {"130429": 3}
    assert stats["breaches"] == {"130429": 3}
    assert stats["max_per_second"] == 5


def test_the_pair_rate_gets_131056_and_its_burst_is_honoured(whatsapp: WhatsAppServer) -> None:
    whatsapp.limit(per_second=80, pair_seconds=6)
    assert send(whatsapp, text_to(MOROCCAN)).status_code == 200
    second = send(whatsapp, text_to(MOROCCAN))
    assert second.json()["error"]["code"] == 131056
    assert send(whatsapp, text_to(TUNISIAN)).status_code == 200
    whatsapp.limit(per_second=80, pair_seconds=6, pair_burst=3)
    codes = [send(whatsapp, text_to(MOROCCAN)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 400]


def test_limits_not_enforced_still_count_breaches(whatsapp: WhatsAppServer) -> None:
    whatsapp.limit(per_second=80, pair_seconds=6, enforce=False)
    for _ in range(3):
        assert send(whatsapp, text_to(MOROCCAN)).status_code == 200
    stats = whatsapp.stats()
    assert stats["breaches"] == {"131056": 2}
    assert stats["min_pair_gap"] < 6
    assert sum(stats["per_second"]) == 3


def test_a_played_text_is_a_signed_webhook_shaped_like_metas(
    whatsapp: WhatsAppServer, receiver: Receiver
) -> None:
    answer = whatsapp.text(MOROCCAN, "Salam, kifash ndir l visa?", wa_id="212600000001", name="Youssef")
    assert answer["status"] == 200
    [received] = receiver.posts(1)
    expected = "sha256=" + hmac.new(whatsapp.app_secret.encode(), received.body, hashlib.sha256).hexdigest()
    assert received.headers["X-Hub-Signature-256"] == expected
    payload = json.loads(received.body)
    assert payload["object"] == "whatsapp_business_account"
    assert payload["entry"][0]["id"] == whatsapp.waba_id
    change = payload["entry"][0]["changes"][0]
    assert change["field"] == "messages"
    assert change["value"]["metadata"]["phone_number_id"] == whatsapp.phone_number_id
    assert change["value"]["contacts"] == [
        {"profile": {"name": "Youssef"}, "user_id": MOROCCAN, "wa_id": "212600000001"}
    ]
    [message] = change["value"]["messages"]
    assert message["id"] == answer["message_id"]
    assert (message["from"], message["from_user_id"], message["type"]) == ("212600000001", MOROCCAN, "text")
    assert message["text"] == {"body": "Salam, kifash ndir l visa?"}


def test_a_person_without_a_shared_phone_number_has_only_a_bsuid(
    whatsapp: WhatsAppServer, receiver: Receiver
) -> None:
    whatsapp.text(TUNISIAN, "3aslema")
    [received] = receiver.posts(1)
    contact = value(received)["contacts"][0]
    message = value(received)["messages"][0]
    assert "wa_id" not in contact and "from" not in message
    assert contact["user_id"] == message["from_user_id"] == TUNISIAN


@pytest.mark.parametrize(
    ("kind", "extra", "wire_type", "check"),
    [
        ("button_reply", {"id": "menu:visa", "title": "Visa"}, "interactive", "button_reply"),
        (
            "list_reply",
            {"id": "lang:ar", "title": "Darija", "description": "الدارجة"},
            "interactive",
            "list_reply",
        ),
        ("button", {"payload": "STOP", "text": "Stop"}, "button", "payload"),
        ("voice", {}, "audio", "voice"),
        ("image", {"caption": "passport"}, "image", "caption"),
        ("sticker", {}, "sticker", "mime_type"),
        ("location", {"name": "Casablanca"}, "location", "latitude"),
        ("contacts", {}, "contacts", None),
        ("reaction", {"message_id": "wamid.X="}, "reaction", "emoji"),
        ("unknown", {}, "unsupported", None),
    ],
)
def test_every_kind_of_message_is_delivered(
    whatsapp: WhatsAppServer,
    receiver: Receiver,
    kind: str,
    extra: dict[str, Any],
    wire_type: str,
    check: str | None,
) -> None:
    assert whatsapp.play(kind, MOROCCAN, **extra)["status"] == 200
    [message] = value(receiver.posts(1)[0])["messages"]
    assert message["type"] == wire_type
    body = message[wire_type]
    if wire_type == "interactive":
        assert body["type"] == check and body[check]["id"] == extra["id"]
    elif check is not None:
        assert check in body
    if kind == "voice":
        assert body["voice"] is True
    if kind == "unknown":
        assert message["errors"][0]["code"] == 131051


def test_a_button_press_quotes_the_message_it_answers(whatsapp: WhatsAppServer, receiver: Receiver) -> None:
    shown = send(whatsapp, text_to(MOROCCAN)).json()["messages"][0]["id"]
    whatsapp.press(MOROCCAN, "yes")
    message = value(receiver.posts(1)[0])["messages"][0]
    assert message["context"] == {"from": "15550783881", "id": shown}


def test_raw_bodies_go_signed_unsigned_or_forged_and_the_bots_answer_is_reported(
    whatsapp: WhatsAppServer, receiver: Receiver
) -> None:
    receiver.status = 403
    assert whatsapp.raw("{not json", signature="signed") == 403
    assert whatsapp.raw({"object": "x"}, signature="unsigned") == 403
    assert whatsapp.raw("{}", signature="forged") == 403
    assert whatsapp.raw("{}", signature="sha256=00") == 403
    signed, unsigned, forged, explicit = receiver.posts(4)
    assert signed.body == b"{not json"
    good = "sha256=" + hmac.new(whatsapp.app_secret.encode(), signed.body, hashlib.sha256).hexdigest()
    assert signed.headers["X-Hub-Signature-256"] == good
    assert "X-Hub-Signature-256" not in unsigned.headers
    right = "sha256=" + hmac.new(whatsapp.app_secret.encode(), b"{}", hashlib.sha256).hexdigest()
    assert forged.headers["X-Hub-Signature-256"] not in (right, "")
    assert explicit.headers["X-Hub-Signature-256"] == "sha256=00"


def test_a_webhook_can_be_delivered_again_byte_for_byte(whatsapp: WhatsAppServer, receiver: Receiver) -> None:
    whatsapp.text(MOROCCAN, "once")
    assert whatsapp.replay() == 200
    first, again = receiver.posts(2)
    assert first.body == again.body
    assert first.headers["X-Hub-Signature-256"] == again.headers["X-Hub-Signature-256"]


def test_the_verification_handshake_returns_the_bots_answer(
    whatsapp: WhatsAppServer, receiver: Receiver
) -> None:
    assert whatsapp.verify(challenge="424242") == {"status": 200, "body": "424242"}
    assert whatsapp.verify(verify_token="wrong")["status"] == 403
    first = receiver.requests[0]
    assert first.method == "GET" and first.query["hub.mode"] == ["subscribe"]


def test_statuses_for_a_sent_message_carry_the_person_and_failures_their_code(
    whatsapp: WhatsAppServer, receiver: Receiver
) -> None:
    whatsapp.text(MOROCCAN, "hi", wa_id="212600000001")
    sent_id = send(whatsapp, text_to(MOROCCAN)).json()["messages"][0]["id"]
    assert whatsapp.status(sent_id, "delivered") == 200
    assert whatsapp.status(sent_id, "failed", code=131047) == 200
    _, delivered, failed = receiver.posts(3)
    [entry] = value(delivered)["statuses"]
    assert (entry["id"], entry["status"], entry["recipient_user_id"], entry["recipient_id"]) == (
        sent_id,
        "delivered",
        MOROCCAN,
        "212600000001",
    )
    assert value(delivered)["contacts"][0]["user_id"] == MOROCCAN
    [entry] = value(failed)["statuses"]
    assert entry["status"] == "failed" and entry["errors"][0]["code"] == 131047
    assert "contacts" not in value(failed)


def test_many_statuses_go_at_once_with_the_bots_acknowledgement_times(
    whatsapp: WhatsAppServer, receiver: Receiver
) -> None:
    ids = [send(whatsapp, text_to(f"MA.{2000 + n}")).json()["messages"][0]["id"] for n in range(20)]
    figures = whatsapp.statuses(ids, "delivered", concurrency=10)
    assert (figures["sent"], figures["answers"]) == (20, {"200": 20})
    assert 0 < figures["ack_ms"]["p50"] <= figures["ack_ms"]["p99"] <= figures["ack_ms"]["max"]
    delivered = sorted(value(r)["statuses"][0]["id"] for r in receiver.posts(20))
    assert delivered == sorted(ids)


def test_auto_statuses_follow_every_message_the_bot_sends(
    whatsapp: WhatsAppServer, receiver: Receiver
) -> None:
    whatsapp.auto_status("sent", "delivered")
    sent_id = send(whatsapp, text_to(TUNISIAN)).json()["messages"][0]["id"]
    statuses = [value(r)["statuses"][0] for r in receiver.posts(2)]
    assert [(s["id"], s["status"]) for s in statuses] == [(sent_id, "sent"), (sent_id, "delivered")]
    assert statuses[0]["conversation"]["origin"]["type"] == "service"


def test_an_asynchronous_failure_is_accepted_then_reported_by_webhook(
    whatsapp: WhatsAppServer, receiver: Receiver
) -> None:
    whatsapp.fail(131047, mode="async")
    reply = send(whatsapp, text_to(MOROCCAN))
    assert reply.status_code == 200
    [failed] = receiver.posts(1)
    [entry] = value(failed)["statuses"]
    assert (entry["id"], entry["status"]) == (reply.json()["messages"][0]["id"], "failed")
    assert entry["errors"][0]["code"] == 131047


def test_ask_measures_the_round_trip_to_the_bots_first_reply(
    whatsapp: WhatsAppServer, receiver: Receiver
) -> None:
    def reply(received: Received) -> None:
        person = value(received)["messages"][0]["from_user_id"]
        threading.Thread(target=send, args=(whatsapp, text_to(person, "Marhba!"))).start()

    receiver.on_post = reply
    answer = whatsapp.ask(MOROCCAN, "Salam", timeout=10)
    assert answer["ok"] is True and answer["status"] == 200
    assert 0 < answer["round_trip"] < 5
    assert whatsapp.wait_for(MOROCCAN, 1)[0]["text"] == {"body": "Marhba!"}
    receiver.on_post = None
    assert whatsapp.ask(TUNISIAN, "no answer", timeout=0.3) == {
        "ok": False,
        "status": 200,
        "round_trip": None,
    }
