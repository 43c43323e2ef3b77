"""DESIGN's variety codes and the reply language each one asks for."""

from __future__ import annotations

VARIETIES: tuple[str, ...] = ("fr", "en", "it", "ar", "ary_arab", "ary_latn", "aeb_arab", "aeb_latn")
ARABIC_SCRIPT: tuple[str, ...] = ("ar", "ary_arab", "aeb_arab")
LATIN_SCRIPT: tuple[str, ...] = ("fr", "en", "it", "ary_latn", "aeb_latn")

REPLY_FOR_VARIETY: dict[str, str] = {
    "fr": "fr",
    "en": "en",
    "it": "it",
    "ar": "ar",
    "ary_arab": "ar",
    "aeb_arab": "ar",
    "ary_latn": "ary",
    "aeb_latn": "aeb",
}


def family(variety: str) -> str:
    """``arabic`` for the three Arabic-script varieties, else the variety itself."""
    return "arabic" if variety in ARABIC_SCRIPT else variety
