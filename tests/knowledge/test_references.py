"""Ids used in the domain, the stories, the actions and the calls are defined; NLU folders match."""

from __future__ import annotations

from collections import Counter

from bot.training import ROOT
from knowledge.references import check_references
from nlu.language.training_data import nlu_examples
from nlu.language.varieties import VARIETIES


def test_every_referenced_id_is_defined() -> None:
    assert [str(p) for p in check_references()] == []


def test_every_variety_folder_has_the_same_intents_with_enough_examples() -> None:
    intents_by_variety = {}
    for variety in VARIETIES:
        counts = Counter(intent for intent, _ in nlu_examples(ROOT / "nlu" / variety))
        intents_by_variety[variety] = set(counts)
        thin = {intent: n for intent, n in counts.items() if n < 12}
        assert thin == {}, f"{variety} has fewer than 12 examples for {thin}"
    reference = intents_by_variety["fr"]
    for variety, intents in intents_by_variety.items():
        assert intents == reference, f"{variety} differs: {sorted(intents ^ reference)}"


def test_no_example_is_given_to_two_intents() -> None:
    owner: dict[str, str] = {}
    clashes = []
    for variety in VARIETIES:
        for intent, text in nlu_examples(ROOT / "nlu" / variety):
            key = text.lower().strip()
            if owner.setdefault(key, intent) != intent:
                clashes.append((text, owner[key], intent))
    assert clashes == []
