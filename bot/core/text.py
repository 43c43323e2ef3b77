"""Cleaning what people send before anything reads it, and cutting what the bot sends to fit a channel."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_CHARS = 1000


@dataclass(frozen=True)
class CleanText:
    """The text to read, and whether it had to be cut."""

    text: str
    truncated: bool

    @property
    def has_letters(self) -> bool:
        """Whether there is anything to read (emoji, digits and punctuation alone are not)."""
        return any(char.isalpha() for char in self.text)


def clean(raw: str, max_chars: int = MAX_CHARS) -> CleanText:
    """Drop control and invisible format characters, fold whitespace, and cut very long text."""
    text = unicodedata.normalize("NFC", raw or "")
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char in "\n\t" or char.isspace():
            kept.append(" ")
        elif category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        else:
            kept.append(char)
    folded = " ".join("".join(kept).split())
    if len(folded) > max_chars:
        return CleanText(folded[:max_chars].rsplit(" ", 1)[0] or folded[:max_chars], truncated=True)
    return CleanText(folded, truncated=False)


_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+")


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at paragraphs, then sentences, then spaces."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = window.rfind("\n\n")
        if cut < limit // 2:
            ends = [m.end() for m in _SENTENCE_END.finditer(window)]
            cut = ends[-1] if ends and ends[-1] >= limit // 2 else window.rfind(" ")
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    return pieces
