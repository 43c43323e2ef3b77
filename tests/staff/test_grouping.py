"""The similarity measured with the trained model: unanswered questions in French, Darija (Latin script) and
Italian about one phrasing the bot misses land in one group, and unrelated ones stay out of it.

The phrasing is the tax code ("codice fiscale"), which no training example asks about. On the model trained
with the reviewed examples of nlu/reviewed/, the least alike pair of the three scores 0.65 (intent
distributions 0.77, characters 0.48) and the most alike pair with an unrelated question 0.44 (0.69, 0.11):
the model alone would nearly join unrelated questions, the characters alone barely link the three.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from bot.settings import Settings
from bot.staff.similarity import RasaUnderstanding, clusters, similarity

pytestmark = pytest.mark.model

ONE_PHRASING = [
    "comment faire le codice fiscale",  # fr
    "kifach ndir codice fiscale",  # ary_latn
    "come faccio il codice fiscale",  # it
]
UNRELATED = [
    "je peux ramener ma femme avec moi",
    "wach n9der nji m3a mrati",
    "posso portare mia moglie",
    "la météo à rome",
    "chkoun rb7 lmatch lbare7",
    "3andi mochkil f telephone dyali",
    "when do they take my fingerprints",
]


@pytest.fixture(scope="module")
def understanding() -> RasaUnderstanding:
    model = Settings.from_env({}).rasa_model
    if not model.exists():
        pytest.skip("no trained model: run `mentor train`")
    return RasaUnderstanding(model)


def _groups(texts: Sequence[str], rankings: Sequence[Mapping[str, float]]) -> list[set[str]]:
    return [{texts[i] for i in group} for group in clusters(similarity(texts, rankings))]


def test_one_missing_phrasing_in_three_languages_is_one_group(understanding: RasaUnderstanding) -> None:
    texts = ONE_PHRASING + UNRELATED
    groups = _groups(texts, understanding(texts))
    [found] = [g for g in groups if ONE_PHRASING[0] in g]
    assert found == set(ONE_PHRASING)


def test_every_pair_of_the_phrasing_is_more_alike_than_any_pair_with_an_unrelated_question(
    understanding: RasaUnderstanding,
) -> None:
    """Not only one chain of links: each of the three is closer to each other than to anything unrelated."""
    texts = ONE_PHRASING + UNRELATED
    rankings = understanding(texts)
    matrix = similarity(texts, rankings)
    same = [matrix[i, j] for i in range(3) for j in range(3) if i < j]
    across = [matrix[i, j] for i in range(3) for j in range(3, len(texts))]
    assert min(same) > max(across)
