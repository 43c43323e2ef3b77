"""Text as the language model sees it: lower case, no Arabic diacritics, no letter stretched past two."""

from __future__ import annotations

import re

_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")  # harakat, superscript alef, tatweel
_STRETCHED = re.compile(r"(\D)\1{2,}")
_SPACES = re.compile(r"\s+")
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


def normalize(text: str) -> str:
    """Fold case and spelling noise that says nothing about the language."""
    text = _ARABIC_MARKS.sub("", text.lower())
    text = _STRETCHED.sub(r"\1\1", text)
    return _SPACES.sub(" ", text).strip()


def tokens(text: str) -> list[str]:
    """Word tokens of normalised text (Arabizi digits stay inside words: ``3afak``, ``n7eb``)."""
    return _TOKEN.findall(text)
