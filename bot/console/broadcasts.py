"""The broadcasts page, for broadcasters and approvers. The broadcast service is not wired into the console
yet, so the page says what the member's roles will let them do there and shows no made-up figures; the
broadcasts work adds its pages here (see ``bot/console/README.md``)."""

from __future__ import annotations

from starlette.responses import Response

from bot.console.pages import Page, View


async def broadcasts(view: View) -> Response:
    """What the member's roles allow with broadcasts."""
    return view.render("broadcasts.html")


PAGES = [Page("/broadcasts", broadcasts, roles=("broadcaster", "approver"), menu="nav.broadcasts")]
