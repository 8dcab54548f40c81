"""Tests for nlu.tokenizer.ExporterTokenizer."""

from __future__ import annotations

import pytest
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.tokenizer import ExporterTokenizer


@pytest.fixture()
def tokenizer() -> ExporterTokenizer:
    return ExporterTokenizer(ExporterTokenizer.get_default_config())


def _tokens(tokenizer: ExporterTokenizer, text: str) -> list[tuple[str, str]]:
    tokens = tokenizer.tokenize(Message(data={TEXT: text}), TEXT)
    for token in tokens:
        assert token.lemma == token.text
    return [(token.text, text[token.start : token.end]) for token in tokens]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "wach kayn chi salon f Hong Kong had l3am?",
            [
                ("wach", "wach"),
                ("kayn", "kayn"),
                ("chi", "chi"),
                ("salon", "salon"),
                ("f", "f"),
                ("hong", "Hong"),
                ("kong", "Kong"),
                ("had", "had"),
                ("l3am", "l3am"),
            ],
        ),
        ("7na m3a 3afak", [("7na", "7na"), ("m3a", "m3a"), ("3afak", "3afak")]),
        (
            "بغيت نتسجل فالبعثة ديال كينيا",
            [
                ("بغيت", "بغيت"),
                ("نتسجل", "نتسجل"),
                ("فالبعثه", "فالبعثة"),
                ("ديال", "ديال"),
                ("كينيا", "كينيا"),
            ],
        ),
        ("كينيا،المغرب؟", [("كينيا", "كينيا"), ("المغرب", "المغرب")]),
        ("واش كاين؟واش لا؛", [("واش", "واش"), ("كاين", "كاين"), ("واش", "واش"), ("لا", "لا")]),
        ("إِنَّ الـــمعرض", [("ان", "إِنَّ"), ("المعرض", "الـــمعرض")]),
        ("البعثة ٢٠٢٥", [("البعثه", "البعثة"), ("2025", "٢٠٢٥")]),
        ("Évènement à Paris!!", [("evenement", "Évènement"), ("a", "à"), ("paris", "Paris")]),
        (
            "j'ai besoin d'aide",
            [("j", "j"), ("ai", "ai"), ("besoin", "besoin"), ("d", "d"), ("aide", "aide")],
        ),
        ("contact@asmex.ma", [("contact@asmex.ma", "contact@asmex.ma")]),
        ("+212 612345678", [("+212", "+212"), ("612345678", "612345678")]),
        ("merciiii 😀", [("mercii", "merciiii")]),
        ("bonjour ـــ", [("bonjour", "bonjour")]),
    ],
)
def test_tokens_are_normalised_with_original_offsets(
    tokenizer: ExporterTokenizer, text: str, expected: list[tuple[str, str]]
) -> None:
    assert _tokens(tokenizer, text) == expected


@pytest.mark.parametrize("text", ["😀", "😀😀 🇲🇦", "   ", "ـــ"])
def test_text_without_words_gives_one_token(tokenizer: ExporterTokenizer, text: str) -> None:
    tokens = tokenizer.tokenize(Message(data={TEXT: text}), TEXT)
    assert len(tokens) == 1
    assert tokens[0].start == 0


def test_long_message(tokenizer: ExporterTokenizer) -> None:
    text = "bghit nsjl f la mission dial Kenya " * 2000
    tokens = tokenizer.tokenize(Message(data={TEXT: text}), TEXT)
    assert len(tokens) == 14000
    assert all(text[t.start : t.end].lower() == t.text for t in tokens)


def test_entity_offsets_survive_training(tokenizer: ExporterTokenizer) -> None:
    text = "بغيت نمشي لـكينيـا فالبعثة"
    start = text.index("لـكينيـا")
    message = Message(
        data={
            TEXT: text,
            INTENT: "register_mission",
            "entities": [{"start": start, "end": start + 8, "value": "KE", "entity": "country"}],
        }
    )
    tokenizer.process_training_data(TrainingData([message]))
    tokens = message.get(TOKENS_NAMES[TEXT])
    entity_token = next(t for t in tokens if t.start == start)
    assert entity_token.end == start + 8
    assert entity_token.text == "لكينيا"
    assert [t.text for t in message.get(TOKENS_NAMES[INTENT])] == ["register_mission"]


def test_token_pattern_applies_to_original_text() -> None:
    config = {**ExporterTokenizer.get_default_config(), "token_pattern": r"(?u)\b\w+\b"}
    tokenizer = ExporterTokenizer(config)
    text = "Prêt-à-porter"
    tokens = tokenizer.tokenize(Message(data={TEXT: text}), TEXT)
    assert [(t.text, text[t.start : t.end]) for t in tokens] == [
        ("pret", "Prêt"),
        ("a", "à"),
        ("porter", "porter"),
    ]
