"""The mentors' desk without the model: queues oldest first with the time waited, overdue past the team's
first-response target, and the CLI's queue lines that make overdue tickets stand out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.staff.accounts import CLI_ACTOR, StaffAccounts
from bot.staff.tickets import TicketDesk
from bot.storage import tickets, users
from bot.storage.db import Database, make_engine, upgrade_schema
from bot.ticket_commands import _row
from knowledge import loader, teams
from tests.clock import Clock

OPENED = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock() -> Clock:
    return Clock(OPENED)


@pytest.fixture
def desk(tmp_path: Path, clock: Clock) -> Iterator[TicketDesk]:
    engine = make_engine(f"sqlite:///{tmp_path / 'tickets.db'}")
    upgrade_schema(engine)
    database = Database(engine)
    loaded = teams.load(list(loader.load()[0].entries))
    yield TicketDesk(database, loaded, teams.load_saved_replies(), clock)
    engine.dispose()


def _open(desk: TicketDesk, external_id: str, team: str, opened: datetime) -> int:
    with desk.database.session() as session:
        person = users.get_or_create(session, "telegram", external_id, opened)
        ticket = tickets.create(
            session, user_id=person.id, team=team, source="asked", channel="telegram", language="fr",
            opened_at=opened,
        )  # fmt: skip
        return int(ticket.id)


def test_the_queue_is_oldest_first_and_overdue_past_the_target(desk: TicketDesk, clock: Clock) -> None:
    newer = _open(desk, "1", "tunis-sfax", OPENED)
    older = _open(desk, "2", "tunis-sfax", OPENED - timedelta(hours=2))
    _open(desk, "3", "casablanca-benimellal", OPENED - timedelta(hours=5))
    StaffAccounts(desk.database, clock).add("m@example.org", ["mentor"], "correct horse battery", CLI_ACTOR)
    desk.add_member(None, "m@example.org", "tunis-sfax")
    mentor = StaffAccounts(desk.database, clock).require("m@example.org", "mentor")
    clock.now = OPENED + timedelta(hours=23)
    queue = desk.queue(mentor)
    assert [t.id for t in queue] == [older, newer]  # only their team's, oldest first
    assert [t.waited for t in queue] == [timedelta(hours=25), timedelta(hours=23)]
    assert [t.overdue for t in queue] == [True, False]  # Tunis–Sfax answers within 24 hours
    assert _row(queue[0]).split("\t")[:4] == [f"#{older}", "OVERDUE", "tunis-sfax", "waited 1d01h00m"]
    desk.reply(mentor, older, saved="looking_into_it")
    answered = desk.queue(mentor)[0]
    assert answered.answered and not answered.overdue and answered.waited == timedelta(hours=25)
    assert len(desk.queue(None)) == 3  # the operator at the terminal sees every team
