"""Topic accuracy of the NLU on the held-out sets in ``tests/data/`` (never trained on)."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml
from rasa.core.agent import Agent

from bot.evaluation.tables import render
from bot.settings import ROOT
from knowledge.topics import intent_for_topic, topic_of_intent

HELDOUT_DIR = ROOT / "tests" / "data" / "heldout"
# Two sets written by different methods: one question per topic, and messages written from personas.
HELDOUT_SETS: dict[str, Path] = {
    "heldout": HELDOUT_DIR,
    "personas": ROOT / "tests" / "data" / "heldout_personas",
}


@dataclass(frozen=True)
class Prediction:
    """One held-out message: its variety, the expected topic and the predicted one."""

    variety: str
    text: str
    expected: str
    predicted: str


def read_heldout(folder: Path = HELDOUT_DIR) -> list[tuple[str, str, str]]:
    """(variety, text, topic) for every held-out example."""
    rows = []
    for path in sorted(folder.glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or ():
            rows.append((path.stem, str(item["text"]), str(item["topic"])))
    return rows


def domain_intents(path: Path = ROOT / "domain.yml") -> set[str]:
    """The intents the domain declares: a held-out topic is only scored once its intent is one of them."""
    domain = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {name if isinstance(name, str) else next(iter(name)) for name in domain.get("intents") or ()}


def answerable(rows: list[tuple[str, str, str]], intents: set[str]) -> tuple[list[tuple[str, str, str]], int]:
    """The rows whose topic has its intent among ``intents``, and how many were left out.

    A near neighbour (``other.study``) can only be right once its intent (``other_study``) exists.
    """
    known = {topic_of_intent(intent) for intent in intents}
    kept = [row for row in rows if row[2] in known or intent_for_topic(row[2]) in intents]
    return kept, len(rows) - len(kept)


def predict(agent: Agent, rows: list[tuple[str, str, str]]) -> list[Prediction]:
    """Parse every message with the agent's NLU and map its intent to a topic."""

    async def parse_all() -> list[Prediction]:
        predictions = []
        for variety, text, expected in rows:
            parse = await agent.parse_message(text)
            topic = topic_of_intent(parse["intent"].get("name")) or "followup"
            predictions.append(Prediction(variety, text, expected, topic))
        return predictions

    return asyncio.run(parse_all())


def accuracy(predictions: list[Prediction], key: str) -> dict[str, tuple[int, float]]:
    """(count, accuracy) grouped by ``variety`` or ``expected`` topic."""
    groups: dict[str, list[bool]] = defaultdict(list)
    for p in predictions:
        groups[getattr(p, key)].append(p.expected == p.predicted)
    return {name: (len(hits), sum(hits) / len(hits)) for name, hits in sorted(groups.items())}


def report(predictions: list[Prediction], confusions: int = 12) -> str:
    """Tables per variety and per topic, then the most common confusions."""
    overall = sum(p.expected == p.predicted for p in predictions) / len(predictions)
    by_variety = accuracy(predictions, "variety")
    by_topic = accuracy(predictions, "expected")
    mistakes = Counter((p.expected, p.predicted) for p in predictions if p.expected != p.predicted)
    return "\n\n".join(
        [
            f"Held-out topic accuracy: {overall:.1%} on {len(predictions)} messages",
            render(["variety", "messages", "accuracy"], [(v, n, a) for v, (n, a) in by_variety.items()]),
            render(["topic", "messages", "accuracy"], [(t, n, a) for t, (n, a) in by_topic.items()]),
            render(
                ["expected", "predicted", "times"],
                [(e, p, n) for (e, p), n in mistakes.most_common(confusions)],
            ),
        ]
    )
