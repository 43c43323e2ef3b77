"""Admins read the audit log, newest first, a page at a time."""

from __future__ import annotations

from starlette.responses import Response

from bot.console.pages import Page, View


async def audit(view: View) -> Response:
    """One page of rows, older than ``?before=`` when given."""
    before = view.request.query_params.get("before", "")
    page = await view.call(view.services.audit.page, int(before) if before.isdigit() else None)
    return view.render("audit.html", page=page, first=not before.isdigit())


PAGES = [Page("/audit", audit, roles=("admin",), menu="nav.audit")]
