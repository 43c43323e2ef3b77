"""The home page (the pages one's roles open) and changing one's own language."""

from __future__ import annotations

from starlette.responses import Response

from bot.console.pages import PREFIX, Page, View
from bot.staff.errors import StaffError


async def home(view: View) -> Response:
    """List what the member's roles allow."""
    return view.render("home.html")


async def language(view: View) -> Response:
    """Change the member's console language, audited."""
    assert view.member is not None
    try:
        await view.call(view.services.preferences.set_language, view.member, view.field("language", 2))
    except StaffError:
        return view.problem(400, "problem.bad_form", "problem.bad_form_text")
    return view.redirect(f"{PREFIX}/")


async def not_found(view: View) -> Response:
    """Any other console path: members get a 404 page (visitors were sent to the login page already)."""
    return view.problem(404, "problem.not_found", "problem.not_found_text")


PAGES = [
    Page("/", home),
    Page("/language", language, methods=("POST",)),
]
CATCH_ALL = Page("/{rest:path}", not_found, methods=("GET", "POST"))
