"""nlu.langid on code-switching, Darija's split negation and present tense, and chat words.

Trained on the same fixtures as test_langid.py (fixtures/langid_train.yml).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nlu.langid import LangIdConfig, LanguageIdModel, load_examples
from nlu.langid.features import without_acronyms_and_names
from nlu.langid.lexicons import lexicon_votes
from nlu.langid.model import join_negation

FIXTURES = Path(__file__).parent / "fixtures"


def _training() -> list[tuple[str, str]]:
    return load_examples(
        yaml.safe_load((FIXTURES / "langid_train.yml").read_text(encoding="utf-8"))
    )


@pytest.fixture(scope="module")
def model() -> LanguageIdModel:
    return LanguageIdModel().fit(_training())


@pytest.mark.parametrize(
    "text",
    [
        "desactiver les alertes عافاك",  # Latin majority, one Darija word
        "merci بزاف",
        "au revoir خويا",
        "بغيت نعرف les salons ديال دبي",  # Arabic majority, French function words
        "شبعت من les notifs، حبسوهم",
        "stop التنبيهات svp",
        "بغيت نمشي ل Made in Africa واش باقي التسجيل",  # a name does not hide the Darija
    ],
)
def test_arabic_and_french_words_together_are_darija(model: LanguageIdModel, text: str) -> None:
    assert model.predict(text).variety == "ary"


@pytest.mark.parametrize(
    "text",
    [
        "ما هي شروط الانضمام إلى ASMEX؟",  # an acronym in capitals
        "كيف أحصل على شهادة المنشأ EUR.1؟",
        "أريد معلومات عن شركة Atlas Fruits",  # a brand, capitalised
        "ما هي نتائج زيارة وفد HKTDC إلى الدار البيضاء؟",
        "أين سينظم معرض Made in Africa بالضبط؟",  # "in" alone would be English
        "نعتذر، لن نحضر معرض Made in Africa، يرجى إلغاء حجز الجناح",
    ],
)
def test_msa_with_an_acronym_or_a_brand_stays_msa(model: LanguageIdModel, text: str) -> None:
    assert model.predict(text).variety == "ar"


def test_the_code_switch_reading_is_what_makes_the_difference() -> None:
    text = "desactiver les alertes عافاك"
    without = LanguageIdModel(LangIdConfig(code_switch=False)).fit(_training())
    assert without.predict(text).variety == "fr"
    result = LanguageIdModel().fit(_training()).predict(text)
    assert (result.variety, result.confidence) == ("ary", LangIdConfig().code_switch_confidence)


@pytest.mark.parametrize(
    ("words", "script", "joined"),
    [
        (["لا", "ما", "بغيتش", "التنبيهات"], "arab", ["لا", "مابغيتش", "التنبيهات"]),
        (["ما", "عرفتش"], "arab", ["ماعرفتش"]),
        (["ما", "هو", "دوركم"], "arab", ["ما", "هو", "دوركم"]),  # MSA "what is"
        (["ما"], "arab", ["ما"]),
        (["ma", "bghitch", "les", "alertes"], "latin", ["mabghitch", "les", "alertes"]),
        (["ma", "mission", "au", "kenya"], "latin", ["ma", "mission", "au", "kenya"]),  # French
        (["ma", "ch"], "latin", ["ma", "ch"]),  # too short to be a verb
    ],
)
def test_split_negation_is_joined(words: list[str], script: str, joined: list[str]) -> None:
    assert join_negation(words, script) == joined


@pytest.mark.parametrize(
    "text", ["لا ما بغيتش التنبيهات", "ما متأكدش", "ma baghich les notifications"]
)
def test_split_negation_reads_as_darija(model: LanguageIdModel, text: str) -> None:
    assert model.predict(text).variety == "ary"


def test_msa_questions_with_ma_stay_msa(model: LanguageIdModel) -> None:
    assert model.predict("ما هي الوثائق المطلوبة للتصدير؟").variety == "ar"


@pytest.mark.parametrize(
    ("word", "vote"),
    [
        ("كنرفض", 0.5),  # ka- + n-: I refuse
        ("كتصيفطو", 0.5),  # ka- + t-: you send
        ("كيفية", 0.0),  # MSA: manner
        ("كتابة", 0.0),  # MSA: writing
        ("كنتم", 0.0),  # MSA: you were
        ("كينيا", 0.0),  # Kenya
        ("كنشاسا", 0.0),  # Kinshasa
    ],
)
def test_darija_present_tense_prefix(word: str, vote: float) -> None:
    assert lexicon_votes(word, "arab")["ary"] == vote


@pytest.mark.parametrize(
    ("text", "variety"),
    [("idk", "en"), ("nah", "en"), ("r u a bot", "en"), ("bye a bientot", "fr"), ("nan", "fr")],
)
def test_chat_words(model: LanguageIdModel, text: str, variety: str) -> None:
    assert model.predict(text).variety == variety


@pytest.mark.parametrize(
    ("text", "variety"),
    [
        ("idk", "en"),
        ("nah", "en"),
        ("cya", "en"),
        ("cheers", "en"),
        ("r u a bot", "en"),
        ("nan", "fr"),
        ("negatif", "fr"),
    ],
)
def test_chat_words_are_in_the_lexicons(text: str, variety: str) -> None:
    # Untrained: the lexicons alone (without these words they read as ary or the other language).
    assert LanguageIdModel().predict(text).variety == variety


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ما هي ASMEX؟", "ما هي  ؟"),
        ("من هو المدير العام لASMEX؟", "من هو المدير العام ل ؟"),  # glued to a prefix
        ("شهادة EUR.1 أو EUR-MED", "شهادة   أو  "),
        ("شركة Atlas Fruits", "شركة  "),  # a name of capitalised words
        ("أين سينظم معرض Made in Africa؟", "أين سينظم معرض  ؟"),  # with a link word
        ("واش كاين Salon f Dubai", "واش كاين Salon f Dubai"),  # lone capitals: maybe French
        ("بغيت les alertes", "بغيت les alertes"),
        ("c'est quoi ASMEX", "c'est quoi ASMEX"),  # no Arabic letter: unchanged
    ],
)
def test_acronyms_are_dropped_from_arabic_script_text(text: str, expected: str) -> None:
    assert without_acronyms_and_names(text) == expected


def test_an_arabic_question_about_an_acronym_is_arabic(model: LanguageIdModel) -> None:
    # "ASMEX" has more letters than "ما هي": read by letter count, the message was Latin.
    result = model.predict("ما هي ASMEX؟")
    assert (result.variety, result.script) == ("ar", "arab")
    kept = LanguageIdModel(LangIdConfig(drop_acronyms=False)).fit(_training())
    assert kept.predict("ما هي ASMEX؟").script == "latin"
