"""The mentors' ticket pages: their teams' queue (oldest first, time waited, overdue marked) and a ticket's
page with its conversation and the forms to reply (free text or a saved reply in the person's language),
add an internal note, pass it to another team and close it.

Everything goes through ``TicketDesk``, which keeps mentors to their teams' tickets, masks phone-like
digits in what people wrote, and audits each reading and action; a ticket outside one's teams is a 404, as
the service gives the same refusal whether it exists or not.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from starlette.responses import Response

from bot.console.pages import PREFIX, Page, View
from bot.staff.errors import StaffError

MENTORS = ("mentor",)
DONE = ("replied", "noted", "passed", "closed")  # the notices a redirect may ask for


def waited(span: timedelta) -> dict[str, int | str]:
    """Days, hours and minutes of a wait, for the catalogue's ``tickets.waited_value``."""
    minutes = int(span.total_seconds() // 60)
    return {"days": minutes // 1440, "hours": minutes // 60 % 24, "minutes": f"{minutes % 60:02d}"}


async def queue(view: View) -> Response:
    """The open tickets of the member's teams, oldest first."""
    assert view.member is not None
    found = await view.call(view.services.tickets.queue, view.member)
    return view.render("tickets.html", tickets=found, waited=waited)


async def ticket_page(view: View, status: int = 200, error: str | None = None) -> Response:
    """One ticket: who, where, the conversation, and the forms."""
    assert view.member is not None
    ticket_id = view.request.path_params["id"]
    try:
        shown = await view.call(view.services.tickets.show, view.member, ticket_id)
    except StaffError:
        return view.problem(404, "problem.not_found", "problem.not_found_text")
    done = view.request.query_params.get("done", "")
    teams = [t for t in view.services.tickets.teams.teams if t.id != shown.ticket.team]
    return view.render(
        "ticket.html", status, shown=shown, ticket=shown.ticket, teams=teams, waited=waited, error=error,
        done=done if done in DONE else None,
    )  # fmt: skip


async def _act(view: View, what: str, action: Callable[..., object], *args: object) -> Response:
    """Run a desk action on the ticket; a refusal shows the page again with the reason."""
    assert view.member is not None
    ticket_id = view.request.path_params["id"]
    try:
        await view.call(action, view.member, ticket_id, *args)
    except StaffError as refusal:
        return await ticket_page(view, 400, view.words("staff.refused", reason=str(refusal)))
    return view.redirect(f"{PREFIX}/tickets/{ticket_id}?done={what}")


async def reply(view: View) -> Response:
    """Send the person a reply: the saved reply chosen, else the text written."""
    saved = view.field("saved", 80).strip() or None
    text = None if saved else view.field("text", 4000)
    return await _act(view, "replied", view.services.tickets.reply, text, saved)


async def note(view: View) -> Response:
    """An internal note (never sent)."""
    return await _act(view, "noted", view.services.tickets.note, view.field("text", 4000))


async def pass_to(view: View) -> Response:
    """Hand the ticket to another team."""
    return await _act(view, "passed", view.services.tickets.pass_to, view.field("team", 80))


async def close(view: View) -> Response:
    """Close it: the person is told and the bot answers them again."""
    return await _act(view, "closed", view.services.tickets.close)


PAGES = [
    Page("/tickets", queue, roles=MENTORS, menu="nav.tickets"),
    Page("/tickets/{id:int}", ticket_page, roles=MENTORS),
    Page("/tickets/{id:int}/reply", reply, roles=MENTORS, methods=("POST",)),
    Page("/tickets/{id:int}/note", note, roles=MENTORS, methods=("POST",)),
    Page("/tickets/{id:int}/pass", pass_to, roles=MENTORS, methods=("POST",)),
    Page("/tickets/{id:int}/close", close, roles=MENTORS, methods=("POST",)),
]
