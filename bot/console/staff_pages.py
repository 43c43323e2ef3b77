"""Admins' page of staff accounts: each with roles and state, one-time invitations, disabling."""

from __future__ import annotations

from starlette.responses import Response

from bot.console.pages import PREFIX, Page, View
from bot.staff.accounts import ROLES
from bot.staff.errors import StaffError


async def listing(view: View, status: int = 200, **shown: object) -> Response:
    """Every account and the invitation form."""
    everyone = await view.call(view.services.accounts.everyone)
    context = {"link": None, "error": None, "done": view.request.query_params.get("disabled"), **shown}
    return view.render("staff.html", status, everyone=everyone, roles=ROLES, **context)


async def staff_page(view: View) -> Response:
    """Show the accounts."""
    return await listing(view)


async def invite(view: View) -> Response:
    """Make a one-time link for an account with the chosen roles; it is shown once, never stored."""
    assert view.member is not None and view.form is not None
    chosen = [r for r in view.form.getlist("role") if isinstance(r, str) and r in ROLES]
    if not chosen:
        return await listing(view, 400, error=view.words("staff.no_roles"))
    token = await view.call(view.services.accounts.invite, chosen, view.member)
    link = f"{str(view.request.base_url).rstrip('/')}{PREFIX}/invite/{token}"
    return await listing(view, link=link, link_roles=sorted(chosen))


async def disable(view: View) -> Response:
    """Stop an account from logging in (not one's own: an admin would lock themselves out)."""
    assert view.member is not None
    email = view.field("email", 254)
    if email == view.member.email:
        return await listing(view, 400, error=view.words("staff.not_self"))
    try:
        done = await view.call(view.services.accounts.disable, email, view.member.email)
    except StaffError as refusal:
        return await listing(view, 400, error=view.words("staff.refused", reason=str(refusal)))
    return view.redirect(f"{PREFIX}/staff?disabled={done.id}")


PAGES = [
    Page("/staff", staff_page, roles=("admin",), menu="nav.staff"),
    Page("/staff/invite", invite, roles=("admin",), methods=("POST",)),
    Page("/staff/disable", disable, roles=("admin",), methods=("POST",)),
]
