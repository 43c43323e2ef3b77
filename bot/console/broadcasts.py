"""The broadcasts pages: the list, the "new broadcast" form, a broadcast's page (its audience preview, the
message as each channel shows it, approve, cancel, edit) and its live figures, which ``static/console.js``
refreshes from ``/broadcasts/{id}/figures`` every few seconds (without JavaScript, a reload does it); and
the figures as CSV (counts only).

Roles (DESIGN): broadcasters draft and edit; approvers approve and cancel; admins read. The approve form is
offered to broadcasters too, so that the two-person rule is the service's, refused and audited there.
"""

from __future__ import annotations

import asyncio

from starlette.responses import Response

from bot.console import broadcast_form
from bot.console.broadcast_form import Draft
from bot.console.pages import PREFIX, Page, View
from bot.settings import REPLY_LANGUAGES
from bot.staff.audiences import CHANNELS, PURPOSES
from bot.staff.broadcast_figures import figures_csv
from bot.staff.broadcasts import MAX_BUTTONS
from bot.staff.errors import StaffError
from knowledge.model import FALLBACK_LANGUAGE

READERS = ("broadcaster", "approver", "admin")


def _id(view: View) -> int:
    return int(view.request.path_params["id"])


def _form_context(view: View, draft: Draft) -> dict[str, object]:
    templates = view.services.broadcasts.templates.messages
    return {
        "draft": draft,
        "reply_languages": REPLY_LANGUAGES,
        "channels": CHANNELS,
        "purposes": PURPOSES,
        "zones": broadcast_form.ZONES,
        "max_buttons": MAX_BUTTONS,
        "topics": sorted(view.services.topics),
        "templates": sorted(k for k in templates if k.startswith("broadcast_")),
    }


async def listing(
    view: View, status: int = 200, error: str | None = None, draft: Draft | None = None
) -> Response:
    """Every broadcast, newest first, and the form for a new one (for broadcasters)."""
    everything = await view.call(view.services.broadcasts.everything)
    return view.render(
        "broadcasts.html", status, broadcasts=everything, error=error, **_form_context(view, draft or Draft())
    )


async def broadcasts_page(view: View) -> Response:
    """The list."""
    return await listing(view)


async def create(view: View) -> Response:
    """Draft a broadcast; a refusal shows the form again, filled, with the reason."""
    assert view.member is not None and view.form is not None
    draft = broadcast_form.read(view.form)
    try:
        made = await view.call(
            view.services.broadcasts.create, view.member, draft.name, draft.pairs, draft.texts, draft.buttons,
            draft.template or None, draft.at_text, draft.when == "local", draft.zone or "UTC",
        )  # fmt: skip
    except StaffError as refusal:
        return await listing(view, 400, view.words("staff.refused", reason=str(refusal)), draft)
    return view.redirect(f"{PREFIX}/broadcasts/{made.id}?done=created")


async def _page(view: View, status: int = 200, error: str | None = None) -> Response:
    try:  # both read the whole audience: at the same time, on two connections
        previewed, figures = await asyncio.gather(
            view.call(view.services.broadcasts.preview, _id(view)),
            view.call(view.services.broadcasts.figures, _id(view)),
        )
    except StaffError:
        return view.problem(404, "problem.not_found", "problem.not_found_text")
    broadcast = previewed.broadcast
    languages = sorted({*previewed.audience.by_language, *broadcast.texts})
    shown = {
        language: (broadcast.texts.get(language) or broadcast.texts.get(FALLBACK_LANGUAGE, ""))
        for language in languages
    }
    titles = {
        language: [view.services.topics.get(t, {}).get(language) or t for t in broadcast.buttons]
        for language in languages
    }
    return view.render(
        "broadcast.html", status, b=broadcast, audience=previewed.audience, fallback=previewed.fallback,
        shown=shown, titles=titles, error=error, done=view.request.query_params.get("done"),
        reply_codes=REPLY_LANGUAGES,
        **_figures_context(view, figures),
    )  # fmt: skip


