"""Call alerts: one when a call opens and one before it closes, for subscribers only, never twice."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select

from bot.core.commands import Commands
from bot.core.messages import InboundMessage
from bot.core.render import Renderer
from bot.storage import consents, users
from bot.storage.db import Database
from bot.storage.models import OutboxMessage
from knowledge import loader
from knowledge.calls import CallsFile
from knowledge.model import KnowledgeBase
from scheduler.call_alerts import plan_alerts
from scheduler.reminders import Planner
from scheduler.timing import QuietHours

OPENS = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)
CALL = """
calls:
  - id: mentor3-tangier-2027
    programme: MENTOR 3
    title: {fr: "MENTOR 3 Tanger", ar: "منتور 3 طنجة", en: "MENTOR 3 Tangier", it: "MENTOR 3 Tangeri"}
    audience: {countries: [MA], cities: [Tanger]}
    opens: 2027-03-01 10:00
    closes: 2027-03-31 23:59
    timezone: Africa/Casablanca
    url: https://example.org/mentor3
"""


def _people(database: Database, now: datetime) -> dict[str, str]:
    """A Moroccan subscriber, a Tunisian subscriber, someone who unsubscribed, someone who never did."""
    ids = {}
    with database.session() as session:
        for name, country, decisions in [
            ("moroccan", "MA", [True]),
            ("tunisian", "TN", [True]),
            ("left", "MA", [True, False]),
            ("never", "MA", []),
        ]:
            person = users.get_or_create(session, "telegram", name, now)
            person.country = country
            for granted in decisions:
                consents.record(session, person.id, "news", granted, now)
            ids[name] = person.id
    return ids


def _alerts(database: Database) -> list[tuple[str, str]]:
    with database.session() as session:
        rows = session.execute(select(OutboxMessage.user_id, OutboxMessage.dedupe_key)).all()
    return sorted((user, key.split(":")[2]) for user, key in rows)


def test_subscribers_hear_once_when_a_call_opens_and_before_it_closes(
    database: Database, knowledge: KnowledgeBase, tmp_path: Path
) -> None:
    calls_file = tmp_path / "calls.yml"
    calls_file.write_text(CALL, encoding="utf-8")
    calls = CallsFile(loader.load_calls(calls_file)[0], calls_file)
    people = _people(database, OPENS)
    quiet = QuietHours()

    def run(now: datetime) -> int:
        with database.session() as session:
            return plan_alerts(session, now, calls.current(), (7, 1), quiet, "Africa/Casablanca")

    assert run(OPENS - timedelta(hours=2)) == 0  # not open yet
    assert run(OPENS + timedelta(hours=1)) == 1
    assert run(OPENS + timedelta(days=2)) == 0
    assert _alerts(database) == [(people["moroccan"], "opened")]

    calls_file.write_text(CALL.replace("MENTOR 3 Tanger", "MENTOR 3 Tanger (edited)"), encoding="utf-8")
    assert run(OPENS + timedelta(days=3)) == 0  # an edited and reloaded file sends nothing again
    assert run(datetime(2027, 3, 25, 12, tzinfo=timezone.utc)) == 1  # 7 days before
    assert run(datetime(2027, 3, 31, 8, tzinfo=timezone.utc)) == 1  # the last day
    assert run(datetime(2027, 3, 31, 9, tzinfo=timezone.utc)) == 0
    assert _alerts(database) == sorted(
        [(people["moroccan"], "opened"), (people["moroccan"], "closes-7d"), (people["moroccan"], "closes-1d")]
    )
    assert run(datetime(2027, 4, 2, tzinfo=timezone.utc)) == 0  # closed


def test_an_alert_is_written_in_the_subscribers_language_when_it_is_sent(
    knowledge: KnowledgeBase, tmp_path: Path
) -> None:
    calls_file = tmp_path / "calls.yml"
    calls_file.write_text(CALL, encoding="utf-8")
    calls = CallsFile(loader.load_calls(calls_file)[0], calls_file)
    renderer = Renderer(knowledge, lambda: datetime(2027, 3, 24, 12, tzinfo=timezone.utc), calls.current)
    content = [{"string": "call_closing_intro", "params": {}}, {"open_call": "mentor3-tangier-2027"}]
    intro, details = renderer.render(content, "en")
    assert intro.text == "Reminder: a call you follow closes soon."
    assert "closes in 7 days, on March 31, 2027 at 23:59 (Morocco time)" in details.text
    assert "https://example.org/mentor3" in details.text
    late = Renderer(knowledge, lambda: datetime(2027, 4, 2, tzinfo=timezone.utc), calls.current)
    assert [m.text for m in late.render(content, "en")] == [knowledge.string("call_closing_intro", "en")]


def test_a_broken_edit_of_the_calls_file_keeps_the_calls_it_had(tmp_path: Path) -> None:
    calls_file = tmp_path / "calls.yml"
    shutil.copy(loader.KNOWLEDGE_DIR / "calls.yml", calls_file)
    shipped, _ = loader.load_calls(calls_file)
    calls = CallsFile(shipped, calls_file)
    calls_file.write_text("calls: [{id: broken", encoding="utf-8")
    assert [c.id for c in calls.current()] == [c.id for c in shipped]
    assert dataclasses.asdict(calls.current()[0]) == dataclasses.asdict(shipped[0])


def test_unsubscribing_from_news_cancels_pending_call_alerts(
    database: Database, knowledge: KnowledgeBase, tmp_path: Path
) -> None:
    calls_file = tmp_path / "calls.yml"
    calls_file.write_text(CALL, encoding="utf-8")
    calls = CallsFile(loader.load_calls(calls_file)[0], calls_file)
    evening = OPENS.replace(hour=22)  # 22:00 in Casablanca: the alert waits for the end of quiet hours
    people = _people(database, evening)
    with database.session() as session:
        assert plan_alerts(session, evening, calls.current(), (7, 1), QuietHours(), "Africa/Casablanca") == 1
        [row] = session.execute(select(OutboxMessage)).scalars()
        assert (row.user_id, row.status) == (people["moroccan"], "pending") and row.not_before > evening
    planner = Planner([], QuietHours())
    commands = Commands(database, knowledge, lambda: evening, planner)
    # "stop the news": the button of the unsubscribe question, or a yes to it, runs this command
    commands.run(
        people["moroccan"], InboundMessage("telegram", "moroccan", "consent", "command", argument="news off")
    )
    with database.session() as session:
        [row] = session.execute(select(OutboxMessage)).scalars()
        assert (row.status, row.last_error) == ("cancelled", "the person withdrew consent to news")
        assert plan_alerts(session, evening, calls.current(), (7, 1), QuietHours(), "Africa/Casablanca") == 0
