"""Knowledge upkeep: what is due for re-checking, a check written into the entry's own dates and audited,
and calls about to open or close; on a copy of the real knowledge base."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bot.staff.accounts import Staff
from bot.staff.errors import StaffError
from bot.staff.upkeep import Upkeep, calls_moving, due
from bot.storage.db import Database, make_engine, upgrade_schema
from bot.storage.staff_models import AuditEntry
from knowledge import loader

CURATOR = Staff(1, "curator@example.org", frozenset({"curator"}), "en")
NOW = datetime(2027, 2, 10, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    shutil.copytree(loader.KNOWLEDGE_DIR, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return root


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    engine = make_engine(f"sqlite:///{tmp_path / 'upkeep.db'}")
    upgrade_schema(engine)
    yield Database(engine)
    engine.dispose()


def _dates(root: Path, entry_id: str) -> tuple[date, date]:
    entry = loader.load(root)[0].entries[entry_id]
    return entry.checked, entry.recheck_by


def test_due_lists_past_and_near_recheck_dates_with_sources(knowledge: Path) -> None:
    entries = loader.load(knowledge)[0].entries.values()
    soonest = min(e.recheck_by for e in entries)
    listed = due(soonest - timedelta(days=10), days=10, root=knowledge)
    assert listed and {d.recheck_by for d in listed} == {soonest}
    assert all(d.days_left == 10 and d.sources for d in listed)
    overdue = due(soonest + timedelta(days=1), days=0, root=knowledge)
    assert {d.id for d in overdue} == {d.id for d in listed} and overdue[0].days_left == -1
    assert due(soonest - timedelta(days=11), days=10, root=knowledge) == []


def test_a_check_moves_both_dates_keeping_the_interval_and_is_audited(
    knowledge: Path, database: Database
) -> None:
    checked, recheck_by = _dates(knowledge, "art27.permit")
    before = (knowledge / "entries" / "art27.permit.yml").read_text(encoding="utf-8")
    done = Upkeep(database, lambda: NOW, knowledge).record_checked(CURATOR, "art27.permit")
    assert (done.checked, done.recheck_by) == (NOW.date(), NOW.date() + (recheck_by - checked))
    assert _dates(knowledge, "art27.permit") == (done.checked, done.recheck_by)
    after = (knowledge / "entries" / "art27.permit.yml").read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert [b.split(":")[0] for _, b in changed] == ["checked", "recheck_by"]
    assert "art27.permit" not in {d.id for d in due(NOW.date(), 30, knowledge)}
    with database.session() as session:
        [entry] = session.execute(select(AuditEntry)).scalars()
    assert (entry.actor, entry.action, entry.object_id) == (CURATOR.email, "kb.checked", "art27.permit")


def test_refusals_name_the_field(knowledge: Path, database: Database) -> None:
    upkeep = Upkeep(database, lambda: NOW, knowledge)
    with pytest.raises(StaffError, match="^entry: 'art27.nothing' is not an entry id"):
        upkeep.record_checked(CURATOR, "art27.nothing")
    with pytest.raises(StaffError, match="^by: m@example.org is not a curator"):
        upkeep.record_checked(Staff(2, "m@example.org", frozenset({"mentor"}), "en"), "art27.permit")
    with pytest.raises(StaffError, match="^date: "):
        upkeep.record_checked(CURATOR, "art27.permit", NOW.date() + timedelta(days=1))
    with pytest.raises(StaffError, match="^days: "):
        due(NOW.date(), -1, knowledge)


def test_calls_about_to_open_or_close(knowledge: Path) -> None:
    path = knowledge / "calls.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    soon = dict(data["calls"][0], id="test-call", opens="2027-02-15 09:00", closes="2027-03-20 23:59")
    data["calls"].append(soon)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    moves = calls_moving(NOW, 30, knowledge)
    assert [(m.id, m.event, m.days_left) for m in moves] == [("test-call", "opens", 4)]
    assert [(m.id, m.event) for m in calls_moving(NOW, 60, knowledge)] == [
        ("test-call", "opens"),
        ("test-call", "closes"),
    ]
