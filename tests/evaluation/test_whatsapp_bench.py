"""The WhatsApp part of ``mentor bench`` runs end to end at small sizes and reports every figure the README
gives: round trips through the real ``mentor run``, statuses recorded on their outbox rows with none lost,
and the dispatcher's rate against a fake that enforces Meta's limits."""

from __future__ import annotations

import pytest

from bot.evaluation import crowd, whatsapp_bench

pytestmark = pytest.mark.model

SMALL = whatsapp_bench.Sizes(
    one_user=3,
    people_at_once=crowd.Crowd(people=6, each=2, think=(0.05, 0.3)),
    statuses=60,
    status_concurrency=10,
    dispatch_people=20,
    dispatch_rounds=2,  # the second round waits out the pair rate
    rate=20.0,
)


def test_the_whatsapp_bench_reports_every_figure_at_small_sizes() -> None:
    figures = whatsapp_bench.measure(["salam", "bonjour, quels documents pour le visa ?"], SMALL)
    trips = figures["whatsapp_round_trip"]
    assert trips["one_user"]["messages"] == 3 and trips["one_user"]["p95_ms"] > 0
    crowded = trips["people_at_once"]
    assert (crowded["messages"], crowded["lost"]) == (12, 0) and crowded["p50_ms"] <= crowded["p95_ms"]
    statuses = figures["whatsapp_statuses"]
    assert (statuses["webhooks"], statuses["accepted"], statuses["rows_read"], statuses["lost"]) == (
        180,
        180,
        60,
        0,
    )
    assert statuses["accepted_per_second"] > 0 and statuses["ack_ms"]["p99"] is not None
    sent = figures["whatsapp_dispatch"]
    assert sent["sent"] == 40 and sent["pair_rate_kept"] and sent["shortest_gap_to_one_person_s"] >= 6.0
    assert sent["max_in_one_second"] <= 20 and 0 < sent["share_of_limit"] <= 1.0
    assert sent["fake_enforces_limit"]["refused_130429"] > 0
    assert set(sent) >= {"130429_reported", "131056_reported", "shortest_gap_to_one_person_s"}
