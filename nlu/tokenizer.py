"""Whitespace tokenizer whose tokens carry normalised text but keep the user's offsets."""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from nlu.normalize import normalize_text

# Arabic comma, semicolon, question mark and full stop, replaced by a space of the same length
# so a word glued to them ("كينيا؟واش") splits and offsets do not move.
_ARABIC_PUNCTUATION_RE = re.compile("[\u060c\u061b\u061f\u06d4]")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class ExporterTokenizer(WhitespaceTokenizer):
    """Splits like WhitespaceTokenizer, then gives each token its normalised form.

    ``Token.text`` and ``Token.lemma`` are the normalised form (no diacritics, unified alef,
    casefolded, accents removed, ASCII digits), so featurizers see one form per word, while
    ``start``/``end`` point into the original message, so entities map back to what the user
    wrote. Arabizi words (l3am, 7na, m3a) are never split.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Returns the component's default config."""
        return {
            # Split intent names into tokens (as WhitespaceTokenizer).
            "intent_tokenization_flag": False,
            # Symbol on which intent names are split.
            "intent_split_symbol": "_",
            # Regular expression further splitting each token, applied to the original text.
            "token_pattern": None,
            # Symbol separating a prefix from intent names (as WhitespaceTokenizer).
            "prefix_separator_symbol": None,
        }

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Tokens of ``attribute`` with normalised text and lemma and original offsets."""
        text = message.get(attribute)
        spaced = _ARABIC_PUNCTUATION_RE.sub(" ", text)
        surface = super().tokenize(Message(data={attribute: spaced}), attribute)
        tokens = [_normalized_token(token, text) for token in surface]
        kept = [token for token in tokens if token is not None]
        return kept or surface


def _normalized_token(token: Token, text: str) -> Token | None:
    """The token with its normalised form, or None when nothing is left (tatweel only)."""
    end = token.end
    normalized = normalize_text(text[token.start : end])
    if not normalized:
        return None
    return Token(normalized, token.start, end, data=token.data, lemma=normalized)
