"""Tests for nlu.langid: trained on fixtures/langid_train.yml, scored on langid_eval.yml."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import yaml

from nlu.langid import (
    LanguageIdModel,
    hint_variety,
    load_examples,
    strip_annotations,
    variety_from_label,
)

FIXTURES = Path(__file__).parent / "fixtures"


def _load(name: str) -> list[tuple[str, str]]:
    return load_examples(yaml.safe_load((FIXTURES / name).read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def model() -> LanguageIdModel:
    return LanguageIdModel().fit(_load("langid_train.yml"))


def test_fixtures_do_not_overlap() -> None:
    train = {text.lower() for text, _ in _load("langid_train.yml")}
    evaluation = {text.lower() for text, _ in _load("langid_eval.yml")}
    assert not train & evaluation


@pytest.mark.parametrize("variety", ["fr", "ar", "ary", "en"])
def test_accuracy_per_variety_on_eval_fixture(model: LanguageIdModel, variety: str) -> None:
    examples = [(t, v) for t, v in _load("langid_eval.yml") if v == variety]
    assert len(examples) >= 25
    wrong = [(t, model.predict(t).variety) for t, v in examples if model.predict(t).variety != v]
    assert 1 - len(wrong) / len(examples) >= 0.97, wrong


@pytest.mark.parametrize(
    ("text", "variety", "script"),
    [
        ("bjr", "fr", "latin"),
        ("bonjour", "fr", "latin"),
        ("merci", "fr", "latin"),
        ("slt", "fr", "latin"),
        ("stp", "fr", "latin"),
        ("slm", "ary", "latin"),
        ("salam", "ary", "latin"),
        ("choukran", "ary", "latin"),
        ("wakha", "ary", "latin"),
        ("3afak", "ary", "latin"),
        ("la", "ary", "latin"),
        ("hi", "en", "latin"),
        ("thanks", "en", "latin"),
        ("hello", "en", "latin"),
        ("مرحبا", "ar", "arab"),
        ("شكرا", "ar", "arab"),
        ("نعم", "ar", "arab"),
        ("واخا", "ary", "arab"),
        ("بزاف", "ary", "arab"),
        ("مافهمتش", "ary", "arab"),
    ],
)
def test_one_word_messages(model: LanguageIdModel, text: str, variety: str, script: str) -> None:
    result = model.predict(text)
    assert (result.variety, result.script) == (variety, script)


@pytest.mark.parametrize(
    ("text", "variety"),
    [
        ("bghit ninscrire f la mission dial Kenya", "ary"),
        ("wach kayn chi salon f Hong Kong had l3am?", "ary"),
        ("slt, wach kayn chi mission l Senegal le mois prochain?", "ary"),
        ("je veux savoir chno kayn f salon dial Dubai", "ary"),
        ("bonjour, est-ce qu'il y a une mission au Kenya en novembre ?", "fr"),
        ("Je voudrais m'inscrire à la mission de Nairobi s'il vous plaît", "fr"),
        ("slt je veux m inscrire a la mission stp", "fr"),
        ("بغيت نتسجل فالبعثة ديال كينيا", "ary"),
        ("واش كاين شي صالون ف هونغ كونغ هاد العام؟", "ary"),
        ("أريد التسجيل في البعثة التجارية إلى كينيا", "ar"),
        ("هل يوجد معرض في هونغ كونغ هذا العام؟", "ar"),
        ("is there a trade fair in Hong Kong this year?", "en"),
        ("bghit nsjl f البعثة dial Kenya", "ary"),
    ],
)
def test_sentences(model: LanguageIdModel, text: str, variety: str) -> None:
    assert model.predict(text).variety == variety


def test_long_message(model: LanguageIdModel) -> None:
    text = "Bonjour, je suis exportateur de produits agricoles a Agadir et " * 50
    assert model.predict(text).variety == "fr"


@pytest.mark.parametrize("text", ["", "   ", "\n", "😀", "👍👍🇲🇦", "2025", "٢٠٢٥ !!", None])
def test_no_letters_gives_unknown(model: LanguageIdModel, text: str | None) -> None:
    result = model.predict(text, hint="fr")
    assert result.variety is None
    assert result.script == "none"
    assert result.confidence == 0.0


def test_diacritics_tatweel_and_indic_digits(model: LanguageIdModel) -> None:
    assert model.predict("هَلْ تُوجَدُ بَعْثَةٌ فِي ٢٠٢٥؟").variety == "ar"
    assert model.predict("واش كايـــن شي بعثة ف ٢٠٢٥؟").variety == "ary"


@pytest.mark.parametrize(
    ("text", "hint", "variety"),
    [
        ("ok", "fr", "fr"),
        ("ok", "en-US", "en"),
        ("ok", "ar", "ary"),
        ("Kenya", "en", "en"),
        ("Kenya", "fr", "fr"),
        ("السلام", "ar", "ar"),
        # A clear message is not overridden by the hint.
        ("merci beaucoup", "en", "fr"),
        ("wach kayn chi mission", "fr", "ary"),
        ("je voudrais la liste des missions prevues cette annee", "en", "fr"),
    ],
)
def test_hint_only_breaks_near_ties(
    model: LanguageIdModel, text: str, hint: str, variety: str
) -> None:
    assert model.predict(text, hint=hint).variety == variety


@pytest.mark.parametrize(
    ("hint", "script", "expected"),
    [
        ("fr", "latin", "fr"),
        ("fr-FR", "latin", "fr"),
        ("en_GB", "latin", "en"),
        ("ar", "latin", "ary"),
        ("ar", "arab", "ar"),
        ("fr", "arab", None),
        ("ary", "arab", "ary"),
        ("", "latin", None),
        (None, "latin", None),
        ("de", "latin", None),
    ],
)
def test_hint_variety(hint: str | None, script: str, expected: str | None) -> None:
    assert hint_variety(hint, script) == expected


def test_untrained_model_uses_lexicons() -> None:
    model = LanguageIdModel()
    model.fit([])
    assert model.predict("wach kayn chi mission had l3am").variety == "ary"
    assert model.predict("bonjour je voudrais des informations").variety == "fr"
    assert model.predict("hello I would like some information").variety == "en"
    assert model.predict("بغيت نعرف شنو كاين").variety == "ary"


def test_round_trip_through_json(model: LanguageIdModel) -> None:
    restored = LanguageIdModel.from_dict(json.loads(json.dumps(model.to_dict())))
    for text, _ in _load("langid_eval.yml"):
        assert restored.predict(text) == model.predict(text)


def test_unknown_version_is_rejected(model: LanguageIdModel) -> None:
    data = {**model.to_dict(), "version": 999}
    with pytest.raises(ValueError):
        LanguageIdModel.from_dict(data)


def test_labels_and_annotations() -> None:
    assert [variety_from_label(x) for x in ("fr", "ar", "ary_ar", "ary_lat", "en")] == [
        "fr",
        "ar",
        "ary",
        "ary",
        "en",
    ]
    assert variety_from_label("de") is None
    assert variety_from_label(None) is None
    assert strip_annotations('f [Nairobi]{"entity": "country", "value": "KE"}') == "f Nairobi"
    assert strip_annotations("au [Kenya](country)") == "au Kenya"


def test_training_counts_only_labelled_blocks() -> None:
    data = {
        "nlu": [
            {"intent": "greet", "metadata": {"variety": "fr"}, "examples": "- bonjour\n- salut\n"},
            {"intent": "greet", "examples": "- hello\n"},
            {"intent": "greet", "metadata": {"variety": "xx"}, "examples": "- hallo\n"},
        ]
    }
    assert Counter(v for _, v in load_examples(data)) == {"fr": 2}
