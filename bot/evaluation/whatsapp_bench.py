"""WhatsApp figures for ``mentor bench``, against the local Graph API fake over real HTTP.

- Round trips: the real ``mentor run`` process on WhatsApp; the fake measures from posting a signed text
  webhook to the bot's first message to that person arriving at ``/messages``. One person after another,
  then 200 people at once (``crowd``), Moroccan and Tunisian BSUIDs.
- Statuses: in the same process, outbox rows sent earlier (their wamids known), then Meta's ``sent``,
  ``delivered`` and ``read`` webhooks for every one, 50 at a time from the fake; accepted per second and
  the bot's acknowledgement times as the fake saw them; none lost means every row ends ``read``.
- Dispatch: the outbox dispatcher in this process through the real WhatsApp sender (pywa, the app's
  connection count and pace) to the fake, which enforces 80 a second (130429) and the pair rate
  (131056, one message every 6 s to one person); then a burst past the limit straight at the fake, to show
  it does refuse.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from bot.app import DISPATCH_CONNECTIONS, open_database, whatsapp_pace
from bot.channels.whatsapp_sender import outbox_sender
from bot.evaluation import crowd, delivery_bench
from bot.evaluation.telegram_harness import fake_server
from bot.evaluation.whatsapp_harness import start_whatsapp_bot
from bot.settings import ROOT, Secret, Settings, WhatsAppSettings
from bot.storage.db import Database
from bot.storage.models import OutboxMessage
from fakes.whatsapp_graph import APP_SECRET, BUSINESS, TOKEN, VERIFY_TOKEN
from fakes.whatsapp_payloads import wamid
from scheduler.dispatcher import Route

API_VERSION = "v23.0"
STATES = ("sent", "delivered", "read")
OUTBOX = OutboxMessage.__table__


@dataclass(frozen=True)
class Sizes:
    """How big each part is (the defaults are the bench's; tests pass small ones)."""

    one_user: int = 100
    people_at_once: crowd.Crowd = field(default_factory=crowd.Crowd)
    statuses: int = 2000
    status_concurrency: int = 50
    dispatch_people: int = 1200
    dispatch_rounds: int = 4  # 4,800 messages: one minute at 80 a second
    rate: float = 80.0


def _person(number: int, text: str) -> dict[str, Any]:
    """What the fake's ``/test/ask`` takes: a BSUID (Moroccan or Tunisian in turn) and a text."""
    country = "MA" if number % 2 == 0 else "TN"
    return {"user_id": f"{country}.{700_000_000 + number}", "text": text}


def _post(client: httpx.Client, url: str, path: str, body: dict[str, Any]) -> Any:
    reply = client.post(f"{url}/test/{path}", json=body, timeout=600)
    reply.raise_for_status()
    return reply.json()


def measure(texts: list[str], sizes: Sizes | None = None) -> dict[str, Any]:
    """Round trips and statuses on one running bot, then the dispatcher's rate."""
    sizes = sizes or Sizes()
    figures: dict[str, Any] = {}
    with fake_server("fakes.whatsapp_graph") as url, tempfile.TemporaryDirectory() as folder:
        bot, webhook = start_whatsapp_bot(f"{url}/{API_VERSION}", Path(folder))
        try:
            with httpx.Client() as client:
                _post(client, url, "webhook", {"url": webhook})
                _post(client, url, "limits", {"enforce": False})
            figures["whatsapp_round_trip"] = crowd.figures(
                url, _person, texts, sizes.one_user, sizes.people_at_once
            )
            figures["whatsapp_statuses"] = _statuses(
                url, open_database(Settings(bot.database_url, ROOT / "models")), sizes
            )
        finally:
            bot.stop()
    figures["whatsapp_dispatch"] = dispatch(sizes)
    return figures


def _statuses(url: str, database: Database, sizes: Sizes) -> dict[str, Any]:
    """Every status of ``sizes.statuses`` sent outbox rows, one state after another."""
    now = datetime.now(timezone.utc)
    people = delivery_bench.add_people(database, sizes.statuses, now, "s", "whatsapp", lambda n: f"MA.{n}")
    # Due in a year, so that the running bot's dispatcher leaves them alone; then marked sent, with wamids.
    delivery_bench.enqueue(database, people, now, "whatsapp", due=now + timedelta(days=365))
    ids = [wamid() for _ in people]
    with database.session() as session:
        rows = session.execute(select(OUTBOX.c.id).order_by(OUTBOX.c.id)).scalars().all()
        for row, message_id in zip(rows, ids, strict=True):
            values = {"status": "sent", "sent_at": now, "platform_message_id": message_id}
            session.execute(OUTBOX.update().where(OUTBOX.c.id == row).values(**values))
    phases = {}
    started = time.perf_counter()
    with httpx.Client() as client:
        for state in STATES:
            body = {"ids": ids, "status": state, "to": "MA.1", "concurrency": sizes.status_concurrency}
            phases[state] = _post(client, url, "status", body)
    elapsed = time.perf_counter() - started
    with database.session() as session:
        read = session.execute(
            select(func.count()).where(OUTBOX.c.delivery_status == "read", OUTBOX.c.read_at.is_not(None))
        ).scalar_one()
    database.engine.dispose()
    accepted = sum(phase["answers"].get("200", 0) for phase in phases.values())
    worst = {share: max(phase["ack_ms"][share] for phase in phases.values()) for share in ("p50", "p99")}
    return {
        "rows": len(ids),
        "webhooks": len(ids) * len(STATES),
        "accepted": accepted,
        "seconds": round(elapsed, 2),
        "accepted_per_second": round(accepted / elapsed, 1),
        "per_state_per_second": {state: round(phase["per_second"], 1) for state, phase in phases.items()},
        "ack_ms": {
            "p50": worst["p50"],
            "p99": worst["p99"],
            "max": max(p["ack_ms"]["max"] for p in phases.values()),
        },
        "rows_read": read,
        "lost": len(ids) - read,
        "concurrency": sizes.status_concurrency,
    }


def _settings(url: str, rate: float) -> WhatsAppSettings:
    return WhatsAppSettings(
        token=Secret(TOKEN),
        phone_number_id=BUSINESS.phone_number_id,
        app_secret=Secret(APP_SECRET),
        verify_token=Secret(VERIFY_TOKEN),
        api_url=f"{url}/{API_VERSION}",
        rate_per_second=rate,
    )


def dispatch(sizes: Sizes | None = None) -> dict[str, Any]:
    """Every person's rounds of due reminders inside their 24-hour window, at the default rate, the fake
    enforcing Meta's limits; then a burst straight at the fake."""
    sizes = sizes or Sizes()
    now = datetime.now(timezone.utc)
    messages = sizes.dispatch_people * sizes.dispatch_rounds
    with tempfile.TemporaryDirectory() as folder, fake_server("fakes.whatsapp_graph") as url:
        database = delivery_bench.scratch_database(
            folder, Settings("sqlite://", ROOT / "models"), "dispatch.db"
        )
        people = delivery_bench.add_people(
            database, sizes.dispatch_people, now, "w", "whatsapp", lambda n: f"TN.{n}"
        )
        delivery_bench.enqueue(database, people, now, "whatsapp", sizes.dispatch_rounds)
        with httpx.Client() as client:
            _post(client, url, "limits", {"per_second": sizes.rate, "pair_seconds": 6, "enforce": True})
            settings = _settings(url, sizes.rate)
            sender = outbox_sender(settings, DISPATCH_CONNECTIONS, set)
            route = Route(sender, whatsapp_pace(settings), settings.daily_limit)
            elapsed, counts = asyncio.run(
                delivery_bench.drain(database, "whatsapp", route, sender, DISPATCH_CONNECTIONS)
            )
            stats = client.get(f"{url}/test/stats").json()
            refused_past_limit = _burst(client, url, int(2 * sizes.rate))
        database.engine.dispose()
    return {
        **delivery_bench.rate(sizes.rate, messages, elapsed, counts),
        "people": sizes.dispatch_people,
        "130429_reported": stats["refused"].get("130429", 0),
        "131056_reported": stats["refused"].get("131056", 0),
        "max_in_one_second": stats["max_per_second"],
        "shortest_gap_to_one_person_s": stats["min_pair_gap"] and round(stats["min_pair_gap"], 2),
        "pair_rate_kept": stats["refused"].get("131056", 0) == 0
        and (stats["min_pair_gap"] is None or stats["min_pair_gap"] >= 6.0),
        "fake_enforces_limit": {"burst": int(2 * sizes.rate), "refused_130429": refused_past_limit},
    }


def _burst(client: httpx.Client, url: str, count: int) -> int:
    """``count`` texts to distinct people as fast as one connection goes: how many the fake refused with
    130429 (a fake that never refuses would make the dispatch figure meaningless)."""
    endpoint = f"{url}/{API_VERSION}/{BUSINESS.phone_number_id}/messages"
    headers = {"Authorization": f"Bearer {TOKEN}"}
    refused = 0
    for n in range(count):
        body = {"messaging_product": "whatsapp", "to": f"MA.9{n}", "type": "text", "text": {"body": "x"}}
        reply = client.post(endpoint, json=body, headers=headers)
        refused += reply.status_code == 400 and reply.json()["error"]["code"] == 130429
    return refused
