"""How alike two unanswered questions are, across languages, with nothing but what is installed.

Two signals, averaged with weights:

- **What the bot understood.** The trained Rasa model's intent probabilities for each question, as a vector
  (``nlu_fallback`` left out). The model was trained on the same topics in every variety, so "quand prend-on
  les empreintes", "imta ykhdo lia lbasamat" and "quando prendono le impronte" lean towards the same intents
  whatever their language: this is the signal that crosses languages.
- **How they are written.** Character 2- to 4-grams within words (TF-IDF, sublinear) of the text after the
  language layer's normalisation and the tokenizer's spelling folding, placeholders of masked data removed.
  It separates two questions the model is equally unsure about, and joins spellings of one phrasing.

Questions are grouped by single linkage: a question joins a group when it is at least ``THRESHOLD`` alike to
one of its questions, so a Darija question alike to one Italian spelling joins the French and Italian ones
that spelling is alike to. Chosen on 17 questions written for the purpose (six about when fingerprints are
taken, two in each of French, Darija and Italian, and eleven unrelated ones), with the model as it was before
those were learnt, over weights 0.5 to 0.7, thresholds 0.4 to 0.55 and average, weighted and single linkage:
only single linkage at 0.6 / 0.45 put the six in one group without joining an unrelated one to it (average
linkage left the Darija pair apart: its mean similarity to the others was 0.24).
``tests/staff/test_grouping.py`` measures it again on another phrasing. The model knows nothing of a word it
never saw, so unrelated questions it is equally unsure about can still pair up (a Darija question about a wife
and one about a phone), and questions it takes for out of scope chain together; the curator sees the examples
of each group.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.staff.masking import without_placeholders
from nlu.language.normalize import normalize

INTENT_WEIGHT = 0.6
THRESHOLD = 0.45
IGNORED_INTENTS = frozenset({"nlu_fallback"})

Understanding = Callable[[Sequence[str]], list[Mapping[str, float]]]
"""Texts in, for each the model's probability of every intent it ranked."""


class RasaUnderstanding:
    """The trained Rasa model as an ``Understanding`` (loaded once; a console passes its running agent's
    parser instead)."""

    def __init__(self, model_path: Path) -> None:
        from rasa.core.agent import Agent  # seconds to import: only when questions are grouped

        from bot import logs

        self._agent = Agent.load(str(model_path))
        logs.reapply()

    def __call__(self, texts: Sequence[str]) -> list[Mapping[str, float]]:
        return asyncio.run(self._parse_all(texts))

    async def _parse_all(self, texts: Sequence[str]) -> list[Mapping[str, float]]:
        parsed: list[Mapping[str, float]] = []
        for text in texts:
            result: dict[str, Any] = await self._agent.parse_message(text)
            parsed.append({r["name"]: float(r["confidence"]) for r in result.get("intent_ranking") or ()})
        return parsed


def comparable(text: str) -> str:
    """The text as the character signal compares it."""
    from nlu.components.spelling_folding_tokenizer import fold

    return fold(normalize(without_placeholders(text)))


def _cosine(matrix: Any) -> np.ndarray:
    dense = np.asarray(matrix.toarray() if hasattr(matrix, "toarray") else matrix, dtype=float)
    norms = np.linalg.norm(dense, axis=1, keepdims=True)
    unit = np.divide(dense, norms, out=np.zeros_like(dense), where=norms > 0)
    return np.clip(unit @ unit.T, 0.0, 1.0)


def intent_similarity(rankings: Sequence[Mapping[str, float]]) -> np.ndarray:
    """The Bhattacharyya coefficient of the intent distributions (the cosine of their square roots): a
    confident guess does not drown the intents a question also leans to."""
    names = sorted({n for r in rankings for n in r} - IGNORED_INTENTS)
    column = {n: i for i, n in enumerate(names)}
    vectors = np.zeros((len(rankings), max(len(names), 1)))
    for row, ranking in enumerate(rankings):
        for name, probability in ranking.items():
            if name in column:
                vectors[row, column[name]] = probability
    totals = vectors.sum(axis=1, keepdims=True)
    shares = np.divide(vectors, totals, out=np.zeros_like(vectors), where=totals > 0)
    return _cosine(np.sqrt(shares))


def character_similarity(texts: Sequence[str]) -> np.ndarray:
    """Cosine of the character n-gram TF-IDF vectors."""
    prepared = [comparable(t) for t in texts]
    if not any(prepared):
        return np.zeros((len(texts), len(texts)))
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    return _cosine(vectorizer.fit_transform(prepared))


def similarity(texts: Sequence[str], rankings: Sequence[Mapping[str, float]]) -> np.ndarray:
    """The combined similarity of every pair of questions (1 on the diagonal)."""
    combined = INTENT_WEIGHT * intent_similarity(rankings) + (1 - INTENT_WEIGHT) * character_similarity(texts)
    np.fill_diagonal(combined, 1.0)
    return combined


def clusters(matrix: np.ndarray, threshold: float = THRESHOLD) -> list[list[int]]:
    """Indices grouped by single linkage at ``threshold``; groups largest first, then by first index."""
    size = len(matrix)
    if size == 0:
        return []
    if size == 1:
        return [[0]]
    distance = np.clip(1.0 - (matrix + matrix.T) / 2, 0.0, 1.0)
    np.fill_diagonal(distance, 0.0)
    labels = fcluster(linkage(squareform(distance), method="single"), 1.0 - threshold, "distance")
    found: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        found.setdefault(int(label), []).append(index)
    return sorted(found.values(), key=lambda g: (-len(g), g[0]))
