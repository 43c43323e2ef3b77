"""A whitespace tokenizer whose tokens fold away spelling that people drop when they type fast.

Young people write "francais" for "français", "لامتى" for "لإمتى", "قراية" for "قراءة". The featurizers see
each token folded (accents off Latin letters; alef, yeh, teh marbuta and hamza carriers unified) while the
message text, and so entity extraction, stays as written.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

_ARABIC = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})


def fold(text: str) -> str:
    """Lower case, no accents or Arabic vowel marks, Arabic letters in one spelling."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_ARABIC))
    kept = (c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", "".join(kept))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class SpellingFoldingTokenizer(WhitespaceTokenizer):
    """Splits on whitespace like ``WhitespaceTokenizer`` and folds each token's text."""

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Tokens at the same positions, with folded text."""
        return [self._folded(token) for token in super().tokenize(message, attribute)]

    @staticmethod
    def _folded(token: Token) -> Token:
        """The featurizers read the lemma, so it is folded too."""
        data: dict[str, Any] = token.data or {}
        folded = fold(token.text)
        return Token(folded, token.start, token.end, data, folded)
