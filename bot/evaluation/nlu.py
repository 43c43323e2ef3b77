"""Topic accuracy, top-3 and near-neighbour rates on the held-out sets in ``tests/data/`` (never trained on).

Each message goes through the whole conversation core, as ``mentor ask`` does, so what is measured is what a
person gets: the topic answered and the topics offered when the bot is unsure (``suggestions``).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.core.conversation import TurnResult
from bot.core.messages import InboundMessage
from bot.evaluation.tables import render
from bot.settings import ROOT
from knowledge.topics import NEAR_NEIGHBOURS

DATA_DIR = ROOT / "tests" / "data"
HELDOUT_DIR = DATA_DIR / "heldout"
# The project's held-out set, and a second one written from personas and situations by another hand.
HELDOUT_SETS: dict[str, Path] = {"heldout": HELDOUT_DIR, "heldout_personas": DATA_DIR / "heldout_personas"}
OUT_OF_SCOPE = "out_of_scope"

Row = tuple[str, str, str]
Handler = Callable[[str], Awaitable[TurnResult]]


@dataclass(frozen=True)
class Prediction:
    """One held-out message: its set and variety, the expected topic, the one answered and those offered."""

    variety: str
    text: str
    expected: str
    predicted: str
    suggestions: tuple[str, ...] = ()
    heldout: str = "heldout"

    @property
    def right(self) -> bool:
        return self.expected == self.predicted

    @property
    def in_top3(self) -> bool:
        """The right topic was answered, or offered among the suggestions."""
        return self.right or self.expected in self.suggestions

    @property
    def near_neighbour(self) -> bool:
        return self.expected in NEAR_NEIGHBOURS

    @property
    def kept_out(self) -> bool:
        """A near-neighbour question got a near-neighbour answer or "out of scope", never an art. 27 one."""
        return self.predicted in NEAR_NEIGHBOURS or self.predicted == OUT_OF_SCOPE


def read_heldout(folder: Path = HELDOUT_DIR) -> list[Row]:
    """(variety, text, topic) for every example of one held-out set; none when the folder is absent."""
    rows = []
    for path in sorted(folder.glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or ():
            rows.append((path.stem, str(item["text"]), str(item["topic"])))
    return rows


def handler(conversation: object, channel: str = "eval") -> Handler:
    """Each message from a new person, so no earlier turn colours the answer."""

    async def handle(text: str) -> TurnResult:
        return await conversation.handle(InboundMessage(channel, uuid.uuid4().hex, text))  # type: ignore[attr-defined]

    return handle


def predict(handle: Handler, rows: Iterable[Row], heldout: str = "heldout") -> list[Prediction]:
    """Answer every message through the conversation core."""

    async def answer_all() -> list[Prediction]:
        predictions = []
        for variety, text, expected in rows:
            result = await handle(text)
            predictions.append(
                Prediction(variety, text, expected, result.topic, tuple(result.suggestions), heldout)
            )
        return predictions

    return asyncio.run(answer_all())


def predict_all(handle: Handler) -> dict[str, list[Prediction]]:
    """Predictions for every held-out set that is there."""
    found = {name: read_heldout(folder) for name, folder in HELDOUT_SETS.items()}
    return {name: predict(handle, rows, name) for name, rows in found.items() if rows}


def rates(predictions: list[Prediction], key: str) -> dict[str, tuple[int, float, float]]:
    """(count, accuracy, top-3 rate) grouped by ``variety`` or ``expected`` topic."""
    groups: dict[str, list[Prediction]] = defaultdict(list)
    for p in predictions:
        groups[getattr(p, key)].append(p)
    return {
        name: (len(ps), _share(ps, "right"), _share(ps, "in_top3")) for name, ps in sorted(groups.items())
    }


def accuracy(predictions: list[Prediction], key: str) -> dict[str, tuple[int, float]]:
    """(count, accuracy) grouped by ``variety`` or ``expected`` topic."""
    return {name: (n, right) for name, (n, right, _) in rates(predictions, key).items()}


def near_neighbour_rates(predictions: list[Prediction]) -> dict[str, tuple[int, float]]:
    """Per variety: (near-neighbour rows, share kept out of art. 27 answers)."""
    groups: dict[str, list[Prediction]] = defaultdict(list)
    for p in predictions:
        if p.near_neighbour:
            groups[p.variety].append(p)
    return {v: (len(ps), _share(ps, "kept_out")) for v, ps in sorted(groups.items())}


def summary(predictions: list[Prediction]) -> tuple[float, float, float | None]:
    """Overall accuracy, top-3 rate and near-neighbour rate (None without near-neighbour rows)."""
    near = [p for p in predictions if p.near_neighbour]
    return (
        _share(predictions, "right"),
        _share(predictions, "in_top3"),
        _share(near, "kept_out") if near else None,
    )


def _share(predictions: list[Prediction], attribute: str) -> float:
    return sum(getattr(p, attribute) for p in predictions) / len(predictions) if predictions else 0.0


def report(predictions: list[Prediction], confusions: int = 12) -> str:
    """Tables per variety and per topic, then the most common confusions, for one held-out set."""
    overall, top3, near = summary(predictions)
    near_rows = near_neighbour_rates(predictions)
    head = f"accuracy {overall:.1%}, top-3 {top3:.1%}"
    if near is not None:
        head += f", near neighbours kept out {near:.1%}"
    by_variety = [
        (v, n, a, t, *near_rows.get(v, (0, ""))) for v, (n, a, t) in rates(predictions, "variety").items()
    ]
    by_topic = rates(predictions, "expected")
    mistakes = Counter((p.expected, p.predicted) for p in predictions if not p.right)
    return "\n\n".join(
        [
            f"{predictions[0].heldout}: {head} on {len(predictions)} messages",
            render(["variety", "messages", "accuracy", "top-3", "near neighbours", "kept out"], by_variety),
            render(["topic", "messages", "accuracy", "top-3"], [(t, *r) for t, r in by_topic.items()]),
            render(
                ["expected", "answered", "times"],
                [(e, p, n) for (e, p), n in mistakes.most_common(confusions)],
            ),
        ]
    )
