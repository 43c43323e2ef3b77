"""The payloads actions send instead of text; the core's renderer turns them into words and buttons.

Each function returns one part; an action sends all its parts as one ``json_message`` (``reply``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.core.messages import command_payload
from knowledge.topics import intent_for_topic

PERSON = "contact.human"

Payload = dict[str, Any]


def entry(topic: str, country: str | None = None) -> Payload:
    """A knowledge entry's answer, with its source line (and the paragraph for ``country``)."""
    return {"entry": topic, "country": country}


def string(key: str, **params: Any) -> Payload:
    """An interface string from ``knowledge/strings``."""
    return {"string": key, "params": params}


def dated(key: str, dates: dict[str, str], **params: Any) -> Payload:
    """An interface string whose ``dates`` (ISO days) are written the reply language's way when rendered."""
    return {"string": key, "params": params, "dates": dates}


def cited(sources: list[dict[str, str]], checked: str) -> Payload:
    """A source line: the titles and addresses of ``sources`` and the day (ISO) they were checked."""
    return {"cited": sources, "checked": checked}


def marks(topic: str) -> Payload:
    """Names the topic or outcome of the turn (the eligibility check); renders as nothing."""
    return {"marks": topic}


def raw(text: str) -> Payload:
    """Text shown as it is (data the person asked to see), not a translated string."""
    return {"raw": text}


def staff_text(texts: Mapping[str, str]) -> Payload:
    """Text staff wrote per reply language (a broadcast), shown as written, never as markup; French where
    the person's language has none (DESIGN's fallback)."""
    return {"staff_text": dict(texts)}


def deadline(country: str | None) -> Payload:
    """Where calls stand now, computed when it is rendered."""
    return {"deadline": True, "country": country}


def open_call(call_id: str) -> Payload:
    """How long a call stays open and where to apply, computed when it is rendered (call alerts)."""
    return {"open_call": call_id}


def privacy_summary(summary: dict[str, Any]) -> Payload:
    """What is stored about the person."""
    return {"privacy_summary": summary}


def handoff(team: str, hours: int, next_open: datetime | None, zone: str) -> Payload:
    """What to expect from a team: an answer within ``hours``, or when it is next at work (shown in
    ``zone``, the person's)."""
    when = next_open.isoformat() if next_open else None
    return {"handoff": {"team": team, "hours": hours, "next_open": when, "zone": zone}}


def buttons(*choices: Payload) -> Payload:
    """Quick replies for the message before it."""
    return {"buttons": list(choices)}


def topic_button(topic: str) -> Payload:
    """A button that asks about a topic; labelled with the entry's title."""
    return {"topic": topic, "payload": f"/{intent_for_topic(topic)}"}


def suggestions(topics: Sequence[str]) -> Payload:
    """Quick replies for the closest topics when the bot is unsure, then a person; the core reports them."""
    choices = [topic_button(t) for t in topics if t != PERSON]
    choices.append({**intent_button("button_person", "contact_human"), "suggests": PERSON})
    return {**buttons(*choices), "suggested": True}


def suggested(payloads: Iterable[Payload]) -> list[str]:
    """The topic ids a reply offers through ``suggestions``, in order; empty when it answered outright."""
    return [
        choice.get("suggests") or choice["topic"]
        for payload in payloads
        if payload.get("suggested")
        for choice in payload["buttons"]
    ]


def intent_button(label_key: str, intent: str) -> Payload:
    """A button that sends an intent; labelled with an interface string."""
    return {"label": label_key, "payload": f"/{intent}"}


def command_button(label_key: str, command: str, argument: str = "") -> Payload:
    """A button that runs a core command (``/stop``, a consent); labelled with an interface string."""
    return {"label": label_key, "payload": command_payload(command, argument)}


def command(name: str, argument: str = "") -> Payload:
    """Tell the core to run a core command now, as if its button had been pressed (a yes to its question)."""
    return {"command": name, "argument": argument}


def language_buttons() -> Payload:
    """One button per reply language."""
    return {"languages": True}


def set_language(language: str) -> Payload:
    """Tell the core the person chose a reply language."""
    return {"set_language": language}


def forget_user() -> Payload:
    """Tell the core to delete everything about the person once the turn is over."""
    return {"forget_user": True}


def reply(parts: list[Payload]) -> Payload:
    """The one message an action sends: its parts, in order."""
    return {"parts": parts}
