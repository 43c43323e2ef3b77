"""Counts computed from licensed chat corpora, the only part of them the repository keeps.

``python -m nlu.language.corpus_stats`` reads ``../shared/corpora/<variety>/*.txt`` when it is there and
writes, per variety, a pruned table of the character n-grams the dialect model counts
(``<variety>.chars.tsv``) and of words (``<variety>.words.tsv``) into ``stats/``, with the attribution and
licence texts. The lines themselves are never written: an n-gram or a word is kept only when it occurs at
least ``MIN_COUNT`` times.
Training reads the committed tables, so neither training nor the tests need ``../shared``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from sklearn.feature_extraction.text import CountVectorizer

from nlu.language.normalize import normalize, tokens

HERE = Path(__file__).resolve().parent
STATS_DIR = HERE / "stats"
CORPORA_DIR = HERE.parents[2] / "shared" / "corpora"
CORPUS_VARIETIES = ("aeb_latn",)
MIN_COUNT = 3
NGRAMS = (1, 5)  # the dialect model's range (``model.build_dialects``)
_LINK = re.compile(r"\(?https?://\S+|www\.\S+|@\w+")
_DIGITS_ONLY = re.compile(r"^\d+$")
ATTRIBUTION = (
    "Language statistics computed from Barcha (Waad Ben Kheder, MIT) and TN_reddit_dataset (Aymen Hmani, MIT)"
)


def ngram_analyzer() -> CountVectorizer:
    """The analyzer shared by the statistics and the dialect model, so their n-grams are the same."""
    return CountVectorizer(analyzer="char_wb", ngram_range=NGRAMS)


def clean(line: str) -> str:
    """A corpus line as the layer would see a message: no links or handles, normalised."""
    return normalize(_LINK.sub(" ", line))


def foreign_words() -> frozenset[str]:
    """Words of our French, English and Italian examples that our Darija and Derja examples never use.

    The chat corpora mix those languages in; counted as Tunisian, they would make any code-switched message
    look Tunisian (Moroccans mix French in just as much), so ``count`` leaves them out.
    """
    from nlu.language import training_data  # imported here: training_data lists our stat files

    seen: dict[str, set[str]] = {"foreign": set(), "dialect": set()}
    for text, variety in training_data.examples():
        group = "dialect" if variety in ("ary_latn", "aeb_latn") else "foreign"
        seen[group].update(tokens(normalize(text)))
    return frozenset(seen["foreign"] - seen["dialect"])


def count(lines: Iterable[str], skip: frozenset[str] = frozenset()) -> tuple[Counter[str], Counter[str]]:
    """Character n-gram and word counts of the lines, without the words in ``skip``.

    The n-grams (``char_wb``) never cross a word boundary, so leaving a word out removes exactly its n-grams.
    """
    analyze = ngram_analyzer().build_analyzer()
    chars: Counter[str] = Counter()
    words: Counter[str] = Counter()
    for line in lines:
        kept = [w for w in tokens(clean(line)) if w not in skip and not _DIGITS_ONLY.match(w)]
        if kept:
            chars.update(analyze(" ".join(kept)))
            words.update(kept)
    return chars, words


def prune(counts: Counter[str], min_count: int = MIN_COUNT) -> Counter[str]:
    """Drop what is rare: rare n-grams say little and could point back to one line."""
    return Counter({k: n for k, n in counts.items() if n >= min_count})


def write_table(path: Path, counts: Counter[str]) -> None:
    """One ``item<TAB>count`` row per entry, most frequent first (ties in code-point order)."""
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    path.write_text("".join(f"{k}\t{n}\n" for k, n in rows), encoding="utf-8")


def read_table(path: Path) -> Counter[str]:
    """A table written by ``write_table``; n-grams may begin or end with a space, so only the tab splits."""
    counts: Counter[str] = Counter()
    for row in path.read_text(encoding="utf-8").split("\n"):
        if row:
            item, _, number = row.rpartition("\t")
            counts[item] = int(number)
    return counts


def load_chars(variety: str, stats_dir: Path = STATS_DIR) -> Counter[str]:
    """The committed n-gram counts of one variety (empty when there are none)."""
    path = stats_dir / f"{variety}.chars.tsv"
    return read_table(path) if path.exists() else Counter()


def load_words(variety: str, stats_dir: Path = STATS_DIR) -> Counter[str]:
    """The committed word counts of one variety (empty when there are none)."""
    path = stats_dir / f"{variety}.words.tsv"
    return read_table(path) if path.exists() else Counter()


def stat_files(stats_dir: Path = STATS_DIR) -> list[Path]:
    """The tables training reads (for the training fingerprint)."""
    return sorted(stats_dir.glob("*.tsv"))


def build(corpora_dir: Path = CORPORA_DIR, stats_dir: Path = STATS_DIR) -> dict[str, tuple[int, int, int]]:
    """Write the tables and licences; return, per variety, lines read, n-grams and words kept."""
    stats_dir.mkdir(parents=True, exist_ok=True)
    summary = {}
    skip = foreign_words()
    for variety in CORPUS_VARIETIES:
        folder = corpora_dir / variety
        texts = [p for p in sorted(folder.glob("*.txt")) if not p.name.startswith("LICENSE")]
        lines = [line for path in texts for line in path.read_text("utf-8").splitlines()]
        chars, words = (prune(c) for c in count(lines, skip))
        write_table(stats_dir / f"{variety}.chars.tsv", chars)
        write_table(stats_dir / f"{variety}.words.tsv", words)
        for licence in sorted(folder.glob("LICENSE*")):
            shutil.copyfile(licence, stats_dir / licence.name)
        summary[variety] = (len(lines), len(chars), len(words))
    return summary


def main(argv: list[str] | None = None) -> int:
    """Command line: rebuild ``stats/`` from the corpora folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=CORPORA_DIR, help="default: ../shared/corpora")
    args = parser.parse_args(argv)
    if not all((args.corpora / v).is_dir() for v in CORPUS_VARIETIES):
        sys.stderr.write(f"{args.corpora} has no {', '.join(CORPUS_VARIETIES)} folder: nothing rebuilt\n")
        return 1
    for variety, (lines, chars, words) in build(args.corpora).items():
        sys.stdout.write(f"{variety}: {lines} lines read, {chars} n-grams and {words} words kept\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
