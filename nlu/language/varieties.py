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


# The Latin-script dialect of each country a channel vouches for (a WhatsApp id's prefix), and how unsure
# the layer must be between the two dialects before the country decides.
COUNTRY_DIALECT: dict[str, str] = {"MA": "ary_latn", "TN": "aeb_latn"}
DIALECT_DOUBT = 0.6


def dialect_for_country(variety: str, confidence: float, country: str | None) -> str:
    """Darija or Derja as the person's country says, when the layer hesitated between the two; any other
    variety (French, English, Arabic script...) is left alone."""
    dialect = COUNTRY_DIALECT.get(country or "")
    if dialect is None or variety not in COUNTRY_DIALECT.values() or variety == dialect:
        return variety
    return dialect if confidence < DIALECT_DOUBT else variety
