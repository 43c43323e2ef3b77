"""Console figures for ``mentor bench``: each main page of the staff console, fetched over HTTP from the
real console app under uvicorn, on an SQLite file of 100,000 people.

The database holds what makes the pages work: the people of ``broadcast_bench.seed`` (consents, channels,
languages), one approved broadcast to all of them whose outbox rows are partly sent, delivered, read and
failed (so its figures have data), a campaign with contacts over two weeks, and a few hundred audit rows.
A member with every role logs in as a browser does (the CSRF token from the login form); each page is
then fetched ``rounds`` times. Run alone: ``python -m bot.evaluation.console_bench`` or
``mentor bench --only-console``.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import update

from bot import app
from bot.evaluation import broadcast_bench
from bot.evaluation.timing import ms, percentile
from bot.settings import Secret, Settings
from bot.staff.accounts import StaffAccounts
from bot.staff.audit_log import AuditLog
from bot.staff.broadcasts import Broadcasts
from bot.staff.campaigns import Campaigns
from bot.storage.broadcast_models import CampaignContact
from bot.storage.db import Database, checkpoint, chunked
from bot.storage.models import OutboxMessage
from bot.web.app import web_app
from bot.web.server import bind

PEOPLE = 100_000
ROUNDS = 30
AUDIT_ROWS = 300
TARGET_P95_MS = 200.0
PASSWORD = "bench password for the console"
CAMPAIGN = "bench-spring"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclasses.dataclass(frozen=True)
class Seeded:
    """What the pages are asked about."""

    broadcast_id: int
    campaign: str
    email: str


def seed(database: Database, settings: Settings, people: int, now: datetime) -> Seeded:
    """``people`` reached by one approved broadcast (plus 2% it leaves out), its outbox partly gone, a
    campaign with contacts, and audit rows; the staff through ``StaffAccounts``."""
    broadcast_bench.seed(database, people, max(1, people // 50), now)
    accounts = StaffAccounts(database, lambda: now)
    admin = accounts.add("bench-admin@example.org", ["admin", "broadcaster"], PASSWORD, by="cli")
    approver = accounts.add("bench-approver@example.org", ["approver"], PASSWORD, by="cli")
    tools = Broadcasts(database, lambda: now, {"art27.visa"}, "fr", settings.delivery)
    texts = {language: f"Bench text in {language}." for language in ("fr", "ary", "ar")}
    made = tools.create(admin, "bench", "consent=news", texts, buttons=["art27.visa"])
    tools.approve(approver, made.id)
    _progress(database, now)
    campaign = Campaigns(database, lambda: now, "fr").create(admin, CAMPAIGN, "Bench spring campaign")
    contacts = [
        {"campaign_id": campaign.id, "user_id": f"b{n:07d}", "at": now - timedelta(days=n % 14),
         "first": int(n % 4 == 0)}
        for n in range(0, people, 10)
    ]  # fmt: skip
    with database.session() as session:
        for chunk in chunked(contacts, 5000):
            session.execute(CampaignContact.__table__.insert(), list(chunk))
    audit = AuditLog(database, lambda: now)
    for n in range(AUDIT_ROWS):
        audit.record(admin, "bench.action", "broadcast", made.id, step=n)
    return Seeded(made.id, CAMPAIGN, admin.email)


def _progress(database: Database, now: datetime) -> None:
    """Most of the outbox gone over 30 minutes: sent (some delivered or read), failed, the rest pending."""
    row = OutboxMessage.__table__.c
    share = row.id % 100
    with database.session() as session:

        def mark(*where: Any, **values: Any) -> None:
            session.execute(update(OutboxMessage.__table__).where(*where).values(**values))

        for minute in range(30):
            at = now - timedelta(minutes=30 - minute)
            mark(share < 60, row.id % 30 == minute, status="sent", sent_at=at)
        mark(share < 20, row.channel == "whatsapp", delivery_status="read")
        mark(share >= 20, share < 35, row.channel == "whatsapp", delivery_status="delivered")
        mark(share >= 60, share < 63, status="failed", last_error="blocked by the person")


def pages(seeded: Seeded) -> dict[str, str]:
    """The main pages by name → path."""
    broadcast = f"/console/broadcasts/{seeded.broadcast_id}"
    return {
        "home": "/console/",
        "broadcasts": "/console/broadcasts",
        "broadcast": broadcast,
        "broadcast_figures": f"{broadcast}/figures",
        "broadcast_figures_csv": f"{broadcast}/figures.csv",
        "campaigns": "/console/campaigns",
        "campaign": f"/console/campaigns/{seeded.campaign}",
        "staff": "/console/staff",
        "audit": "/console/audit",
    }


@contextmanager
def serving(settings: Settings, database: Database) -> Iterator[str]:
    """The console as ``mentor console`` serves it, under uvicorn in a thread on a free port; its URL."""
    sock = bind("127.0.0.1", 0)
    config = uvicorn.Config(
        web_app([app.console(settings, database)], database.answers),
        log_config=None, access_log=False, lifespan="off", ws="none",
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the console did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def log_in(client: httpx.Client, email: str) -> None:
    """Log in as a browser does: the login form's CSRF token, then the form."""
    form = client.get("/console/login")
    found = CSRF.search(form.text)
    if found is None:
        raise RuntimeError("the login page has no CSRF token")
    fields = {"csrf": found.group(1), "email": email, "password": PASSWORD}
    answer = client.post("/console/login", data=fields)
    if answer.status_code != 303 or "/login" in answer.headers.get("location", ""):
        raise RuntimeError(f"logging in failed: {answer.status_code}")


def measure(settings: Settings, people: int = PEOPLE, rounds: int = ROUNDS) -> dict[str, Any]:
    """p50, p95 and max per page (ms, wall clock at the client), and the p95 over every request."""
    now = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory() as folder:
        bench = dataclasses.replace(
            settings, database_url=f"sqlite:///{Path(folder) / 'console.db'}",
            console_secret=Secret("console-bench-" + "k" * 40),
        )  # fmt: skip
        database = app.open_database(bench)
        started = time.perf_counter()
        seeded = seed(database, bench, people, now)
        checkpoint(database.engine)  # the seed's write-ahead log into the file, as a database in use has it
        seed_s = time.perf_counter() - started
        times: dict[str, list[float]] = {name: [] for name in pages(seeded)}
        with serving(bench, database) as url, httpx.Client(base_url=url, timeout=60) as client:
            log_in(client, seeded.email)
            for name, path in pages(seeded).items():
                client.get(path).raise_for_status()  # warm-up, not counted
                for _ in range(rounds):
                    t0 = time.perf_counter()
                    client.get(path).raise_for_status()
                    times[name].append(time.perf_counter() - t0)
        database.engine.dispose()
    every = [t for page in times.values() for t in page]
    return {
        "people": people + max(1, people // 50),
        "broadcast_recipients": people,
        "rounds": rounds,
        "seed_s": round(seed_s, 1),
        "pages_ms": {
            name: {"p50": ms(percentile(t, 0.5), 1), "p95": ms(percentile(t, 0.95), 1), "max": ms(max(t), 1)}
            for name, t in times.items()
        },
        "overall_p95_ms": ms(percentile(every, 0.95), 1),
        "target_p95_ms": TARGET_P95_MS,
        "database": "SQLite file",
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(measure(Settings.from_env()), indent=2) + "\n")
