"""The custom tokenizer: the same tokens as Rasa's whitespace tokenizer, with folded text."""

from __future__ import annotations

from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from nlu.components.spelling_folding_tokenizer import SpellingFoldingTokenizer, fold


def test_fold_removes_what_people_drop_when_typing() -> None:
    assert fold("Français") == "francais"
    assert fold("Perché") == "perche"
    assert fold("لإمتى") == fold("لامتى") == fold("لآمتى")
    assert fold("قراءة") == "قراءه" and fold("مُعطيات") == "معطيات"


def test_tokens_keep_their_positions_and_fold_their_text() -> None:
    config = WhitespaceTokenizer.get_default_config()
    text = "Quels documents pour le séjour? لإمتى"
    plain = WhitespaceTokenizer(config).tokenize(Message(data={"text": text}), "text")
    folded = SpellingFoldingTokenizer(config).tokenize(Message(data={"text": text}), "text")
    assert [(t.start, t.end) for t in folded] == [(t.start, t.end) for t in plain]
    assert [t.text for t in folded] == [fold(t.text) for t in plain]
    assert all(t.lemma == t.text for t in folded)
