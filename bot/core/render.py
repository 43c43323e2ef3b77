"""Turn action payloads (``bot.actions.say``) into text and buttons in one reply language."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from bot.core.messages import Button, OutboundMessage
from knowledge import calls
from knowledge.model import FALLBACK_LANGUAGE, Call, KnowledgeBase, pick

LANGUAGE_NAMES = {
    "fr": "Français",
    "ar": "العربية",
    "ary": "Darija",
    "aeb": "Tounsi",
    "en": "English",
    "it": "Italiano",
}
# Darija and Derja are written with French month names in Latin script.
BABEL_LOCALE = {"fr": "fr", "ar": "ar", "en": "en", "it": "it", "ary": "fr", "aeb": "fr"}
MAX_SOURCES_SHOWN = 2


def staff_text(texts: dict[str, str], language: str) -> str | None:
    """Staff's text in ``language``, else French, else (a broadcast for other languages only) any text."""
    if texts.get(language) or texts.get(FALLBACK_LANGUAGE):
        return pick(texts, language)
    return next(iter(texts.values()), None)


class Renderer:
    """Renders payloads with the knowledge base and the clock (deadlines are computed when shown)."""

    def __init__(
        self,
        knowledge: KnowledgeBase,
        clock: Callable[[], datetime],
        calls: Callable[[], Sequence[Call]] | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.clock = clock
        self.calls = calls or (lambda: knowledge.calls)

    def render(self, payloads: Iterable[dict[str, Any]], language: str) -> list[OutboundMessage]:
        """One message per text payload; a buttons payload attaches to the message before it."""
        messages: list[OutboundMessage] = []
        for payload in payloads:
            if "buttons" in payload or "languages" in payload:
                buttons = self._buttons(payload, language)
                if messages:
                    last = messages.pop()
                    messages.append(OutboundMessage(last.text, language, last.buttons + buttons))
                continue
            text = self._text(payload, language)
            if text:
                messages.append(OutboundMessage(text, language))
        return messages

    def _text(self, payload: dict[str, Any], language: str) -> str | None:
        if "entry" in payload:
            return self.entry(payload["entry"], language, payload.get("country"))
        if "string" in payload:
            params = dict(payload.get("params", {}))
            for name, day in (payload.get("dates") or {}).items():
                params[name] = self.date(date.fromisoformat(day), language)
            return self.knowledge.string(payload["string"], language, **params)
        if "cited" in payload:
            return self.source_line(payload["cited"], date.fromisoformat(payload["checked"]), language)
        if "checklist" in payload:
            return self.checklist(payload["checklist"], language)
        if "findings" in payload:
            return self.findings(payload, language)
        if "deadline" in payload:
            return self.deadline(language, payload.get("country"))
        if "staff_text" in payload:
            return staff_text(payload["staff_text"], language)
        if "raw" in payload:
            return str(payload["raw"])
        if "privacy_summary" in payload:
            return self.privacy_summary(payload["privacy_summary"], language)
        if "open_call" in payload:
            return self.open_call(payload["open_call"], language)
        if "handoff" in payload:
            return self.handoff(payload["handoff"], language)
        return None

    def entry(self, topic: str, language: str, country: str | None = None) -> str:
        """An entry's answer followed by its sources and the date it was checked."""
        entry = self.knowledge.entries[topic]
        cited = [{"title": s.title, "url": s.url} for s in entry.sources]
        source_line = self.source_line(cited, entry.checked, language)
        return f"{entry.answer_in(language, country)}\n\n{source_line}"

    def source_line(self, sources: Sequence[dict[str, str]], checked: date, language: str) -> str:
        """ "Source: title (address); … · checked on <date>", with the first two sources."""
        shown = "; ".join(f"{s['title']} ({s['url']})" for s in sources[:MAX_SOURCES_SHOWN])
        return self.knowledge.string(
            "source_line", language, sources=shown, date=self.date(checked, language)
        )

    def findings(self, payload: dict[str, Any], language: str) -> str:
        """The check's findings, each with the source it rests on, then the verdict and the day checked."""
        lines = []
        for line in payload["findings"]:
            text = self.knowledge.string(line["string"], language, **line.get("params", {}))
            source = line["sources"][0]
            lines.append(f"{line['mark']} {text} ({source['title']}: {source['url']})")
        lines.append(self.knowledge.string(payload["verdict"], language))
        checked = self.date(date.fromisoformat(payload["checked"]), language)
        lines.append(self.knowledge.string("check_checked", language, date=checked))
        return "\n\n".join(lines)

    def checklist(self, checklist: dict[str, Any], language: str) -> str:
        """The documents, numbered, each ticked off or not, then the office to apply at."""
        lines = [self.knowledge.string("checklist_title", language)]
        for number, item in enumerate(checklist["items"], start=1):
            mark = "✅" if item in checklist.get("ticked", []) else "⬜"
            lines.append(f"{mark} {number}. {self.knowledge.string('item_' + item, language)}")
        lines.append(self.knowledge.string(checklist["office"], language))
        return "\n".join(lines)

    def deadline(self, language: str, country: str | None) -> str:
        """Where calls stand right now."""
        now = self.clock()
        status = calls.status(self.calls(), now, country)
        lines = [self._open_call(call, now, language) for call in status.open]
        if not status.open:
            lines.append(self.knowledge.string("deadline_none", language))
        if status.upcoming is not None and status.upcoming.opens is not None:
            lines.append(self._at("deadline_upcoming", status.upcoming, status.upcoming.opens, language))
        if not status.open and status.last_closed is not None:
            closed = status.last_closed
            lines.append(
                self.knowledge.string(
                    "deadline_last_closed",
                    language,
                    title=pick(closed.title, language),
                    date=self.date(closed.closes.astimezone(ZoneInfo(closed.timezone)), language),
                )
            )
        if not status.open:
            lines.append(self.knowledge.string("deadline_notify_offer", language))
        return " ".join(lines)

    def open_call(self, call_id: str, language: str) -> str | None:
        """How long the call stays open, and its link; None once it has closed or is gone from the data."""
        now = self.clock()
        call = next((c for c in self.calls() if c.id == call_id), None)
        if call is None or now >= call.closes:
            return None
        details = self.knowledge.string("call_details", language, url=call.url)
        return f"{self._open_call(call, now, language)} {details}"

    def _open_call(self, call: Call, now: datetime, language: str) -> str:
        remaining = call.closes - now
        if remaining.days >= 1:
            return self._at("deadline_open_days", call, call.closes, language, days=remaining.days)
        hours = max(1, int(remaining.total_seconds() // 3600))
        return self._at("deadline_open_hours", call, call.closes, language, hours=hours)

    def _at(self, key: str, call: Call, moment: datetime, language: str, **extra: object) -> str:
        local = moment.astimezone(ZoneInfo(call.timezone))
        return self.knowledge.string(
            key,
            language,
            title=pick(call.title, language),
            date=self.date(local, language),
            time=format_time(local, "HH:mm", locale=BABEL_LOCALE[language]),
            zone=self.knowledge.string(f"zone.{call.timezone}", language),
            **extra,
        )

    def privacy_summary(self, summary: dict[str, Any], language: str) -> str:
        """What is stored about the person, in words."""
        consents = summary.get("consents", {})

        def word(value: bool | None) -> str:
            return self.knowledge.string("word_yes" if value else "word_no", language)

        chosen = summary.get("language")
        return self.knowledge.string(
            "privacy_summary",
            language,
            language=LANGUAGE_NAMES.get(chosen, self.knowledge.string("word_unknown", language)),
            news=word(consents.get("news")),
            reminders=word(consents.get("reminders")),
            history=summary.get("history_events", 0),
            unanswered=summary.get("unanswered_questions", 0),
        )

    def handoff(self, promise: dict[str, Any], language: str) -> str:
        """When a team answers: within its usual delay, or from when it is next at work, in the person's
        zone and language ("lundi 23 novembre à 09:30 (heure de Tunisie)")."""
        team, hours = promise["team"], promise["hours"]
        if not promise.get("next_open"):
            return self.knowledge.string("ticket_opened", language, team=team, hours=hours)
        local = datetime.fromisoformat(promise["next_open"]).astimezone(ZoneInfo(promise["zone"]))
        locale = BABEL_LOCALE[language]
        return self.knowledge.string(
            "ticket_opened_later",
            language,
            team=team,
            date=format_date(local, "EEEE d MMMM", locale=locale),
            time=format_time(local, "HH:mm", locale=locale),
            zone=self.knowledge.string(f"zone.{promise['zone']}", language),
        )

    @staticmethod
    def date(moment: Any, language: str) -> str:
        """A date written the way the reply language writes it."""
        return format_date(moment, "long", locale=BABEL_LOCALE[language])

    def _buttons(self, payload: dict[str, Any], language: str) -> tuple[Button, ...]:
        if payload.get("languages"):
            return tuple(
                Button(name, "/choose_language" + json.dumps({"language": code}))
                for code, name in LANGUAGE_NAMES.items()
            )
        buttons = []
        for choice in payload["buttons"]:
            if "topic" in choice:
                title = pick(self.knowledge.entries[choice["topic"]].title, language)
            elif "title" in choice:
                title = str(choice["title"])
            else:
                title = self.knowledge.string(choice["label"], language)
            buttons.append(Button(title, choice["payload"]))
        return tuple(buttons)
