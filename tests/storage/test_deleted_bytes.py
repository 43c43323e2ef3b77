"""Deletion is deletion: after delete-my-data, the raw bytes of the SQLite files hold nothing of the person.

Without secure deletion the freed cells keep the rows in the database file; without a checkpoint the
write-ahead log keeps the pages from before the deletion. Both are scanned here, byte for byte.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import make_url

from bot.app import open_database
from bot.settings import ROOT, Settings
from bot.storage import consents, personal_data, unanswered, users
from bot.storage.db import make_engine
from bot.storage.models import RASA_EVENTS

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)
MARKER = "quokka-marker-5y7ww3"
PHONE = "+212 661 734 905"


def database_files(database_url: str) -> dict[str, bytes]:
    """The raw bytes of the database file, its write-ahead log and its shared-memory index."""
    path = Path(str(make_url(database_url).database))
    return {
        suffix or ".db": Path(f"{path}{suffix}").read_bytes()
        for suffix in ("", "-wal", "-shm")
        if Path(f"{path}{suffix}").exists()
    }


def traces(database_url: str, needles: list[str]) -> list[str]:
    """Which of ``needles`` (as UTF-8) occur in which file."""
    found = []
    for name, data in database_files(database_url).items():
        found += [f"{needle!r} in {name}" for needle in needles if needle.encode("utf-8") in data]
    return found


def test_forgotten_person_leaves_no_bytes_in_the_database_or_its_log(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'mentor.db'}"
    settings = dataclasses.replace(Settings.from_env({}), database_url=url, model_dir=ROOT / "models")
    database = open_database(settings)
    RASA_EVENTS.metadata.create_all(database.engine)
    with database.session() as session:
        kept = users.get_or_create(session, "telegram", "111111", NOW)
        unanswered.record(session, kept.id, "a question that stays", "fr", None, None, NOW)
        gone = users.get_or_create(session, "telegram", "987654321", NOW)
        consents.record(session, gone.id, "news", True, NOW)
        unanswered.record(session, gone.id, f"{MARKER} call me on {PHONE}", "fr", None, None, NOW)
        session.execute(insert(RASA_EVENTS).values(sender_id=gone.id, timestamp=1.0))
        gone_id = gone.id
    needles = [gone_id, "987654321", MARKER, PHONE]
    assert traces(url, needles), "the scan must see the person before the deletion"
    database.checkpoint()  # an old conversation: its rows are in the database file itself, not the log
    assert any(".db" in found for found in traces(url, needles))

    with database.session() as session:
        personal_data.forget(session, gone_id)
    assert database.checkpoint()

    assert traces(url, needles) == []
    assert traces(url, ["a question that stays"]), "another person's data must stay"
    database.engine.dispose()


def test_every_sqlite_connection_overwrites_what_it_deletes(tmp_path: Path) -> None:
    """Our engine and Rasa's tracker-store engine both get ``tune_sqlite``; some SQLite builds default to
    secure deletion (Debian's), others do not, so it is set on every connection."""
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()
