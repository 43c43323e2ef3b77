"""The broadcast form's plain fields, turned into what ``bot.staff.broadcasts`` takes (a segment mapping,
texts per reply language, buttons, timing), and back again to fill the form when editing; and the chart of
sends per minute, drawn as inline SVG on the server (the CSP allows no inline script, and the page must work
without JavaScript)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from starlette.datastructures import FormData

from bot.settings import REPLY_LANGUAGES
from bot.staff import audiences
from bot.staff.broadcast_timing import wall_clock
from bot.staff.broadcasts import MAX_BUTTONS, MAX_TEXT

LISTED = ("country", "city", "cohort", "source")  # free text: several values apart by spaces or commas
CHECKED = ("language", "channel")  # checkboxes
DAYS = ("active_within", "inactive_for")  # a number of days
ZONES = ("UTC", "Africa/Casablanca", "Africa/Tunis", "Europe/Rome")
WHEN = ("now", "at", "local")
_SPLIT = re.compile(r"[\s,|]+")


@dataclass(frozen=True)
class Draft:
    """What the form holds, as the service's arguments (and as the form shows it again after a refusal)."""

    name: str = ""
    pairs: dict[str, list[str]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    buttons: list[str] = field(default_factory=list)
    template: str = ""
    when: str = "now"
    at: str = ""
    zone: str = "UTC"

    @property
    def at_text(self) -> str | None:
        """``YYYY-MM-DD HH:MM`` as the service reads it (the browser's ``datetime-local`` has a ``T``)."""
        return self.at.replace("T", " ")[:16] if self.when in ("at", "local") and self.at else None

    def shown(self, key: str) -> str:
        """A segment field's value as the form shows it."""
        values = self.pairs.get(key, [])
        if key in DAYS:
            return values[0][:-1] if values else ""
        return " ".join(values)


def read(form: FormData) -> Draft:
    """The posted form as a draft; the service checks every value (and names the one that is wrong)."""

    def text(name: str, limit: int = 200) -> str:
        value = form.get(name)
        return value[:limit].strip() if isinstance(value, str) else ""

    pairs: dict[str, list[str]] = {}
    for key in LISTED:
        if values := [v for v in _SPLIT.split(text(key)) if v]:
            pairs[key] = values if key != "city" else [text(key)]
    for key in CHECKED:
        if values := [v for v in form.getlist(key) if isinstance(v, str) and v]:
            pairs[key] = values
    if consent := text("consent"):
        pairs["consent"] = [consent]
    for key in DAYS:
        if days := text(key, 8):
            pairs[key] = [f"{days}d"]
    texts = {
        language: value
        for language in REPLY_LANGUAGES
        if (value := (form.get(f"text_{language}") or "")) and isinstance(value, str) and value.strip()
    }
    texts = {language: value[: MAX_TEXT + 1] for language, value in texts.items()}
    buttons = [b for n in range(MAX_BUTTONS) if (b := text(f"button_{n}", 100))]
    when = text("when") if text("when") in WHEN else "now"
    return Draft(
        text("name"), pairs, texts, buttons, text("template", 64), when, text("at", 20), text("zone", 40)
    )


def of_broadcast(broadcast: object) -> Draft:
    """A broadcast's values in the form, for editing it."""
    written: str = broadcast.segment  # type: ignore[attr-defined]
    pairs = audiences.parse(written) if written != "everyone" else {}
    return Draft(
        broadcast.name,  # type: ignore[attr-defined]
        pairs,
        dict(broadcast.texts),  # type: ignore[attr-defined]
        list(broadcast.buttons),  # type: ignore[attr-defined]
        broadcast.template,  # type: ignore[attr-defined]
    )


@dataclass(frozen=True)
class Bar:
    """One minute of the chart."""

    x: float
    y: float
    width: float
    height: float
    minute: str
    count: int


@dataclass(frozen=True)
class Chart:
    """Sends per minute against each channel's limit, in SVG units (the template draws it)."""

    width: int
    height: int
    bars: list[Bar]
    limits: list[
        tuple[str, int, float | None]
    ]  # channel, sends a minute allowed, y of its line (None: above)
    top: int


def chart(
    per_minute: Mapping[str, int], limits: Mapping[str, int], minutes: int = 30, least: int = 10
) -> Chart:
    """The last ``minutes`` minutes that had sends (at least ``least``; gaps kept as empty minutes), scaled to
    the busiest one; a limit above the scale is named rather than drawn, so that few sends stay readable."""
    width, height, pad = 600, 160, 20
    if not per_minute:
        return Chart(width, height, [], [(c, n, None) for c, n in limits.items()], 0)
    last = wall_clock(max(per_minute))
    first = max(wall_clock(min(per_minute)), last - timedelta(minutes=minutes - 1))
    first = min(first, last - timedelta(minutes=least - 1))  # a short broadcast still reads as a timeline
    span = int((last - first).total_seconds() // 60) + 1
    keys = [f"{first + timedelta(minutes=n):%Y-%m-%d %H:%M}" for n in range(span)]
    peak = max(per_minute.get(k, 0) for k in keys)
    top = max(int(peak * 1.25) + 1, 1)
    step = (width - pad) / max(span, 1)
    plot = height - pad

    def y_of(n: float) -> float:
        return round(plot - plot * n / top, 1)

    bars = []
    for n, key in enumerate(keys):
        count = per_minute.get(key, 0)
        bars.append(
            Bar(
                round(pad + n * step + 1, 1),
                y_of(count),
                round(max(step - 2, 1), 1),
                round(plot - y_of(count), 1),
                key,
                count,
            )
        )
    lines = [(c, n, y_of(n) if n <= top else None) for c, n in limits.items()]
    return Chart(width, height, bars, lines, top)
