"""The console part of ``mentor bench`` runs end to end at a small size: the real console over a socket, a
login through the form, and a time for every main page (each answered 200, or the bench raises)."""

from __future__ import annotations

from pathlib import Path

from bot.evaluation import console_bench
from bot.settings import Settings


def test_the_console_bench_times_every_main_page_at_a_small_size() -> None:
    settings = Settings(database_url="sqlite://", model_dir=Path("."))
    figures = console_bench.measure(settings, people=300, rounds=3)
    assert (figures["people"], figures["broadcast_recipients"], figures["rounds"]) == (306, 300, 3)
    assert set(figures["pages_ms"]) == {
        "home", "broadcasts", "broadcast", "broadcast_figures", "broadcast_figures_csv", "campaigns",
        "campaign", "staff", "audit",
    }  # fmt: skip
    for times in figures["pages_ms"].values():
        assert 0 < times["p50"] <= times["p95"] <= times["max"]
    assert 0 < figures["overall_p95_ms"] <= max(t["max"] for t in figures["pages_ms"].values())
    assert figures["target_p95_ms"] == 200.0
