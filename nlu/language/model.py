"""The small language model: character n-grams and words into a linear classifier (scikit-learn).

``mentor train`` fits a scikit-learn pipeline on the project's own examples and saves it. Scoring one short
message through ``Pipeline.predict_proba`` costs about 2 ms, nearly all of it per-call overhead (input
validation, sparse matrices), so ``LinearScorer`` reads the fitted weights once into a table keyed by
n-gram and scores with the pipeline's own analyzers. ``tests/nlu`` checks it agrees with ``predict_proba``.
"""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from nlu.language.normalize import normalize


def build() -> Pipeline:
    """An untrained pipeline."""
    features = FeatureUnion(
        [
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, min_df=2)),
            ("words", TfidfVectorizer(analyzer="word", token_pattern=r"[^\W_]+", sublinear_tf=True)),
        ]
    )
    return Pipeline([("features", features), ("classifier", LogisticRegression(C=20, max_iter=3000))])


def train(pairs: Sequence[tuple[str, str]]) -> Pipeline:
    """Fit a pipeline on (text, variety) pairs."""
    model = build()
    model.fit([normalize(text) for text, _ in pairs], [variety for _, variety in pairs])
    return model


def save(model: Pipeline, path: Path) -> None:
    """Write the trained model (a pickle of our own training output, read back by ``load``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        pickle.dump(model, handle, protocol=pickle.HIGHEST_PROTOCOL)


def load(path: Path) -> Pipeline:
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
