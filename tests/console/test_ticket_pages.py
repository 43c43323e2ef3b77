"""The mentors' ticket pages over a real socket, with plain form posts: a mentor sees only their teams'
queue, oldest first with the time waited and overdue marked; a ticket's page shows the conversation
escaped and with phone numbers masked; reply (free text or saved), note, pass and close each do what the
desk does, with CSRF required; a curator gets 403 and a ticket of another team is a 404."""

from __future__ import annotations

from contextlib import closing
from datetime import timedelta

import httpx
from sqlalchemy import select

from bot.storage import tickets, users
from bot.storage.models import OutboxMessage
from tests.console.conftest import PASSWORD, Console, csrf_of

EVIL = "<script>alert('x')</script> mon numéro 0661734905"


def _open(console: Console, external: str, team: str, hours_ago: float, said: str = "") -> int:
    now = console.clock()
    with console.database.session() as session:
        person = users.get_or_create(session, "telegram", external, now)
        ticket = tickets.create(
            session, user_id=person.id, team=team, source="asked", channel="telegram", language="fr",
            country="TN", topic="art27.visa", opened_at=now - timedelta(hours=hours_ago),
        )  # fmt: skip
        if said:
            tickets.add_message(session, ticket.id, "person", said, now - timedelta(hours=hours_ago))
        return int(ticket.id)


def _mentor(console: Console, email: str, team: str) -> None:
    """A mentor's account in ``team``."""
    account = console.accounts.add(email, ["mentor"], PASSWORD, by="cli")
    with console.database.session() as session:
        tickets.add_member(session, account.id, team, console.clock())


def _logged_in(console: Console, email: str) -> tuple[httpx.Client, str]:
    client = console.client()
    assert console.log_in(client, email).status_code == 303
    return client, csrf_of(client.get("/console/").text)


def test_a_mentor_works_a_ticket_of_their_team_through_plain_forms(console: Console) -> None:
    newer = _open(console, "71001", "tunis-sfax", 2, EVIL)
    older = _open(console, "71002", "tunis-sfax", 30)
    other = _open(console, "71003", "casablanca-benimellal", 40)
    _mentor(console, "tarek@example.org", "tunis-sfax")
    tarek, token = _logged_in(console, "tarek@example.org")
    with closing(tarek):
        assert 'href="/console/tickets"' in tarek.get("/console/").text
        queue = tarek.get("/console/tickets").text
        assert queue.index(f"#{older}<") < queue.index(f"#{newer}<") and f"#{other}<" not in queue
        assert queue.count('class="tag overdue"') == 1  # 30 h past Tunis–Sfax's 24-hour target
        assert "1 d 6 h 00 min" in queue and "0 d 2 h 00 min" in queue
        assert tarek.get(f"/console/tickets/{other}").status_code == 404  # another team's
        page = tarek.get(f"/console/tickets/{newer}").text
        assert "<script>alert" not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
        assert "0661734905" not in page and "TN" in page and "art27.visa" in page and "Tunis–Sfax" in page

        assert tarek.post(f"/console/tickets/{newer}/reply", data={"text": "Bonjour"}).status_code == 403
        empty = tarek.post(f"/console/tickets/{newer}/reply", data={"csrf": token, "text": "  "})
        assert empty.status_code == 400 and "write something" in empty.text
        reply = {"csrf": token, "text": "Bonjour <b>!</b>"}
        sent = tarek.post(f"/console/tickets/{newer}/reply", data=reply)
        assert sent.status_code == 303 and sent.headers["location"].endswith("?done=replied")
        saved = tarek.post(
            f"/console/tickets/{newer}/reply", data={"csrf": token, "saved": "looking_into_it"}
        )
        assert saved.status_code == 303
        noted = tarek.post(f"/console/tickets/{newer}/note", data={"csrf": token, "text": "à rappeler"})
        assert noted.status_code == 303
        page = tarek.get(f"/console/tickets/{newer}?done=noted").text
        assert "Bonjour &lt;b&gt;!&lt;/b&gt;" in page and "à rappeler" in page and "Note added." in page
        assert "answered" not in tarek.get("/console/tickets").text.split(f"#{older}<")[1].split("</tr>")[0]

        closed = tarek.post(f"/console/tickets/{newer}/close", data={"csrf": token})
        assert closed.status_code == 303
        assert "Ticket closed" in tarek.get(closed.headers["location"]).text
        again = tarek.post(f"/console/tickets/{newer}/close", data={"csrf": token})
        assert again.status_code == 400 and "is closed" in again.text
        passed = tarek.post(f"/console/tickets/{older}/pass", data={"csrf": token, "team": "milano-torino"})
        assert passed.status_code == 303
        assert f"#{older}<" not in tarek.get("/console/tickets").text  # now Milano–Torino's
        assert tarek.get(f"/console/tickets/{older}").status_code == 404
    with console.database.session() as session:
        kinds = [i.kind for i in session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars()]
    assert len(kinds) == 3  # two replies and the closing message, through the outbox
    actions = [a for _, a in console.actions() if a.startswith("ticket.")]
    assert actions.count("ticket.reply") == 2
    assert {"ticket.read", "ticket.note", "ticket.close", "ticket.pass"} <= set(actions)


def test_a_curator_cannot_read_tickets_and_a_mentor_cannot_review(console: Console) -> None:
    ticket = _open(console, "71009", "tunis-sfax", 1, "Aslema")
    console.accounts.add("cora@example.org", ["curator"], PASSWORD, by="cli")
    _mentor(console, "tarek@example.org", "tunis-sfax")
    cora, token = _logged_in(console, "cora@example.org")
    with closing(cora):
        for method, path in (
            ("GET", "/console/tickets"), ("GET", f"/console/tickets/{ticket}"),
            ("POST", f"/console/tickets/{ticket}/reply"),
        ):  # fmt: skip
            answer = cora.request(method, path, data={"csrf": token, "text": "x"})
            assert answer.status_code == 403 and "Aslema" not in answer.text
        assert 'href="/console/tickets"' not in cora.get("/console/").text
    tarek, token = _logged_in(console, "tarek@example.org")
    with closing(tarek):
        for method, path in (
            ("GET", "/console/review"), ("GET", "/console/knowledge"),
            ("POST", "/console/review/1/out-of-scope"), ("POST", "/console/knowledge/checked"),
        ):  # fmt: skip
            assert tarek.request(method, path, data={"csrf": token}).status_code == 403, path
    assert not [a for _, a in console.actions() if a.startswith(("ticket.", "review.", "kb."))]
