"""The broadcast part of ``mentor bench`` on a small crowd: it previews and queues what it says it does."""

from __future__ import annotations

from bot.evaluation import broadcast_bench
from bot.settings import Settings


def test_the_bench_previews_and_queues_every_person_it_reaches() -> None:
    figures = broadcast_bench.measure(Settings.from_env({}, dotenv=None), count=3000, left_out=300)
    assert (figures["people"], figures["recipients"], figures["rows_written"]) == (3300, 3000, 3000)
    assert figures["figures_recipients"] == 3000
    assert sum(figures["left_out"].values()) == 300
    assert figures["preview_s"] > 0 and figures["queue_s"] > 0