def _figures_context(view: View, figures: object) -> dict[str, object]:
    per_minute = figures.per_minute  # type: ignore[attr-defined]
    return {
        "f": figures,
        "chart": broadcast_form.chart(per_minute, view.services.per_minute_limits),
        "refresh": f"{PREFIX}/broadcasts/{_id(view)}/figures",
    }


async def broadcast_page(view: View) -> Response:
    """One broadcast: preview, message per channel, actions, figures."""
    return await _page(view)


async def figures_fragment(view: View) -> Response:
    """The figures part of the page alone, which the script swaps in."""
    try:
        figures = await view.call(view.services.broadcasts.figures, _id(view))
    except StaffError:
        return view.problem(404, "problem.not_found", "problem.not_found_text")
    return view.render("broadcast_figures.html", **_figures_context(view, figures))


async def figures_download(view: View) -> Response:
    """The figures as a CSV file: counts, reasons and minutes, never a person."""
    try:
        figures = await view.call(view.services.broadcasts.figures, _id(view))
    except StaffError:
        return view.problem(404, "problem.not_found", "problem.not_found_text")
    name = f"broadcast-{figures.id}-figures.csv"
    return Response(
        figures_csv(figures),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


async def approve(view: View) -> Response:
    """Approve and queue; the service refuses the drafter or a non-approver, and the page says why."""
    assert view.member is not None
    try:
        _, queued = await view.call(view.services.broadcasts.approve, view.member, _id(view))
    except StaffError as refusal:
        return await _page(view, 409, view.words("broadcasts.approve_refused", reason=str(refusal)))
    return view.redirect(f"{PREFIX}/broadcasts/{_id(view)}?done=approved&queued={queued}")


async def cancel(view: View) -> Response:
    """Stop what has not gone yet."""
    assert view.member is not None
    try:
        await view.call(view.services.broadcasts.cancel, view.member, _id(view))
    except StaffError as refusal:
        return await _page(view, 409, view.words("staff.refused", reason=str(refusal)))
    return view.redirect(f"{PREFIX}/broadcasts/{_id(view)}?done=cancelled")


async def edit_page(
    view: View, status: int = 200, error: str | None = None, draft: Draft | None = None
) -> Response:
    """The form filled with the broadcast's values (timing stays as it was)."""
    try:
        broadcast = await view.call(view.services.broadcasts.get, _id(view))
    except StaffError:
        return view.problem(404, "problem.not_found", "problem.not_found_text")
    draft = draft or broadcast_form.of_broadcast(broadcast)
    return view.render("broadcast_edit.html", status, b=broadcast, error=error, **_form_context(view, draft))


async def edit_form(view: View) -> Response:
    """Show the edit form."""
    return await edit_page(view)


async def edit(view: View) -> Response:
    """Save the changes: a new version, which needs a new approval."""
    assert view.member is not None and view.form is not None
    draft = broadcast_form.read(view.form)
    try:
        await view.call(
            view.services.broadcasts.edit, view.member, _id(view), draft.texts, draft.name, draft.pairs,
            draft.buttons, draft.template or None,
        )  # fmt: skip
    except StaffError as refusal:
        return await edit_page(view, 400, view.words("staff.refused", reason=str(refusal)), draft)
    return view.redirect(f"{PREFIX}/broadcasts/{_id(view)}?done=edited")


PAGES = [
    Page("/broadcasts", broadcasts_page, roles=READERS, menu="nav.broadcasts"),
    Page("/broadcasts/new", create, roles=("broadcaster",), methods=("POST",)),
    Page("/broadcasts/{id:int}", broadcast_page, roles=READERS),
    Page("/broadcasts/{id:int}/figures", figures_fragment, roles=READERS),
    Page("/broadcasts/{id:int}/figures.csv", figures_download, roles=READERS),
    Page("/broadcasts/{id:int}/approve", approve, roles=("approver", "broadcaster"), methods=("POST",)),
    Page("/broadcasts/{id:int}/cancel", cancel, roles=("approver",), methods=("POST",)),
    Page("/broadcasts/{id:int}/edit", edit_form, roles=("broadcaster",)),
    Page("/broadcasts/{id:int}/edit", edit, roles=("broadcaster",), methods=("POST",)),
]
