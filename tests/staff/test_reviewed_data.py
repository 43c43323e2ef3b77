"""The reviewed examples in the repository (``nlu/reviewed/``) are training data Rasa loads, under intents of
the domain, in a variety's file, and none of them clashes with an example of another intent."""

from __future__ import annotations

import pytest
import yaml

from bot.staff import review_files
from bot.training import ROOT, rasa_inputs
from nlu.language.varieties import VARIETIES

FILES = sorted((ROOT / review_files.REVIEWED).glob("*.yml"))


@pytest.mark.skipif(not FILES, reason="no reviewed examples in nlu/reviewed/ yet")
def test_reviewed_files_are_loaded_by_rasa_under_domain_intents() -> None:
    from rasa.shared.nlu.training_data.loading import load_data

    intents = set(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"])
    known = review_files.known_examples(ROOT)
    inputs = rasa_inputs(ROOT)
    for path in FILES:
        assert path in inputs
        assert path.name.split(".")[0] in VARIETIES
        loaded = load_data(str(path)).intent_examples
        assert loaded and {m.get("intent") for m in loaded} <= intents
        for message in loaded:
            assert known[message.get("text").lower()] == message.get("intent"), message.get("text")
