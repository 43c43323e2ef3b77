"""Does a message ask about paying someone for a visa, a contract or a place? (See ``scam_signals.yml``.)"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from nlu.language.normalize import normalize, tokens

SIGNALS_FILE = Path(__file__).resolve().parent / "scam_signals.yml"


@dataclass(frozen=True)
class ScamSignals:
    """Word lists for paying and for the things scammers sell."""

    paying: frozenset[str]
    things: frozenset[str]

    @classmethod
    def load(cls, path: Path = SIGNALS_FILE) -> ScamSignals:
        """Read the word lists."""
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            paying=frozenset(normalize(str(w)) for w in data["paying"]),
            things=frozenset(normalize(str(w)) for w in data["things"]),
        )

    def detect(self, text: str) -> bool:
        """True when the message names both a payment and a visa, contract or place."""
        norm = normalize(text)
        words = set(tokens(norm))
        padded = f" {norm} "
        return _any(self.paying, words, padded) and _any(self.things, words, padded)


def _any(vocabulary: frozenset[str], words: set[str], padded: str) -> bool:
    return any(
        (term in words) if not (" " in term or "-" in term) else (f" {term} " in padded)
        for term in vocabulary
    )
