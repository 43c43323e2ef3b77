"""Logging in and out, and accepting an invitation: the console's only pages open without a session."""

from __future__ import annotations

from starlette.responses import Response

from bot.console.pages import LOGIN, PREFIX, Page, View
from bot.staff.accounts import CONSOLE_LANGUAGES, LOCKOUT_FOR, MIN_PASSWORD
from bot.staff.errors import StaffError

TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _next(target: str) -> str:
    """Where to go after logging in: a console path only (no open redirect)."""
    if target.startswith(f"{PREFIX}/") and not target.startswith("//") and "\\" not in target:
        return target
    return f"{PREFIX}/"


async def login(view: View) -> Response:
    """Show the login form; on a post, log in or say why not (the lockout included)."""
    if view.member is not None and view.request.method == "GET":
        return view.redirect(f"{PREFIX}/")
    query = view.request.query_params
    notice = "login.created" if "created" in query else "login.out" if "out" in query else None
    if view.request.method == "GET":
        return view.render("login.html", notice=notice, error=None, email="", next=query.get("next", ""))
    email = view.field("email", 254)
    try:
        member = await view.call(view.services.accounts.log_in, email, view.field("password", 1100))
    except StaffError as refusal:
        minutes = int(LOCKOUT_FOR.total_seconds() // 60)
        locked = str(refusal).startswith("locked")
        error = view.words("login.locked", minutes=minutes) if locked else view.words("login.wrong")
        return view.render("login.html", 401, notice=None, error=error, email=email, next=view.field("next"))
    view.log_in(member)
    return view.redirect(_next(view.field("next")))


async def logout(view: View) -> Response:
    """End the session, audited."""
    assert view.member is not None
    await view.call(view.services.audit.record, view.member, "staff.logout", "staff", view.member.id)
    view.log_out()
    return view.redirect(f"{LOGIN}?out=1")


async def invitation(view: View) -> Response:
    """Show the form an invitation link opens; on a post, create the account it allows."""
    token = view.request.path_params["token"]
    if not 20 <= len(token) <= 100 or not set(token) <= TOKEN_CHARS:
        return view.problem(404, "problem.not_found", "problem.not_found_text")
    language = view.words.language
    if view.request.method == "GET":
        return view.render("invite.html", error=None, email="", language=language, minimum=MIN_PASSWORD)
    email, chosen = view.field("email", 254), view.field("language", 2)
    password = view.field("password", 1100)
    language = chosen if chosen in CONSOLE_LANGUAGES else language
    error = None
    if password != view.field("again", 1100):
        error = view.words("invite.mismatch")
    else:
        try:
            await view.call(view.services.accounts.accept_invite, token, email, password, language)
        except StaffError as refusal:
            error = view.words("invite.refused", reason=str(refusal))
    if error is not None:
        return view.render(
            "invite.html", 400, error=error, email=email, language=language, minimum=MIN_PASSWORD
        )
    return view.redirect(f"{LOGIN}?created=1")


PAGES = [
    Page("/login", login, methods=("GET", "POST"), public=True),
    Page("/logout", logout, methods=("POST",)),
    Page("/invite/{token}", invitation, methods=("GET", "POST"), public=True),
]
