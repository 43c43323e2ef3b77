"""The console served over a real socket (uvicorn in a thread) on an SQLite file, with a clock the tests move,
and an httpx client that logs in the way a browser does."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from bot import app
from bot.settings import Secret, Settings
from bot.staff.accounts import StaffAccounts
from bot.storage.db import Database, make_engine, upgrade_schema
from bot.storage.staff_models import AuditEntry
from bot.web.app import web_app
from bot.web.server import bind
from tests.clock import Clock

SECRET = "a-test-key-that-signs-console-cookies-0123456789"
PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Console:
    """The running console and what the tests need beside it."""

    url: str
    accounts: StaffAccounts
    clock: Clock
    database: Database

    def client(self) -> httpx.Client:
        """A client that does not follow redirects (the tests look at them)."""
        return httpx.Client(base_url=self.url, timeout=20, follow_redirects=False)

    def log_in(self, client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
        """Open the login page, then post the form with its CSRF token."""
        page = client.get("/console/login")
        return client.post(
            "/console/login", data={"csrf": csrf_of(page.text), "email": email, "password": password}
        )

    def actions(self) -> list[tuple[str, str]]:
        """(actor, action) of every audit row, oldest first."""
        with self.database.session() as session:
            rows = session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
            return [(row.actor, row.action) for row in rows]


def csrf_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@contextmanager
def serving(tmp_path: Path, model_dir: Path | None = None, root: Path | None = None) -> Iterator[Console]:
    """The console alone, as ``mentor console`` serves it, on a free port (no trained model unless
    ``model_dir`` has one; the review loop and upkeep write under ``root`` when given)."""
    url = f"sqlite:///{tmp_path / 'console.db'}"
    engine = make_engine(url)
    upgrade_schema(engine)
    database, clock = Database(engine), Clock(datetime(2027, 1, 10, 9, 0, tzinfo=timezone.utc))
    settings = Settings(database_url=url, model_dir=model_dir or tmp_path, console_secret=Secret(SECRET))
    sock = bind("127.0.0.1", 0)
    config = uvicorn.Config(
        web_app([app.console(settings, database, clock, root=root)], database.answers),
        log_config=None,
        access_log=False,
        lifespan="off",
        ws="none",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the console did not start"
        time.sleep(0.02)
    port = sock.getsockname()[1]
    try:
        yield Console(f"http://127.0.0.1:{port}", StaffAccounts(database, clock), clock, database)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        engine.dispose()


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    """The console alone, without a trained model."""
    with serving(tmp_path) as served:
        yield served
