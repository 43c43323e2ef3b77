"""The language model's examples: the NLU data of each variety folder plus ``samples/<variety>/*.txt``.

(The corpus statistics in ``stats/`` are counts, not examples: ``model.train`` reads them itself.)

Nothing from ``../shared/eval`` is ever read here: that set only measures.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import yaml

from nlu.language import corpus_stats
from nlu.language.varieties import VARIETIES

NLU_DIR = Path(__file__).resolve().parent.parent
SAMPLES_DIR = Path(__file__).resolve().parent / "samples"
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def strip_annotations(example: str) -> str:
    """``ana mn [tanja](city)`` → ``ana mn tanja``."""
    return _ANNOTATION.sub(r"\1", example)


def nlu_examples(variety_dir: Path) -> Iterator[tuple[str, str]]:
    """(intent, text) pairs from one variety folder of Rasa NLU YAML."""
    for path in sorted(variety_dir.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or ():
            intent = block.get("intent")
            if not intent:
                continue
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    yield intent, strip_annotations(line[2:].strip())


def examples(nlu_dir: Path = NLU_DIR, samples_dir: Path = SAMPLES_DIR) -> list[tuple[str, str]]:
    """(text, variety) pairs for every variety."""
    pairs: list[tuple[str, str]] = []
    for variety in VARIETIES:
        pairs.extend((text, variety) for _, text in nlu_examples(nlu_dir / variety))
        for sample_file in sorted((samples_dir / variety).glob("*.txt")):
            lines = sample_file.read_text(encoding="utf-8").splitlines()
            pairs.extend((line.strip(), variety) for line in lines if line.strip())
    return pairs


def input_files(nlu_dir: Path = NLU_DIR, samples_dir: Path = SAMPLES_DIR) -> list[Path]:
    """Every file the language model is trained from (for the training fingerprint)."""
    here = Path(__file__).resolve().parent
    files = [p for v in VARIETIES for p in sorted((nlu_dir / v).glob("*.yml"))]
    files += sorted(samples_dir.glob("*/*.txt")) + corpus_stats.stat_files()
    return [*files, here / "lexicon.yml", here / "corpus_stats.py"]
