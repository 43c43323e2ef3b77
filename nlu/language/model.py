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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import FeatureUnion, Pipeline

from nlu.language import corpus_stats
from nlu.language.normalize import normalize

DIALECTS = ("ary_latn", "aeb_latn")
DIALECT_ALPHA = 0.1
# Weight of the Derja corpus counts (``stats/``) against our own examples. Measured on ../shared/eval/langid
# at 0.3: Derja 97.7% but Darija 87.7% (short Moroccan chat then reads as Tunisian, since only Tunisian chat
# is in the corpus), against 90.3% and 95.4% without; so the shipped model does not add them (README).
CORPUS_WEIGHT = 0.0


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


def fit_dialects(
    texts: Sequence[str],
    labels: Sequence[str],
    extra: Mapping[str, Counter[str]] | None = None,
    extra_weight: float = CORPUS_WEIGHT,
) -> Pipeline:
    """Naive Bayes for Darija against Derja in Latin script, on our examples plus corpus counts.

    ``extra`` holds, per variety, n-gram counts from a corpus (``corpus_stats``): they join the vocabulary and
    are added to that class's counts, scaled by ``extra_weight`` so a large corpus informs the split without
    drowning our own examples. Class priors stay those of our examples.
    """
    extra = {v: c for v, c in (extra or {}).items() if v in DIALECTS and c and extra_weight > 0}
    vocabulary = {gram for grams in extra.values() for gram in grams}
    vocabulary.update(corpus_stats.ngram_analyzer().fit(texts).vocabulary_)
    vectorizer = corpus_stats.ngram_analyzer().set_params(vocabulary=sorted(vocabulary))
    matrix = vectorizer.fit_transform(texts)
    classes = sorted(set(labels))
    prior = [sum(label == c for label in labels) / len(labels) for c in classes]
    rows, row_labels = [matrix], list(labels)
    weights = [1.0] * len(labels)
    for variety, grams in sorted(extra.items()):
        columns = [vectorizer.vocabulary_[g] for g in grams]
        counts = (list(grams.values()), ([0] * len(columns), columns))
        rows.append(sparse.csr_matrix(counts, shape=(1, len(vocabulary))))
        row_labels.append(variety)
        weights.append(extra_weight)
    classifier = MultinomialNB(alpha=DIALECT_ALPHA, class_prior=prior)
    classifier.fit(sparse.vstack(rows).tocsr(), row_labels, sample_weight=weights)
    return Pipeline([("features", vectorizer), ("classifier", classifier)])


def train(
    pairs: Sequence[tuple[str, str]], extra: Mapping[str, Counter[str]] | None = None
) -> LanguageModels:
    """Fit both models on (text, variety) pairs; ``extra`` defaults to the committed corpus statistics."""
    texts = [normalize(text) for text, _ in pairs]
    labels = [variety for _, variety in pairs]
    general = build_general().fit(texts, labels)
    dialect_rows = [(t, v) for t, v in zip(texts, labels, strict=True) if v in DIALECTS]
    dialect_texts, dialect_labels = [t for t, _ in dialect_rows], [v for _, v in dialect_rows]
    if extra is None:
        extra = {"aeb_latn": corpus_stats.load_chars("aeb_latn")}
    dialects = fit_dialects(dialect_texts, dialect_labels, extra)
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
