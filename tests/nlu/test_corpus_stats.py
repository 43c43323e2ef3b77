"""Corpus statistics: counts only, never lines, and the dialect model can learn from them."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from nlu.language import corpus_stats
from nlu.language import model as language_model
from nlu.language.normalize import normalize

ARY = ["bghit nmchi l italia", "wach kayn chi stage", "chno khassni daba", "fin ndir lwra9"]
AEB = ["n7eb nemchi l italia", "famma stage wala", "chnowa lazemni tawa", "win na3mel el wra9"]


def test_tables_round_trip_with_edge_spaces(tmp_path: Path) -> None:
    counts = Counter({" ch": 7, "ou ": 3, "a": 12})
    corpus_stats.write_table(tmp_path / "t.tsv", counts)
    assert corpus_stats.read_table(tmp_path / "t.tsv") == counts


def test_build_keeps_counts_not_lines(tmp_path: Path) -> None:
    corpora, stats = tmp_path / "corpora", tmp_path / "stats"
    (corpora / "aeb_latn").mkdir(parents=True)
    lines = ["chnowa 7alek ya sahbi https://x.y/z", "chnowa 7alek bro", "chnowa 7alek", "une ligne rare"]
    (corpora / "aeb_latn" / "chat.txt").write_text("\n".join(lines), encoding="utf-8")
    (corpora / "aeb_latn" / "LICENSE-x.txt").write_text("MIT", encoding="utf-8")
    corpus_stats.build(corpora, stats)
    words = corpus_stats.read_table(stats / "aeb_latn.words.tsv")
    chars = corpus_stats.read_table(stats / "aeb_latn.chars.tsv")
    assert words == Counter({"chnowa": 3, "7alek": 3})
    assert chars[" ch"] == 3 and "rare" not in "".join(chars) and "https" not in "".join(chars)
    assert (stats / "LICENSE-x.txt").read_text(encoding="utf-8") == "MIT"
    table_text = (stats / "aeb_latn.chars.tsv").read_text(encoding="utf-8")
    assert not any(normalize(line) in table_text for line in lines)


def test_committed_statistics_carry_attribution_and_both_licences() -> None:
    stats = corpus_stats.STATS_DIR
    assert len(corpus_stats.load_chars("aeb_latn")) > 10_000
    assert corpus_stats.ATTRIBUTION in (stats / "README.md").read_text(encoding="utf-8")
    for name, holder in (("LICENSE-barcha.txt", "Waad Ben Kheder"), ("LICENSE-tn-reddit.txt", "Aymen Hmani")):
        text = (stats / name).read_text(encoding="utf-8")
        assert "MIT License" in text and holder in text


def test_corpus_counts_move_the_dialect_split_towards_their_class() -> None:
    texts = [normalize(t) for t in ARY + AEB]
    labels = ["ary_latn"] * len(ARY) + ["aeb_latn"] * len(AEB)
    derja = corpus_stats.load_chars("aeb_latn")
    plain = language_model.fit_dialects(texts, labels, {"aeb_latn": derja}, extra_weight=0.0)
    with_corpus = language_model.fit_dialects(texts, labels, {"aeb_latn": derja}, extra_weight=0.3)
    message = [normalize("barcha 7aja")]
    aeb = list(plain.classes_).index("aeb_latn")
    assert plain.predict_proba(message)[0][aeb] < 0.5 < with_corpus.predict_proba(message)[0][aeb]
    sizes = [len(p.named_steps["features"].vocabulary_) for p in (plain, with_corpus)]
    assert sizes[1] > sizes[0]


@pytest.mark.skipif(not corpus_stats.CORPORA_DIR.is_dir(), reason="../shared/corpora is not beside the repo")
def test_the_committed_tables_are_what_the_script_computes(tmp_path: Path) -> None:
    corpus_stats.build(corpus_stats.CORPORA_DIR, tmp_path)
    for name in ("aeb_latn.chars.tsv", "aeb_latn.words.tsv"):
        assert (tmp_path / name).read_bytes() == (corpus_stats.STATS_DIR / name).read_bytes()
