"""Decide the variety of one message from all the signals (see the package docstring)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import yaml
from langdetect import DetectorFactory, LangDetectException, detect_langs
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from nlu.language import model as language_model
from nlu.language import script
from nlu.language.normalize import normalize, tokens
from nlu.language.varieties import ARABIC_SCRIPT, LATIN_SCRIPT, VARIETIES

LEXICON_FILE = Path(__file__).resolve().parent / "lexicon.yml"
LIBRARY_LANGUAGES = ["fr", "en", "it", "es", "de", "pt", "ar"]
SERVED_BY_LIBRARY = ("fr", "en", "it")
FOREIGN = ("es", "de")

LEXICON_WEIGHT = 0.35
LIBRARY_WEIGHT = 0.15
PREVIOUS_WEIGHT = 0.12
# Prior odds for the Darija/Derja split in Latin script: the person's country, and the dialect of their
# earlier messages. At 3:1 each they decide an even split but never a clear one (a 90:10 reading stays).
COUNTRY_ODDS = 3.0
PREVIOUS_ODDS = 3.0
NB_TEMPERATURE = 5.0  # the dialect model's n-gram orders, 1 to 5
COUNTRY_DIALECT = {"MA": "ary_latn", "TN": "aeb_latn"}
SHORT_CONFIDENCE = 0.6
UNCLEAR_CONFIDENCE = 0.5
DIALECT_SPLIT_FROM = 0.05  # below this, the message is French, English or Italian and the split cannot matter
FOREIGN_CONFIDENCE = 0.999
FOREIGN_MIN_WORDS = 4


@dataclass(frozen=True)
class LanguageGuess:
    """The variety of a message, how sure the layer is, and what it saw."""

    variety: str
    confidence: float
    script: str
    too_short: bool = False
    foreign: str | None = None


def load_lexicon(path: Path = LEXICON_FILE) -> dict[str, frozenset[str]]:
    """Marker words per variety; a word listed under two varieties marks neither."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    words = {variety: {normalize(str(w)) for w in raw.get(variety, ())} for variety in VARIETIES}
    shared = {w for v in VARIETIES for w in words[v] if sum(w in words[o] for o in VARIETIES) > 1}
    return {variety: frozenset(words[variety] - shared) for variety in VARIETIES}


