"""A confusion-matrix picture of the held-out sets, for the README: where each expected topic was answered."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bot.evaluation.nlu import Prediction
from bot.settings import ROOT

DEFAULT_PNG = ROOT / "docs" / "confusion.png"


def labels(predictions: list[Prediction]) -> list[str]:
    """Every topic expected or answered, sorted, so the matrix is square."""
    return sorted({p.expected for p in predictions} | {p.predicted for p in predictions})


def matrix(predictions: list[Prediction]) -> tuple[list[str], list[list[float]]]:
    """Rows are expected topics, columns answered ones; each row is the share of its messages."""
    names = labels(predictions)
    counts = Counter((p.expected, p.predicted) for p in predictions)
    totals = Counter(p.expected for p in predictions)
    rows = [
        [counts[(expected, answered)] / totals[expected] if totals[expected] else 0.0 for answered in names]
        for expected in names
    ]
    return names, rows


def write_png(predictions: list[Prediction], path: Path = DEFAULT_PNG, title: str = "") -> Path:
    """Draw the matrix with matplotlib (headless) and save it; returns the path written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names, rows = matrix(predictions)
    size = max(6.0, 0.32 * len(names) + 3)
    figure, axes = plt.subplots(figsize=(size, size))
    image = axes.imshow(rows, cmap="Blues", vmin=0.0, vmax=1.0)
    axes.set_xticks(range(len(names)))
    axes.set_yticks(range(len(names)))
    axes.set_xticklabels(names, rotation=90, fontsize=7)
    axes.set_yticklabels(names, fontsize=7)
    axes.set_xlabel("answered topic")
    axes.set_ylabel("expected topic")
    for i, row in enumerate(rows):
        for j, share in enumerate(row):
            if share and i != j:
                axes.text(j, i, f"{share:.0%}", ha="center", va="center", fontsize=5, color="darkred")
    axes.set_title(title or f"Held-out sets, {len(predictions)} messages (share of each expected topic)")
    figure.colorbar(image, ax=axes, fraction=0.04)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
