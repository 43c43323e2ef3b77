"""Score the language layer on ``../shared/eval/langid`` beside raw langdetect, row for row.

The file is read, never copied or trained on. Arabic-script rows count as right when the Arabic family
is right (DESIGN replies in Arabic to all three); Darija, Derja and MSA are also reported exactly.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from langdetect import DetectorFactory, LangDetectException, detect

from bot.evaluation.tables import render
from bot.settings import ROOT
from nlu.language.layer import LanguageLayer
from nlu.language.varieties import ARABIC_SCRIPT, VARIETIES, family

DEFAULT_FILE = ROOT.parent / "shared" / "eval" / "langid" / "langid_eval.tsv"


@dataclass(frozen=True)
class VarietyScore:
    """Accuracy of the layer and of langdetect on one variety's rows."""

    variety: str
    rows: int
    layer: float
    langdetect: float
    layer_exact: float


def read_rows(path: Path) -> list[tuple[str, str]]:
    """(text, label) rows of the evaluation file."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [(row["text"], row["label"]) for row in reader if row.get("label") in VARIETIES]


def raw_langdetect(text: str) -> str:
    """langdetect's answer mapped onto our codes (``ar`` stands for the Arabic family)."""
    try:
        return detect(text)
    except LangDetectException:
        return "unknown"


def _right(predicted: str, label: str) -> bool:
    return family(predicted) == family(label)


def score(layer: LanguageLayer, rows: Iterable[tuple[str, str]]) -> list[VarietyScore]:
    """Per-variety accuracy of the layer (family for Arabic script) and of raw langdetect."""
    DetectorFactory.seed = 0
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for text, label in rows:
        guess = layer.detect(text).variety
        counts = tally[label]
        counts[0] += 1
        counts[1] += _right(guess, label)
        counts[2] += _right(raw_langdetect(text), label)
        counts[3] += guess == label
    return [
        VarietyScore(v, c[0], c[1] / c[0], c[2] / c[0], c[3] / c[0])
        for v in VARIETIES
        if (c := tally.get(v)) and c[0]
    ]


def report(scores: list[VarietyScore]) -> str:
    """The table for the terminal and the README."""
    rows = [
        (s.variety, s.rows, s.layer, s.langdetect, s.layer_exact if s.variety in ARABIC_SCRIPT else "")
        for s in scores
    ]
    return render(["variety", "rows", "layer", "raw langdetect", "layer, exact variety"], rows)
