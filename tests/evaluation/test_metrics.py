"""The evaluation's arithmetic and its picture, on hand-made predictions (no model needed)."""

from __future__ import annotations

from pathlib import Path

from bot.evaluation import confusion, nlu

P = nlu.Prediction


def test_top3_counts_a_suggested_topic_and_near_neighbours_count_out_of_scope() -> None:
    rows = [
        P("fr", "a", "art27.visa", "art27.visa"),
        P("fr", "b", "art27.visa", "out_of_scope", ("art27.documents", "art27.visa", "contact.human")),
        P("fr", "c", "art27.visa", "out_of_scope", ("art27.documents",)),
        P("fr", "d", "other.study", "out_of_scope"),
        P("fr", "e", "other.study", "other.visit"),
        P("en", "f", "other.work", "art27.what"),
    ]
    overall, top3, near = nlu.summary(rows)
    assert (overall, top3) == (1 / 6, 2 / 6)
    assert near == 2 / 3
    assert nlu.near_neighbour_rates(rows) == {"en": (1, 0.0), "fr": (2, 1.0)}
    assert nlu.rates(rows, "variety")["fr"] == (5, 0.2, 0.4)


def test_the_confusion_matrix_rows_are_shares_and_the_picture_is_written(tmp_path: Path) -> None:
    rows = [P("fr", "a", "art27.visa", "art27.visa"), P("fr", "b", "art27.visa", "other.visit")]
    names, matrix = confusion.matrix(rows)
    assert names == ["art27.visa", "other.visit"]
    assert matrix == [[0.5, 0.5], [0.0, 0.0]]
    written = confusion.write_png(rows, tmp_path / "confusion.png")
    assert written.read_bytes().startswith(b"\x89PNG")


def test_a_missing_heldout_folder_reads_as_no_rows(tmp_path: Path) -> None:
    assert nlu.read_heldout(tmp_path / "absent") == []
