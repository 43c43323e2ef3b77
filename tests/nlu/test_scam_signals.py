"""Scam signals: paying someone for a visa, a contract or a place, in every variety."""

from __future__ import annotations

import pytest

from nlu.scam_signals import ScamSignals

SIGNALS = ScamSignals.load()


@pytest.mark.parametrize(
    "text",
    [
        "un monsieur me demande de payer 3000 euros pour le visa",
        "someone wants me to pay for a contract in Italy",
        "wahed bgha ybi3 lia contrat f italia b 5 mlayn",
        "famma wa7ed y9oli nkhalles bech njiblek visa",
        "واحد بغاني نخلص باش يجيب ليا الفيزا",
        "قالي لازمك تخلص باش تاخو بلاصة في الستاج",
        "devo pagare qualcuno per il visto?",
    ],
)
def test_paying_for_a_visa_contract_or_place_is_a_signal(text: str) -> None:
    assert SIGNALS.detect(text)


@pytest.mark.parametrize(
    "text",
    [
        "chhal kayn dyal lflous f stage?",
        "combien d'argent on gagne pendant le stage",
        "quels documents pour le visa",
        "how much is the allowance",
    ],
)
def test_asking_about_money_or_a_visa_alone_is_not(text: str) -> None:
    assert not SIGNALS.detect(text)
