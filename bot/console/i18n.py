"""The console's words in French, Italian, English and Arabic: one YAML catalogue a language in
``messages/``, the same keys in each (a test checks), Arabic written right to left.

A member of staff reads the console in their account's language; before logging in, in the language picked
on the page, else the browser's first one we have, else English.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.staff.accounts import CONSOLE_LANGUAGES

MESSAGES = Path(__file__).with_name("messages")
RIGHT_TO_LEFT = frozenset({"ar"})
DEFAULT = "en"


def load_catalogues(folder: Path = MESSAGES) -> dict[str, dict[str, str]]:
    """Language → key → text, for every console language."""
    catalogues = {}
    for language in CONSOLE_LANGUAGES:
        loaded = yaml.safe_load((folder / f"{language}.yml").read_text(encoding="utf-8"))
        catalogues[language] = {str(key): str(text) for key, text in loaded.items()}
    return catalogues


@dataclass(frozen=True)
class Words:
    """The catalogue of one language, called as ``t("key", name=value)``."""

    language: str
    catalogue: Mapping[str, str]

    @property
    def direction(self) -> str:
        """``rtl`` for Arabic, else ``ltr``."""
        return "rtl" if self.language in RIGHT_TO_LEFT else "ltr"

    def __call__(self, key: str, **values: object) -> str:
        text = self.catalogue[key]  # a missing key is a bug the catalogue test catches
        return text.format(**values) if values else text


def from_header(accept_language: str) -> str | None:
    """The first console language named in an ``Accept-Language`` header."""
    for part in accept_language.split(",")[:20]:
        code = part.split(";")[0].strip().lower()[:2]
        if code in CONSOLE_LANGUAGES:
            return code
    return None
