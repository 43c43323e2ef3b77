"""Which writing system a message uses, by counting its letters."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class ScriptCount:
    """Letters of each script in a message."""

    arabic: int
    latin: int
    other: int

    @property
    def letters(self) -> int:
        """All letters, whatever the script."""
        return self.arabic + self.latin + self.other

    @property
    def main(self) -> str:
        """``arab``, ``latn``, ``other`` or ``none`` (no letters: emoji, digits, punctuation)."""
        if self.letters == 0:
            return "none"
        best = max((self.arabic, "arab"), (self.latin, "latn"), (self.other, "other"))
        return best[1]


def count(text: str) -> ScriptCount:
    """Count Arabic, Latin and other letters."""
    arabic = latin = other = 0
    for char in text:
        if not char.isalpha():
            continue
        if "\u0600" <= char <= "\u06ff" or "\u0750" <= char <= "\u077f" or "\ufb50" <= char <= "\ufeff":
            arabic += 1
        elif char.isascii() or unicodedata.name(char, "").startswith("LATIN"):
            latin += 1
        else:
            other += 1
    return ScriptCount(arabic=arabic, latin=latin, other=other)
