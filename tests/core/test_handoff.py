"""The handoff through the real conversation core and trained model: a ticket opens when a person asks for
one, takes the offer after two misses, or presses "I need help"; the bot stays quiet while it is open (STOP,
privacy and delete-my-data still work); replies and closing go through the outbox; closing gives the
conversation back to the bot. The tests' clock is Sunday 22 November 2026, 10:00 UTC: every team is off."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from sqlalchemy import inspect, select, text

from bot.core.handoff import Handoff
from bot.core.messages import InboundMessage
from bot.staff.accounts import CLI_ACTOR, StaffAccounts
from bot.staff.errors import StaffError
from bot.staff.tickets import TicketDesk
from bot.storage.models import HelpRequest, OutboxMessage, User
from bot.storage.staff_models import AuditEntry
from bot.storage.ticket_models import Ticket
from knowledge import teams
from tests.conftest import fixed_clock, press, say

pytestmark = pytest.mark.model
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def desk(bot) -> Iterator[TicketDesk]:
    """The mentors' desk on the bot's database, with a mentor in the Tunis team and one in Casablanca."""
    loaded = teams.load(list(bot.knowledge.entries))
    desk = TicketDesk(bot.database, loaded, teams.load_saved_replies(), fixed_clock)
    accounts = StaffAccounts(bot.database, fixed_clock)
    accounts.add("hand-tunis@example.org", ["mentor"], PASSWORD, CLI_ACTOR)
    accounts.add("hand-casa@example.org", ["mentor"], PASSWORD, CLI_ACTOR)
    accounts.add("hand-curator@example.org", ["curator"], PASSWORD, CLI_ACTOR)
    desk.add_member(None, "hand-tunis@example.org", "tunis-sfax")
    desk.add_member(None, "hand-casa@example.org", "casablanca-benimellal")
    yield desk


def _mentor(bot, email: str):
    return StaffAccounts(bot.database, fixed_clock).require(email, "mentor")


def _user_id(bot, external_id: str) -> str:
    with bot.database.session() as session:
        return str(session.scalar(select(User.id).where(User.external_id == external_id)))


def _ticket(bot, user_id: str) -> Ticket:
    with bot.database.session() as session:
        ticket = session.execute(select(Ticket).where(Ticket.user_id == user_id)).scalar_one()
        session.expunge(ticket)
        return ticket


def _outbox(bot, user_id: str) -> list[OutboxMessage]:
    with bot.database.session() as session:
        rows = session.execute(select(OutboxMessage).where(OutboxMessage.user_id == user_id)).scalars().all()
        for row in rows:
            session.expunge(row)
        return list(rows)


def test_asking_for_a_person_in_derja_opens_a_ticket_for_tunis_and_says_when_it_answers(bot, desk) -> None:
    user = "hand-derja"
    first = say(bot, "chnowa el wra9 mta3 el visa?", user)
    result = say(bot, "n7eb nahki m3a 7ad men l'équipe", user)
    assert result.topic == "contact.human" and result.reply_language == "aeb"
    # Sunday: the Tunis–Sfax team is next at work on Monday at 08:30, Tunis time, said in Derja.
    assert "Tunis–Sfax" in result.reply and "lundi 23 novembre" in result.reply
    assert "08:30" in result.reply and "wa9t Tounes" in result.reply
    user_id = _user_id(bot, user)
    ticket = _ticket(bot, user_id)
    assert (ticket.team, ticket.source, ticket.language, ticket.status) == (
        "tunis-sfax",
        "asked",
        "aeb",
        "open",
    )
    assert ticket.topic == first.topic != "out_of_scope"  # the topic answered last
    view = desk.show(_mentor(bot, "hand-tunis@example.org"), ticket.id)
    authors = [line.author for line in view.lines]
    assert authors[:2] == ["person", "bot"]
    assert view.lines[1].text.split()[:8] == first.reply.split()[:8]  # the bot's answer, as the person saw it
    assert "lundi 23 novembre" in view.lines[-1].text  # what the person was told

    quiet = say(bot, "w zeda 3andi so2al 3al stage, noumrou 0021698765432", user)
    assert quiet.messages == []
    view = desk.show(_mentor(bot, "hand-tunis@example.org"), ticket.id)
    assert view.lines[-1].author == "person" and "so2al 3al stage" in view.lines[-1].text
    assert "98765432" not in view.lines[-1].text  # a phone number the person wrote is masked for mentors

    privacy = say(bot, "/privacy", user)
    assert privacy.topic == "privacy" and privacy.messages  # privacy still answers

    mentor = _mentor(bot, "hand-tunis@example.org")
    desk.reply(mentor, ticket.id, "Aslema, ena mentor. Chnowa so2alek 3al stage?")
    desk.note(mentor, ticket.id, "internal: call back on Monday")
    [queued] = desk.queue(mentor)
    assert queued.id == ticket.id and queued.answered and not queued.overdue
    desk.close(mentor, ticket.id)
    rows = {row.message_key: row for row in _outbox(bot, user_id)}
    assert rows["ticket_reply"].content[1] == {"raw": "Aslema, ena mentor. Chnowa so2alek 3al stage?"}
    assert rows["ticket_reply"].kind == "ticket_reply" and rows["ticket_closed"].status == "pending"

    again = say(bot, "chnowa el wra9 mta3 el visa?", user)
    assert (
        again.topic == first.topic and again.reply.split()[:8] == first.reply.split()[:8]
    )  # the bot is back
    with bot.database.session() as session:
        actions = session.execute(
            select(AuditEntry.action).where(
                AuditEntry.object_type == "ticket", AuditEntry.object_id == str(ticket.id)
            )
        ).scalars()
        assert set(actions) >= {"ticket.read", "ticket.reply", "ticket.note", "ticket.close"}
        details = session.execute(select(AuditEntry.detail)).scalars().all()
    assert not any("stage" in str(detail) or user_id in str(detail) for detail in details)


def test_two_misses_offer_a_person_and_taking_it_opens_a_ticket(bot, desk) -> None:
    user = "hand-fallback"
    say(bot, "qsdkjf qsdlkfj mlkqsjdf", user)
    second = say(bot, "zzkq pplm xxwv", user)
    offered = {b.payload for m in second.messages for b in m.buttons}
    assert "cmd:handoff fallback" in offered, second.reply
    press(bot, "cmd:handoff fallback", user)
    assert _ticket(bot, _user_id(bot, user)).source == "fallback"


def test_stop_and_delete_my_data_work_while_a_ticket_is_open_and_leave_nothing(bot, desk) -> None:
    user = "hand-delete"
    say(bot, "je veux parler à une personne de l'équipe", user)
    user_id = _user_id(bot, user)
    assert _ticket(bot, user_id).status == "open"
    assert say(bot, "stop", user).topic == "action.unsubscribe"
    asked = say(bot, "supprime mes données", user)
    assert asked.messages, "delete-my-data reaches the bot"
    press(bot, "/affirm", user)
    with bot.database.engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            columns = {c["name"] for c in inspect(connection).get_columns(table)}
            for column in ({"user_id", "sender_id", "id", "external_id"} & columns) - (
                {"id"} if table != "users" else set()
            ):
                found = connection.execute(
                    text(f'SELECT count(*) FROM "{table}" WHERE "{column}" IN (:a, :b)'),
                    {"a": user_id, "b": user},
                ).scalar()
                assert found == 0, f"{table}.{column} still holds the person"
        assert connection.execute(select(Ticket).where(Ticket.user_id == user_id)).first() is None


def test_i_need_help_on_a_check_in_opens_a_ticket_passed_on_and_closed_as_handled(bot, desk) -> None:
    user = "hand-checkin"
    say(bot, "salam", user)
    user_id = _user_id(bot, user)
    with bot.database.session() as session:
        session.get(User, user_id).country = "TN"
    pressed = InboundMessage("test", user, "checkin", "command", argument="help return_mentoring.checkin_30")
    assert bot.conversation.commands.run(user_id, pressed).topic == "contact.human"
    ticket = _ticket(bot, user_id)
    assert (ticket.source, ticket.team, ticket.topic) == ("checkin", "tunis-sfax", "return.mentoring")
    tunis, casa = _mentor(bot, "hand-tunis@example.org"), _mentor(bot, "hand-casa@example.org")
    assert ticket.id not in [t.id for t in desk.queue(casa)]  # a mentor sees only their teams' tickets
    with pytest.raises(StaffError, match="no ticket"):
        desk.show(casa, ticket.id)
    desk.pass_to(tunis, ticket.id, "casablanca-benimellal")
    with pytest.raises(StaffError, match="no ticket"):
        desk.reply(tunis, ticket.id, "hello")
    assert ticket.id in [t.id for t in desk.queue(casa)]
    desk.close(casa, ticket.id)
    with pytest.raises(StaffError, match="closed"):
        desk.close(casa, ticket.id)
    with bot.database.session() as session:
        assert session.get(HelpRequest, ticket.help_request_id).handled_at == fixed_clock()


def test_only_mentors_read_tickets(bot, desk) -> None:
    curator = StaffAccounts(bot.database, fixed_clock).require("hand-curator@example.org", "curator")
    with pytest.raises(StaffError, match="not a mentor"):
        desk.queue(curator)
    with pytest.raises(StaffError, match="not a mentor"):
        desk.add_member(None, "hand-curator@example.org", "tunis-sfax")
    with pytest.raises(StaffError, match="team: 'rabat'"):
        desk.add_member(None, "hand-casa@example.org", "rabat")
    with pytest.raises(StaffError, match="text: write something"):
        desk.note(_mentor(bot, "hand-tunis@example.org"), 1, "  ")


def test_within_working_hours_the_person_is_told_the_usual_delay(bot, desk) -> None:
    monday = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)  # 11:00 in Tunis
    handoff = Handoff(bot.database, bot.renderer, desk.teams, lambda: monday)
    user = "hand-monday"
    say(bot, "/start", user)
    user_id = _user_id(bot, user)
    with bot.database.session() as session:
        person = session.get(User, user_id)
        person.country, person.reply_language = "TN", "fr"
    told = bot.renderer.render(handoff.open(user_id, "asked"), "fr")
    assert "Tunis–Sfax" in told[0].text and "24 heures" in told[0].text
