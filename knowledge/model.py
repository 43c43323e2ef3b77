"""Values of the knowledge base: entries, sources, calls, and the loaded whole."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

REQUIRED_LANGUAGES = ("fr", "ar", "en", "it")
DIALECT_LANGUAGES = ("ary", "aeb")
REPLY_LANGUAGES = REQUIRED_LANGUAGES + DIALECT_LANGUAGES
FALLBACK_LANGUAGE = "fr"


def pick(texts: Mapping[str, str], language: str) -> str:
    """The text in ``language``, or in French where that language was not written."""
    return texts.get(language) or texts[FALLBACK_LANGUAGE]


@dataclass(frozen=True)
class Source:
    """Where a fact comes from."""

    title: str
    url: str


@dataclass(frozen=True)
class Entry:
    """One curated answer to a topic, in every reply language."""

    id: str
    title: Mapping[str, str]
    answer: Mapping[str, str]
    sources: tuple[Source, ...]
    checked: date
    recheck_by: date
    related: tuple[str, ...] = ()
    by_country: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    path: Path | None = None

    def answer_in(self, language: str, country: str | None = None) -> str:
        """The answer in a language, with the paragraph for the person's country when there is one."""
        text = pick(self.answer, language).strip()
        extra = self.by_country.get(country or "")
        if extra:
            text = f"{text}\n\n{pick(extra, language).strip()}"
        return text


@dataclass(frozen=True)
class Call:
    """A call for applications with its window, as staff maintain it in ``calls.yml``."""

    id: str
    programme: str
    title: Mapping[str, str]
    countries: tuple[str, ...]
    cities: tuple[str, ...]
    opens: datetime | None
    closes: datetime
    timezone: str
    url: str


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the bot may say, loaded and validated."""

    entries: Mapping[str, Entry]
    strings: Mapping[str, Mapping[str, str]]
    calls: tuple[Call, ...]
    menu: tuple[str, ...]

    def string(self, key: str, language: str, /, **params: object) -> str:
        """An interface string in a language (French where it is missing), filled with ``params``."""
        texts = {lang: table[key] for lang, table in self.strings.items() if key in table}
        return pick(texts, language).format(**params)
