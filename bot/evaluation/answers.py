"""Short answers to the eligibility check (``tests/data/heldout_answers/``): the share read as the value they
mean, per variety, as the check reads them (the NLU's entities, then ``nlu.check_answers``)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from rasa.core.agent import Agent

from bot.settings import ROOT
from nlu import check_answers

ANSWERS_DIR = ROOT / "tests" / "data" / "heldout_answers"
TODAY = date(2026, 11, 22)  # relative answers ("last year") are written as on this day
TARGET = 0.95


@dataclass(frozen=True)
class Reading:
    """One held-out answer, what it should be read as, and what it was read as."""

    variety: str
    step: str
    text: str
    expected: str
    read: str | None

    @property
    def right(self) -> bool:
        return self.read == self.expected


def read_rows(folder: Path = ANSWERS_DIR) -> list[tuple[str, dict[str, str]]]:
    """(variety, row) for every held-out answer."""
    rows = []
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        rows += [(path.stem, {k: str(v) for k, v in row.items()}) for row in data]
    return rows


def score(agent: Agent, cities: Mapping[str, str], rows: list[tuple[str, dict[str, str]]]) -> list[Reading]:
    """Read every answer as the check's validation does."""

    async def read_all() -> list[Reading]:
        readings = []
        for variety, row in rows:
            parsed = await agent.parse_message(row["text"])
            entities = {e["entity"]: str(e["value"]) for e in parsed.get("entities") or []}
            intent = (parsed.get("intent") or {}).get("name")
            read = check_answers.parse(row["step"], row["text"], TODAY, entities, cities, intent)
            readings.append(Reading(variety, row["step"], row["text"], row["value"], read))
        return readings

    return asyncio.run(read_all())


def by_variety(readings: list[Reading]) -> dict[str, tuple[int, float]]:
    """Per variety: how many answers, and the share read right."""
    groups: dict[str, list[Reading]] = defaultdict(list)
    for reading in readings:
        groups[reading.variety].append(reading)
    return {v: (len(rs), sum(r.right for r in rs) / len(rs)) for v, rs in sorted(groups.items())}


def report(readings: list[Reading]) -> str:
    """The table `mentor eval` prints, with the answers read wrong."""
    lines = ["eligibility check, short answers filled in right (tests/data/heldout_answers)"]
    lines.append("variety   n  right")
    for variety, (count, share) in by_variety(readings).items():
        lines.append(f"{variety:<9} {count:>2} {share:6.1%}")
    overall = sum(r.right for r in readings) / len(readings) if readings else 0.0
    lines.append(f"overall   {len(readings):>2} {overall:6.1%} (target {TARGET:.0%})")
    for reading in (r for r in readings if not r.right):
        lines.append(f"  wrong: {reading.variety} {reading.step} {reading.text!r} → {reading.read} "
                     f"(expected {reading.expected})")  # fmt: skip
    return "\n".join(lines)
