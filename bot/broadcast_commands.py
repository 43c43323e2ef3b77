"""What ``mentor broadcast …`` and ``mentor campaign …`` do, apart from argument parsing.

They call the same services as the console (``bot.staff.broadcasts``, ``bot.staff.campaigns``) as the
member of staff ``--by`` names; every refusal is one line naming what is wrong, exit 1, nothing changed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.settings import Settings
from bot.staff.accounts import Staff
from bot.staff.errors import StaffError
from bot.storage.db import Database


def _acting(database: Database, email: str | None) -> Staff:
    """The active member of staff ``--by`` names (the services check their roles)."""
    from bot.storage import staff

    if not email:
        raise StaffError("by: name the member of staff acting, --by EMAIL")
    with database.session() as session:
        account = staff.by_email(session, email.strip().lower()[:254])
        if account is None or account.disabled_at is not None:
            raise StaffError(f"{email[:60]}: no active staff account")
        return Staff.of(account)


def _texts(pairs: list[str] | None) -> dict[str, str]:
    texts: dict[str, str] = {}
    for pair in pairs or []:
        language, sep, text = pair.partition("=")
        if not sep:
            raise StaffError(f"text: {pair[:30]!r} is not LANG=TEXT")
        if language.strip() in texts:
            raise StaffError(f"text {language.strip()}: given twice")
        texts[language.strip()] = text
    return texts


def _run(database: Database, action: Callable[[], str]) -> int:
    try:
        sys.stdout.write(action() + "\n")
    except StaffError as error:
        sys.stderr.write(f"mentor: {error}\n")
        return 1
    finally:
        database.engine.dispose()
    return 0


def broadcast(settings: Settings, action: str, args: dict[str, Any]) -> int:
    """One ``mentor broadcast`` subcommand."""
    from bot import app
    from bot.staff.broadcast_figures import figures_csv
    from bot.staff.broadcasts import Broadcasts

    database = app.open_database(settings)
    topics = app.load_knowledge().entries.keys()
    tools = Broadcasts(database, app.utc_now, topics, settings.default_language, settings.delivery)

    def create() -> str:
        made = tools.create(
            _acting(database, args["by"]), args["name"], args["segment"], _texts(args["text"]),
            args["button"] or (), args["template"], args["at"], args["local"], args["zone"],
        )  # fmt: skip
        _warn(made.warnings)
        return str(made.id)

    def edit() -> str:
        texts = _texts(args["text"]) if args["text"] else None
        made = tools.edit(
            _acting(database, args["by"]), args["id"], texts, args["name"], args["segment"],
            args["button"], args["template"],
        )  # fmt: skip
        _warn(made.warnings)
        return f"broadcast {made.id}: version {made.version}, waits for approval"

    def approve() -> str:
        made, queued = tools.approve(_acting(database, args["by"]), args["id"])
        return f"broadcast {made.id}: approved by {made.approved_by}; {queued} messages queued"

    def cancel() -> str:
        made, stopped = tools.cancel(_acting(database, args["by"]), args["id"])
        return f"broadcast {made.id}: cancelled; {stopped} messages not sent"

    def status() -> str:
        figures = tools.figures(args["id"])
        if args["csv"]:
            return figures_csv(figures).rstrip("\n")
        if args["json"]:
            return json.dumps(figures.as_dict(), ensure_ascii=False)
        return _status_text(figures)

    def listing() -> str:
        rows = [f"{b.id}\t{b.status}\tv{b.version}\t{b.name}\t{b.segment}" for b in tools.everything()]
        return "\n".join(rows) or "no broadcasts"

    actions: dict[str, Callable[[], str]] = {
        "create": create, "edit": edit, "preview": lambda: _preview_text(tools.preview(args["id"])),
        "approve": approve, "cancel": cancel, "status": status, "list": listing,
    }  # fmt: skip
    return _run(database, actions[action])


def _warn(warnings: tuple[str, ...]) -> None:
    for warning in warnings:
        sys.stderr.write(f"mentor: warning: {warning}\n")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{key} {n}" for key, n in counts.items()) or "none"


def _preview_text(previewed: Any) -> str:
    from bot.staff.broadcast_timing import Timing

    b, audience = previewed.broadcast, previewed.audience
    lines = [
        f"broadcast {b.id} {b.name!r} ({b.status}, version {b.version}): {b.segment}",
        f"send: {Timing(b.timing, b.send_at, b.local_at).describe()}",
        f"texts: {', '.join(sorted(b.texts))}; buttons: {', '.join(b.buttons) or 'none'}",
        f"whatsapp template outside the window: {b.template}",
        f"recipients: {audience.recipients} of {audience.matched} matched",
        f"  by language: {_counts(audience.by_language)}",
        f"  by channel: {_counts(audience.by_channel)}",
        f"  whatsapp outside the 24-hour window (need a template): {audience.outside_window}"
        + (f" ({_counts(audience.outside_by_language)})" if audience.outside_window else ""),
    ]
    for language, template in audience.template_missing.items():
        lines.append(f"  no approved template in {language}: {template}")
    lines.append(f"left out: {_counts(audience.left_out)}")
    if previewed.fallback:
        lines.append(f"french text instead of theirs: {_counts(previewed.fallback)}")
    lines += [f"warning: {w}" for w in b.warnings]
    return "\n".join(lines)


def _status_text(figures: Any) -> str:
    lines = [
        f"broadcast {figures.id} {figures.name!r}: {figures.status}",
        f"recipients {figures.recipients}: queued {figures.queued}, sent {figures.sent}, "
        f"delivered {figures.delivered}, read {figures.read}, replies afterwards {figures.replies}",
    ]
    for name in ("failed", "undeliverable", "cancelled"):
        for reason, n in getattr(figures, name).items():
            lines.append(f"  {name}: {n} ({reason})")
    if figures.per_minute:
        lines.append(f"sends per minute (UTC): {_counts(figures.per_minute)}")
    return "\n".join(lines)


def campaign(settings: Settings, action: str, args: dict[str, Any]) -> int:
    """One ``mentor campaign`` subcommand."""
    from bot import app
    from bot.staff import campaigns
    from bot.staff.campaigns import Campaigns

    database = app.open_database(settings)
    tools = Campaigns(database, app.utc_now, settings.default_language)

    def links() -> campaigns.Links:
        tools.get(args["code"])
        return campaigns.links(args["code"], args["telegram_bot"], args["whatsapp_number"])

    def create() -> str:
        made = tools.create(_acting(database, args["by"]), args["code"], args["name"])
        return f"campaign {made.code} created"

    def show_links() -> str:
        found = links()
        return f"telegram\t{found.telegram}\nwhatsapp\t{found.whatsapp}\nfirst message\t{found.first_message}"

    def posters() -> str:
        by, found = _acting(database, args["by"]), links()
        folder = Path(args["out"])
        folder.mkdir(parents=True, exist_ok=True)
        files = tools.posters(by, args["code"], found)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        return "\n".join(str(folder / name) for name in files)

    def show() -> str:
        report = tools.report(args["code"])
        if args["json"]:
            days = [{**d.__dict__, "day": d.day.isoformat()} for d in report.days]
            totals = {"people": report.people, "first_contacts": report.first_contacts}
            return json.dumps({"code": report.campaign.code, "days": days, **totals,
                               "news_subscribers": report.news_subscribers})  # fmt: skip
        lines = [
            f"campaign {report.campaign.code} {report.campaign.name!r}: {report.people} people reached, "
            f"{report.first_contacts} first contacts, {report.news_subscribers} subscribed to news"
        ]
        lines += [
            f"  {d.day}\t{d.language}\t{d.channel}\t{d.people} people\t{d.news_subscribers} news"
            for d in report.days
        ]
        return "\n".join(lines)

    actions: dict[str, Callable[[], str]] = {
        "create": create, "links": show_links, "poster": posters, "show": show,
    }  # fmt: skip
    return _run(database, actions[action])
