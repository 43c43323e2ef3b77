"""The curators' pages: the unanswered questions grouped across languages, with what to do with a group
(assign it to a topic, mark it out of scope, start a draft entry), and the knowledge entries due for
re-checking with their sources and a "checked" button, beside the calls about to open or close.

Grouping needs the trained Rasa model; the console loads it at the first grouping (``ReviewService``), so
``mentor console`` without a model still serves every other page, and this one says the model is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from starlette.responses import Response

from bot.console.pages import PREFIX, Page, View
from bot.staff import upkeep
from bot.staff.errors import StaffError
from bot.staff.review import Decision

CURATORS = ("curator",)


async def review_page(view: View, status: int = 200, error: str | None = None) -> Response:
    """The groups, largest first (none shown, and why, when the model is missing)."""
    missing = not view.services.review_model.exists()
    groups = [] if missing else await view.call(view.services.review.groups)
    decided = {k: view.request.query_params.get(k, "") for k in ("done", "group", "count")}
    return view.render(
        "review.html", status, groups=groups, missing=missing, error=error, decided=decided,
        topics=sorted(view.services.topics),
    )  # fmt: skip


async def _decide(view: View, action: Callable[..., Decision], *args: object) -> Response:
    assert view.member is not None
    if not view.services.review_model.exists():
        return await review_page(view, 409)
    group = view.request.path_params["id"]
    try:
        done = await view.call(action, view.member, group, *args)
    except StaffError as refusal:
        return await review_page(view, 400, view.words("staff.refused", reason=str(refusal)))
    return view.redirect(f"{PREFIX}/review?done={done.outcome}&group={done.group}&count={done.questions}")


async def assign(view: View) -> Response:
    """Turn the group into training examples of the topic chosen."""
    return await _decide(view, view.services.review.assign, view.field("topic", 80).strip())


async def out_of_scope(view: View) -> Response:
    """Mark the group as something the bot is not meant to answer."""
    return await _decide(view, view.services.review.out_of_scope)


async def draft(view: View) -> Response:
    """Start a draft knowledge entry from the group."""
    return await _decide(view, view.services.review.draft)


async def knowledge_page(view: View, status: int = 200, error: str | None = None) -> Response:
    """Entries past or near their ``recheck_by``, most overdue first, and calls opening or closing."""
    now = view.services.upkeep.clock()
    root = view.services.upkeep.root
    due = await view.call(upkeep.due, now.date(), upkeep.DUE_WITHIN_DAYS, root)
    moving = await view.call(upkeep.calls_moving, now, upkeep.DUE_WITHIN_DAYS, root)
    checked = view.request.query_params.get("checked", "")[:80]
    return view.render(
        "knowledge.html", status, due=due, moving=moving, error=error, checked=checked,
        days=upkeep.DUE_WITHIN_DAYS, title_of=upkeep.call_title,
    )  # fmt: skip


async def record_checked(view: View) -> Response:
    """The member checked the entry's sources today: its dates follow."""
    assert view.member is not None
    entry = view.field("entry", 120).strip()
    try:
        await view.call(view.services.upkeep.record_checked, view.member, entry)
    except StaffError as refusal:
        return await knowledge_page(view, 400, view.words("staff.refused", reason=str(refusal)))
    return view.redirect(f"{PREFIX}/knowledge?checked={quote(entry)}")


PAGES = [
    Page("/review", review_page, roles=CURATORS, menu="nav.review"),
    Page("/review/{id:int}/assign", assign, roles=CURATORS, methods=("POST",)),
    Page("/review/{id:int}/out-of-scope", out_of_scope, roles=CURATORS, methods=("POST",)),
    Page("/review/{id:int}/draft", draft, roles=CURATORS, methods=("POST",)),
    Page("/knowledge", knowledge_page, roles=CURATORS, menu="nav.knowledge"),
    Page("/knowledge/checked", record_checked, roles=CURATORS, methods=("POST",)),
]
