"""Load the knowledge base and validate it as it loads.

Every problem names its file and entry id; a broken entry is left out, never half-loaded.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from knowledge.model import (
    DIALECT_LANGUAGES,
    FALLBACK_LANGUAGE,
    REPLY_LANGUAGES,
    REQUIRED_LANGUAGES,
    Call,
    Entry,
    KnowledgeBase,
    Source,
)
from knowledge.problems import Problem
from knowledge.topics import TOPICS

KNOWLEDGE_DIR = Path(__file__).resolve().parent
MIN_DIALECT_ENTRIES = 12
MAX_TITLE_CHARS = 24


def load(root: Path = KNOWLEDGE_DIR, today: date | None = None) -> tuple[KnowledgeBase, list[Problem]]:
    """Read entries, strings, calls and menu under ``root``; return what loaded and every problem."""
    problems: list[Problem] = []
    entries: dict[str, Entry] = {}
    for path in sorted((root / "entries").glob("*.yml")):
        entry = _load_entry(path, problems, today)
        if entry is not None:
            entries[entry.id] = entry
    strings = _load_strings(root / "strings", problems)
    calls = _load_calls(root / "calls.yml", problems)
    menu = _load_menu(root / "menu.yml", problems)
    kb = KnowledgeBase(entries=entries, strings=strings, calls=tuple(calls), menu=tuple(menu))
    problems.extend(_cross_checks(kb, root))
    return kb, problems


def _read_yaml(path: Path, problems: list[Problem], entry_id: str) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        problems.append(Problem(path, entry_id, f"cannot be read as YAML: {_short(error)}"))
        return None


def _short(error: Exception) -> str:
    return " ".join(str(error).split())[:300]


def _languages(value: Any, path: Path, entry_id: str, field: str, problems: list[Problem]) -> dict[str, str]:
    if not isinstance(value, Mapping):
        problems.append(Problem(path, entry_id, f"{field} must map language codes to text"))
        return {}
    texts = {str(k): str(v).strip() for k, v in value.items() if isinstance(v, str) and v.strip()}
    missing = [lang for lang in REQUIRED_LANGUAGES if lang not in texts]
    if missing:
        problems.append(Problem(path, entry_id, f"{field} is missing languages: {', '.join(missing)}"))
    unknown = sorted(set(texts) - set(REPLY_LANGUAGES))
    if unknown:
        problems.append(Problem(path, entry_id, f"{field} has unknown languages: {', '.join(unknown)}"))
    return texts


def _date(value: Any, path: Path, entry_id: str, field: str, problems: list[Problem]) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    problems.append(Problem(path, entry_id, f"{field} must be a date like 2026-11-22"))
    return None


def _load_entry(path: Path, problems: list[Problem], today: date | None) -> Entry | None:
    data = _read_yaml(path, problems, path.stem)
    if not isinstance(data, Mapping):
        if data is not None:
            problems.append(Problem(path, path.stem, "an entry must be a mapping"))
        return None
    entry_id = str(data.get("id", path.stem))
    before = len(problems)
    if entry_id != path.stem:
        problems.append(Problem(path, entry_id, f"id does not match the file name {path.name}"))
    title = _languages(data.get("title"), path, entry_id, "title", problems)
    for lang, text in title.items():
        if len(text) > MAX_TITLE_CHARS:
            problems.append(
                Problem(path, entry_id, f"title.{lang} is longer than {MAX_TITLE_CHARS} characters")
            )
    answer = _languages(data.get("answer"), path, entry_id, "answer", problems)
    by_country: dict[str, dict[str, str]] = {}
    for country, texts in (data.get("by_country") or {}).items():
        by_country[str(country)] = _languages(texts, path, entry_id, f"by_country.{country}", problems)
    sources = _sources(data.get("sources"), path, entry_id, problems)
    checked = _date(data.get("checked"), path, entry_id, "checked", problems)
    recheck_by = _date(data.get("recheck_by"), path, entry_id, "recheck_by", problems)
    related = tuple(str(r) for r in data.get("related") or ())
    if len(problems) > before or checked is None or recheck_by is None:
        return None
    if today is not None and recheck_by < today:
        problems.append(Problem(path, entry_id, f"past its re-check date ({recheck_by.isoformat()})"))
    return Entry(
        id=entry_id,
        title=title,
        answer=answer,
        sources=sources,
        checked=checked,
        recheck_by=recheck_by,
        related=related,
        by_country=by_country,
        path=path,
    )


def _sources(value: Any, path: Path, entry_id: str, problems: list[Problem]) -> tuple[Source, ...]:
    sources = []
    for item in value or ():
        if isinstance(item, Mapping) and item.get("title") and str(item.get("url", "")).startswith("http"):
            sources.append(Source(title=str(item["title"]), url=str(item["url"])))
        else:
            problems.append(Problem(path, entry_id, "a source needs a title and an http(s) url"))
    if not sources:
        problems.append(Problem(path, entry_id, "has no sources"))
    return tuple(sources)


def _load_strings(folder: Path, problems: list[Problem]) -> dict[str, dict[str, str]]:
    strings: dict[str, dict[str, str]] = {}
    for lang in REPLY_LANGUAGES:
        path = folder / f"{lang}.yml"
        if not path.exists():
            if lang not in DIALECT_LANGUAGES:
                problems.append(Problem(path, f"strings.{lang}", "file is missing"))
            continue
        data = _read_yaml(path, problems, f"strings.{lang}")
        if isinstance(data, Mapping):
            strings[lang] = {str(k): str(v) for k, v in data.items()}
    reference = strings.get(FALLBACK_LANGUAGE, {})
    for lang, table in strings.items():
        path = folder / f"{lang}.yml"
        for key in sorted(set(reference) - set(table)):
            problems.append(Problem(path, key, f"string missing in {lang}", error=lang in REQUIRED_LANGUAGES))
        for key in sorted(set(table) - set(reference)):
            problems.append(Problem(path, key, f"string not in {FALLBACK_LANGUAGE}.yml, so never used"))
        for key in set(table) & set(reference):
            if _fields(table[key]) != _fields(reference[key]):
                problems.append(Problem(path, key, "placeholders differ from the French string"))
    return strings


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def load_calls(path: Path = KNOWLEDGE_DIR / "calls.yml") -> tuple[list[Call], list[Problem]]:
    """The calls file alone (re-read while the bot runs, when staff edit it)."""
    problems: list[Problem] = []
    return _load_calls(path, problems), problems


def _load_calls(path: Path, problems: list[Problem]) -> list[Call]:
    data = _read_yaml(path, problems, "calls")
    calls = []
    for item in (data or {}).get("calls") or ():
        call_id = str(item.get("id", "?")) if isinstance(item, Mapping) else "?"
        try:
            calls.append(_call(item))
        except (KeyError, TypeError, ValueError, ZoneInfoNotFoundError) as error:
            problems.append(Problem(path, call_id, f"bad call: {_short(error)}"))
    return calls


def _call(item: Mapping[str, Any]) -> Call:
    zone = ZoneInfo(str(item["timezone"]))
    opens = _local(item.get("opens"), zone)
    closes = _local(item["closes"], zone)
    if closes is None:
        raise ValueError("closes is required")
    if opens is not None and opens >= closes:
        raise ValueError("opens must be before closes")
    title = {str(k): str(v) for k, v in item["title"].items()}
    missing = [lang for lang in REQUIRED_LANGUAGES if lang not in title]
    if missing:
        raise ValueError(f"title is missing languages: {', '.join(missing)}")
    audience = item.get("audience") or {}
    return Call(
        id=str(item["id"]),
        programme=str(item["programme"]),
        title=title,
        countries=tuple(audience.get("countries") or ()),
        cities=tuple(audience.get("cities") or ()),
        opens=opens,
        closes=closes,
        timezone=str(item["timezone"]),
        url=str(item["url"]),
    )


def _local(value: Any, zone: ZoneInfo) -> datetime | None:
    """A date-time written in the call's own time zone (``2026-03-12 23:59``)."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is not None:
        raise ValueError("write date-times without an offset: the call's timezone applies")
    return moment.replace(tzinfo=zone)


def _load_menu(path: Path, problems: list[Problem]) -> list[str]:
    data = _read_yaml(path, problems, "menu")
    return [str(topic) for topic in (data or {}).get("menu") or ()]


def _cross_checks(kb: KnowledgeBase, root: Path) -> list[Problem]:
    problems = []
    for topic in TOPICS:
        if topic not in kb.entries:
            problems.append(Problem(root / "entries" / f"{topic}.yml", topic, "topic has no valid entry"))
    for entry in kb.entries.values():
        for related in entry.related:
            if related not in kb.entries:
                problems.append(
                    Problem(entry.path or root, entry.id, f"related id {related!r} is not defined")
                )
    for topic in kb.menu:
        if topic not in kb.entries:
            problems.append(Problem(root / "menu.yml", topic, "menu id is not defined"))
    with_dialects = [e for e in kb.entries.values() if all(lang in e.answer for lang in DIALECT_LANGUAGES)]
    if len(with_dialects) < MIN_DIALECT_ENTRIES:
        problems.append(
            Problem(
                root / "entries",
                "*",
                f"only {len(with_dialects)} entries are in ary and aeb (at least {MIN_DIALECT_ENTRIES})",
            )
        )
    return problems
