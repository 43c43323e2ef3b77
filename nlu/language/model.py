"""The small language models, fitted with scikit-learn on the project's own examples.

Two models: ``general`` (character n-grams and words into a logistic regression) tells the eight varieties
apart; ``dialects`` (character n-gram counts into naive Bayes, which does better on this small data) then
splits Latin-script Arabizi between Moroccan Darija and Tunisian Derja.

Scoring one short message through ``Pipeline.predict_proba`` costs about 2 ms, nearly all of it per-call
overhead (input validation, sparse matrices), so the scorers below read the fitted weights once into
tables keyed by n-gram and score with the pipelines' own analyzers. ``tests/nlu`` checks they agree with
``predict_proba``.
"""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import FeatureUnion, Pipeline

from nlu.language.normalize import normalize

DIALECTS = ("ary_latn", "aeb_latn")


@dataclass(frozen=True)
class LanguageModels:
    """The two fitted pipelines, saved and loaded together."""

    general: Pipeline
    dialects: Pipeline


def build_general() -> Pipeline:
    """An untrained pipeline for the eight varieties."""
    features = FeatureUnion(
        [
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, min_df=2)),
            ("words", TfidfVectorizer(analyzer="word", token_pattern=r"[^\W_]+", sublinear_tf=True)),
        ]
    )
    return Pipeline([("features", features), ("classifier", LogisticRegression(C=20, max_iter=3000))])


def build_dialects() -> Pipeline:
    """An untrained pipeline for Darija against Derja in Latin script."""
    counts = CountVectorizer(analyzer="char_wb", ngram_range=(1, 5))
    return Pipeline([("features", counts), ("classifier", MultinomialNB(alpha=0.1))])


def train(pairs: Sequence[tuple[str, str]]) -> LanguageModels:
    """Fit both pipelines on (text, variety) pairs."""
    texts = [normalize(text) for text, _ in pairs]
    labels = [variety for _, variety in pairs]
    general = build_general().fit(texts, labels)
    dialect_rows = [(t, v) for t, v in zip(texts, labels, strict=True) if v in DIALECTS]
    dialects = build_dialects().fit([t for t, _ in dialect_rows], [v for _, v in dialect_rows])
    return LanguageModels(general=general, dialects=dialects)


def save(model: LanguageModels, path: Path) -> None:
    """Write the trained model (a pickle of our own training output, read back by ``load``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        pickle.dump(model, handle, protocol=pickle.HIGHEST_PROTOCOL)


def load(path: Path) -> LanguageModels:
    """Read a model written by ``save``."""
    with path.open("rb") as handle:
        return pickle.load(handle)


class _Block:
    """One TF-IDF vectorizer of the union: its analyzer, and per n-gram its idf and class weights."""

    def __init__(self, vectorizer: TfidfVectorizer, coef: np.ndarray, offset: int) -> None:
        self.analyze: Callable[[str], list[str]] = vectorizer.build_analyzer()
        self.columns: dict[str, int] = dict(vectorizer.vocabulary_)
        self.idf = vectorizer.idf_
        self.coef = np.ascontiguousarray(coef[:, offset : offset + len(self.columns)].T)

    def add_scores(self, text: str, scores: np.ndarray) -> None:
        counts = Counter(gram for gram in self.analyze(text) if gram in self.columns)
        if not counts:
            return
        columns = np.fromiter((self.columns[g] for g in counts), dtype=np.intp, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=float, count=len(counts)))) * self.idf[
            columns
        ]
        scores += (values / np.sqrt(values @ values)) @ self.coef[columns]


class LinearScorer:
    """Class probabilities of the fitted pipeline, computed from its weights without per-call overhead."""

    def __init__(self, pipeline: Pipeline) -> None:
        classifier: LogisticRegression = pipeline.named_steps["classifier"]
        self.classes: list[str] = list(classifier.classes_)
        self._intercept = classifier.intercept_.astype(float)
        blocks, offset = [], 0
        for _, vectorizer in pipeline.named_steps["features"].transformer_list:
            blocks.append(_Block(vectorizer, classifier.coef_, offset))
            offset += len(vectorizer.vocabulary_)
        self._blocks = blocks

    def probabilities(self, normalized_text: str) -> dict[str, float]:
        """Softmax over the linear scores, as ``predict_proba`` gives for a multinomial model."""
        scores = self._intercept.copy()
        for block in self._blocks:
            block.add_scores(normalized_text, scores)
        exp = np.exp(scores - scores.max())
        return dict(zip(self.classes, (exp / exp.sum()).tolist(), strict=True))


class NaiveBayesScorer:
    """Class probabilities of a fitted counts-plus-naive-Bayes pipeline, from its log-probability table."""

    def __init__(self, pipeline: Pipeline) -> None:
        vectorizer: CountVectorizer = pipeline.named_steps["features"]
        classifier: MultinomialNB = pipeline.named_steps["classifier"]
        self.classes: list[str] = list(classifier.classes_)
        self._analyze: Callable[[str], list[str]] = vectorizer.build_analyzer()
        self._columns: dict[str, int] = dict(vectorizer.vocabulary_)
        self._log_prob = np.ascontiguousarray(classifier.feature_log_prob_.T)
        self._prior = classifier.class_log_prior_.astype(float)

    def probabilities(self, normalized_text: str) -> dict[str, float]:
        """Posterior of each class, as ``predict_proba`` gives it."""
        counts = Counter(gram for gram in self._analyze(normalized_text) if gram in self._columns)
        scores = self._prior.copy()
        if counts:
            columns = np.fromiter((self._columns[g] for g in counts), dtype=np.intp, count=len(counts))
            weights = np.fromiter(counts.values(), dtype=float, count=len(counts))
            scores += weights @ self._log_prob[columns]
        exp = np.exp(scores - scores.max())
        return dict(zip(self.classes, (exp / exp.sum()).tolist(), strict=True))
