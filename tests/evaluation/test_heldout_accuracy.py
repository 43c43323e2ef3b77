"""Topic accuracy on the held-out set: at least 90% overall and 80% in every variety."""

from __future__ import annotations

import pytest
from rasa.core.agent import Agent

from bot.evaluation import nlu
from bot.settings import ROOT
from nlu.language.training_data import nlu_examples
from nlu.language.varieties import VARIETIES

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def predictions() -> list[nlu.Prediction]:
    return nlu.predict(Agent.load(ROOT / "models" / "mentor.tar.gz"), nlu.read_heldout())


def test_the_heldout_set_covers_every_variety_and_topic_and_is_not_trained_on() -> None:
    rows = nlu.read_heldout()
    trained = {text.lower() for v in VARIETIES for _, text in nlu_examples(ROOT / "nlu" / v)}
    for variety in VARIETIES:
        mine = [r for r in rows if r[0] == variety]
        assert len(mine) >= 25
        assert len({topic for _, _, topic in mine}) >= 22
    overlap = [text for _, text, _ in rows if text.lower() in trained]
    assert overlap == []


def test_topic_accuracy(predictions: list[nlu.Prediction]) -> None:
    overall = sum(p.expected == p.predicted for p in predictions) / len(predictions)
    assert overall >= 0.90
    for variety, (_, accuracy) in nlu.accuracy(predictions, "variety").items():
        assert accuracy >= 0.80, variety


def test_the_report_has_the_tables(predictions: list[nlu.Prediction]) -> None:
    report = nlu.report(predictions)
    assert "| variety" in report and "| topic" in report and "| expected" in report
