"""The campaigns pages: the list and the "new campaign" form, and a campaign's page with its Telegram and
WhatsApp links, their QR codes (SVG images, PNG downloads), the A4 poster in each console language, and its
report (people reached per day, language and channel; news subscribers).

The bot's Telegram username and WhatsApp number are not settings of the bot (``mentor campaign links``
takes them as ``--telegram-bot`` and ``--whatsapp-number``), so the campaign page asks for them in a small
GET form and carries them in the query of its image and download links; nothing is stored.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.responses import Response

from bot.console.pages import PREFIX, Page, View
from bot.staff import campaigns
from bot.staff.accounts import CONSOLE_LANGUAGES
from bot.staff.errors import StaffError

READERS = ("broadcaster", "approver", "admin")
KINDS = {"svg": "image/svg+xml", "png": "image/png"}


async def listing(view: View, status: int = 200, error: str | None = None) -> Response:
    """Every campaign, newest first, and the form for a new one (for broadcasters)."""
    everything = await view.call(view.services.campaigns.everything)
    shown = {"code": view.field("code", 40), "name": view.field("name", 100)}
    return view.render("campaigns.html", status, campaigns=everything, error=error, shown=shown)


async def campaigns_page(view: View) -> Response:
    """The list."""
    return await listing(view)


async def create(view: View) -> Response:
    """A new campaign; a refusal shows the form again with the reason."""
    assert view.member is not None
    code, name = view.field("code", 40).strip(), view.field("name", 200)
    try:
        made = await view.call(view.services.campaigns.create, view.member, code, name)
    except StaffError as refusal:
        return await listing(view, 400, view.words("staff.refused", reason=str(refusal)))
    return view.redirect(f"{PREFIX}/campaigns/{made.code}")


def _asked(view: View) -> tuple[str, str]:
    query = view.request.query_params
    return query.get("bot", "")[:40].strip(), query.get("number", "")[:30].strip()


def _links(view: View, code: str) -> campaigns.Links | None:
    bot, number = _asked(view)
    return campaigns.links(code, bot, number) if bot and number else None


async def campaign_page(view: View) -> Response:
    """One campaign: its report, and its links and posters once the bot's username and number are given."""
    code = view.request.path_params["code"]
    try:
        report = await view.call(view.services.campaigns.report, code)
    except StaffError:
        return view.problem(404, "problem.not_found", "problem.not_found_text")
    bot, number = _asked(view)
    found, error = None, None
    try:
        found = _links(view, report.campaign.code)
    except StaffError as refusal:
        error = view.words("staff.refused", reason=str(refusal))
    query = urlencode({"bot": bot, "number": number})
    return view.render(
        "campaign.html", 400 if error else 200, report=report, found=found, error=error, bot=bot,
        number=number, query=query, poster_languages=CONSOLE_LANGUAGES,
    )  # fmt: skip


async def download(view: View) -> Response:
    """A QR code (``telegram.svg``, ``whatsapp.png``, …) or an A4 poster (``poster-fr.svg``) of the
    campaign, from the service's poster files (which audits who printed what)."""
    assert view.member is not None
    code, name = view.request.path_params["code"], view.request.path_params["name"]
    try:
        await view.call(view.services.campaigns.get, code)
        found = _links(view, code)
    except StaffError:
        found = None
    if found is None:
        return view.problem(404, "problem.not_found", "problem.not_found_text")
    if name.removesuffix(".svg") in ("telegram", "whatsapp"):  # shown on the page: not an act of printing
        url = found.telegram if name.startswith("telegram") else found.whatsapp
        return Response(campaigns.qr_svg(url), media_type=KINDS["svg"])
    files = await view.call(view.services.campaigns.posters, view.member, code, found)
    data = files.get(f"{code}-{name}")
    if data is None:
        return view.problem(404, "problem.not_found", "problem.not_found_text")
    return Response(
        data,
        media_type=KINDS[name.rsplit(".", 1)[-1]],
        headers={"content-disposition": f'attachment; filename="{code}-{name}"'},
    )


PAGES = [
    Page("/campaigns", campaigns_page, roles=READERS, menu="nav.campaigns"),
    Page("/campaigns/new", create, roles=("broadcaster",), methods=("POST",)),
    Page("/campaigns/{code}", campaign_page, roles=READERS),
    Page("/campaigns/{code}/files/{name}", download, roles=READERS),
]
