"""The files the review loop writes: training examples under ``nlu/reviewed/`` and draft entries.

Per variety, two Rasa NLU files that ``mentor train`` reads (it trains from ``nlu/*/*.yml``):

- ``nlu/reviewed/<variety>.yml``: examples a developer reviewed and committed. Only ``mentor review export``
  writes it (into the repository, where ``git diff`` shows the change, or into another folder to diff).
- ``nlu/reviewed/<variety>.pending.yml``: the examples curators assigned and nobody reviewed yet, rewritten
  from the database after every review action, so the bot learns them at the next training and a deleted
  person's examples leave it at the next rewrite. Examples already in the reviewed file are left out of it.

They sit apart from ``nlu/<variety>/``: the language model trains on those folders with the variety as its
label, and these varieties were guessed by the language model itself, so learning them back would only
confirm its own mistakes (and would move the corpus statistics' word lists). Rasa, which needs the phrasing,
reads both.

Drafts go to ``knowledge/drafts/``, which the loader never reads: ``mentor kb validate`` and the bot see only
``knowledge/entries/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

import yaml

from bot.staff.masking import without_placeholders
from nlu.language.training_data import nlu_examples
from nlu.language.varieties import VARIETIES

REVIEWED = Path("nlu") / "reviewed"
DRAFTS = Path("knowledge") / "drafts"
PENDING_SUFFIX = ".pending.yml"
_MARKUP = re.compile(r"[\[\]{}()]")  # Rasa reads [text](entity) in an example as an annotation
_HEADER = "# Written by `mentor review` from unanswered questions (masked); see bot/staff/review_files.py.\n"

Examples = dict[str, list[str]]  # intent -> example lines


def training_text(masked: str) -> str:
    """A masked question as a training line: placeholders and annotation brackets out, one line."""
    return " ".join(_MARKUP.sub(" ", without_placeholders(masked)).split())


def reviewed_path(root: Path, variety: str) -> Path:
    return root / REVIEWED / f"{variety}.yml"


def pending_path(root: Path, variety: str) -> Path:
    return root / REVIEWED / f"{variety}{PENDING_SUFFIX}"


def read_examples(path: Path) -> Examples:
    """The examples of one of these files by intent (empty when it does not exist)."""
    if not path.exists():
        return {}
    found: Examples = {}
    for intent, text in nlu_examples_of_file(path):
        found.setdefault(intent, []).append(text)
    return found


def nlu_examples_of_file(path: Path) -> list[tuple[str, str]]:
    """(intent, text) pairs of one Rasa NLU file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    pairs = []
    for block in data.get("nlu") or ():
        for line in str(block.get("examples", "")).splitlines():
            if line.strip().startswith("- ") and block.get("intent"):
                pairs.append((block["intent"], line.strip()[2:].strip()))
    return pairs


def known_examples(root: Path) -> dict[str, str]:
    """Every training example already written (lower case) with its intent: the variety folders and the
    reviewed files."""
    owner: dict[str, str] = {}
    for variety in VARIETIES:
        for intent, text in nlu_examples(root / "nlu" / variety):
            owner.setdefault(text.lower().strip(), intent)
    for path in sorted((root / REVIEWED).glob("*.yml")) if (root / REVIEWED).is_dir() else ():
        for intent, text in nlu_examples_of_file(path):
            owner.setdefault(text.lower().strip(), intent)
    return owner


def render(examples: Mapping[str, Iterable[str]]) -> str:
    """Rasa NLU YAML, intents and examples in a stable order (so diffs show only what changed)."""
    lines = [_HEADER, 'version: "3.1"\n', "nlu:\n"]
    for intent in sorted(examples):
        texts = sorted(set(examples[intent]), key=str.lower)
        if not texts:
            continue
        lines.append(f"- intent: {intent}\n  examples: |\n")
        lines.extend(f"    - {text}\n" for text in texts)
    return "".join(lines)


def write_or_remove(path: Path, examples: Mapping[str, Iterable[str]]) -> bool:
    """Write the file, or remove it when there is nothing to write; whether a file is left."""
    if not any(list(v) for v in examples.values()):
        path.unlink(missing_ok=True)
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(examples), encoding="utf-8")
    return True


def write_pending(root: Path, pending: Mapping[str, Examples]) -> list[Path]:
    """Rewrite every variety's pending file from ``pending`` (variety -> intent -> lines), leaving out what
    the reviewed file already holds; the files left."""
    written = []
    for variety in VARIETIES:
        committed = read_examples(reviewed_path(root, variety)).values()
        reviewed = {t.lower() for texts in committed for t in texts}
        kept = {
            intent: [t for t in texts if t.lower() not in reviewed]
            for intent, texts in pending.get(variety, {}).items()
        }
        if write_or_remove(pending_path(root, variety), kept):
            written.append(pending_path(root, variety))
    return written


def write_draft(root: Path, name: str, started: date, questions: Iterable[tuple[str, str]]) -> Path:
    """A draft entry for the knowledge base with the (masked) questions that asked for it."""
    path = root / DRAFTS / f"{name}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    empty = {language: "" for language in ("fr", "ar", "en", "it")}
    draft = {
        "id": f"draft.{name}",
        "title": empty,
        "answer": empty,
        "sources": [],
        "checked": None,
        "recheck_by": None,
        "related": [],
        "questions": [{"variety": v, "text": t} for v, t in questions],
    }
    header = (
        f"# Draft entry, started {started.isoformat()} from unanswered questions (masked).\n"
        "# Not live: the bot and `mentor kb validate` read only knowledge/entries/. Choose an id, write\n"
        "# the answers, sources and dates (knowledge/README.md), drop `questions`, and move the file to\n"
        "# knowledge/entries/<id>.yml.\n"
    )
    path.write_text(header + yaml.safe_dump(draft, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