class LanguageLayer:
    """Combines the signals; ``detect`` is pure given the loaded model."""

    def __init__(self, models: language_model.LanguageModels, lexicon: dict[str, frozenset[str]]) -> None:
        self._general = language_model.LinearScorer(models.general)
        self._dialects = language_model.NaiveBayesScorer(models.dialects)
        self._lexicon = lexicon
        self._library = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
        self._library.set_languages(LIBRARY_LANGUAGES)
        DetectorFactory.seed = 0

    @classmethod
    def load(cls, model_path: Path) -> LanguageLayer:
        """Load the trained model and the lexicon."""
        return cls(language_model.load(model_path), load_lexicon())

    def detect(self, text: str, previous: str | None = None, country: str | None = None) -> LanguageGuess:
        """The variety of ``text``.

        ``previous``, the conversation's variety, decides unclear messages; it and ``country`` (``MA`` or
        ``TN``, where known) also weigh as priors in the Darija/Derja split, beside the message's evidence.
        """
        norm = normalize(text)
        counts = script.count(norm)
        if counts.main in ("none", "other"):
            return LanguageGuess(previous or "fr", 0.0, counts.main, too_short=True)
        candidates = ARABIC_SCRIPT if counts.main == "arab" else LATIN_SCRIPT
        words = tokens(norm)
        leanings = _dialect_leanings(previous, country)
        scores = self._model_scores(norm, candidates, leanings)
        hits = {v: sum(w in self._lexicon[v] for w in words) for v in candidates}
        total_hits = sum(hits.values())
        for variety in candidates:
            if total_hits:
                scores[variety] += LEXICON_WEIGHT * hits[variety] / total_hits
        foreign = None
        if counts.main == "latn":
            language, probability = self._library.classify(norm)
            if language in SERVED_BY_LIBRARY:
                scores[language] += LIBRARY_WEIGHT * probability
            elif language in FOREIGN and probability > FOREIGN_CONFIDENCE and total_hits == 0:
                foreign = language if _long_without_arabizi(words) else None
        if previous in scores:
            scores[previous] += PREVIOUS_WEIGHT
        variety, confidence = _best(scores)
        if counts.main == "latn" and confidence < UNCLEAR_CONFIDENCE and len(words) >= 4:
            scores = self._second_opinion(norm, scores)
            variety, confidence = _best(scores)
        too_short = len(words) <= 2 and total_hits == 0 and confidence < SHORT_CONFIDENCE
        if too_short and previous in candidates:
            variety = previous
        return LanguageGuess(variety, round(confidence, 3), counts.main, too_short=too_short, foreign=foreign)

    def _model_scores(
        self, norm: str, candidates: tuple[str, ...], leanings: dict[str, float]
    ) -> dict[str, float]:
        probabilities = self._general.probabilities(norm)
        kept = {v: float(probabilities.get(v, 0.0)) for v in candidates}
        total = sum(kept.values()) or 1.0
        scores = {v: p / total for v, p in kept.items()}
        arabizi = sum(scores.get(v, 0.0) for v in language_model.DIALECTS)
        if arabizi >= DIALECT_SPLIT_FROM:
            shares = self._dialects.probabilities(norm)
            if leanings:
                shares = _with_leanings(shares, leanings)
            for variety, share in shares.items():
                scores[variety] = arabizi * share
        return scores

    @staticmethod
    def _second_opinion(norm: str, scores: dict[str, float]) -> dict[str, float]:
        """Ask langdetect (slow, so only for long unclear Latin text) about French, English and Italian."""
        try:
            opinions = detect_langs(norm)
        except LangDetectException:
            return scores
        updated = dict(scores)
        for opinion in opinions:
            if opinion.lang in SERVED_BY_LIBRARY:
                updated[opinion.lang] += LIBRARY_WEIGHT * opinion.prob
        return updated


def _dialect_leanings(previous: str | None, country: str | None) -> dict[str, float]:
    """Prior odds factors on Darija and Derja from the person's country and their earlier dialect."""
    leanings: dict[str, float] = {}
    for dialect, odds in ((COUNTRY_DIALECT.get(country or ""), COUNTRY_ODDS), (previous, PREVIOUS_ODDS)):
        if dialect in language_model.DIALECTS:
            leanings[dialect] = leanings.get(dialect, 1.0) * odds
    return leanings


def _with_leanings(shares: dict[str, float], leanings: dict[str, float]) -> dict[str, float]:
    """The naive Bayes split tempered, then weighed by the prior odds.

    Naive Bayes counts each letter in up to five overlapping n-grams as if they were independent, so on a
    two-word message it says 99:1 on little evidence; tempered by ``NB_TEMPERATURE`` its odds can be weighed
    against a prior. Without leanings the raw split is used, so context-free results do not change.
    """
    logs = {v: math.log(max(p, 1e-300)) / NB_TEMPERATURE for v, p in shares.items()}
    logs = {v: x + math.log(leanings.get(v, 1.0)) for v, x in logs.items()}
    top = max(logs.values())
    weights = {v: math.exp(x - top) for v, x in logs.items()}
    total = sum(weights.values())
    return {v: w / total for v, w in weights.items()}


def _long_without_arabizi(words: list[str]) -> bool:
    """Enough words to trust py3langid, and none written with Arabizi digits (``3afak``, ``n7eb``)."""
    arabizi = any(ch.isdigit() for w in words if not w.isdigit() for ch in w)
    return len(words) >= FOREIGN_MIN_WORDS and not arabizi


def _best(scores: dict[str, float]) -> tuple[str, float]:
    total = sum(scores.values()) or 1.0
    variety = max(scores, key=scores.__getitem__)
    return variety, scores[variety] / total
