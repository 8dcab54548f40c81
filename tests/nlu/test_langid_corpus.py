"""The language identifier's reference corpus (nlu/langid/corpus) and round 3's word fixes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from nlu.evaluation import load_examples as load_nlu_examples
from nlu.langid import LangIdConfig, LanguageIdModel, load_examples
from nlu.langid.corpus import CORPUS_DIR, corpus_examples
from nlu.normalize import normalize_text

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
VARIETY_FILES = ("ar", "ary_ar", "ary_lat", "en", "fr")


def _train() -> list[tuple[str, str]]:
    text = (FIXTURES / "langid_train.yml").read_text(encoding="utf-8")
    return load_examples(yaml.safe_load(text))


@pytest.fixture(scope="module")
def with_corpus() -> LanguageIdModel:
    return LanguageIdModel().fit(_train())


@pytest.fixture(scope="module")
def without_corpus() -> LanguageIdModel:
    return LanguageIdModel(LangIdConfig(corpus_count=0)).fit(_train())


def _lines(name: str) -> list[str]:
    return (CORPUS_DIR / f"{name}.txt").read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("name", VARIETY_FILES)
def test_each_variety_has_a_corpus_of_hundreds_of_distinct_lines(name: str) -> None:
    lines = _lines(name)
    assert len(lines) >= 500
    assert all(line.strip() == line and line for line in lines)
    keys = Counter(normalize_text(line) for line in lines)
    assert [line for line, n in keys.items() if n > 1] == []


def test_no_line_is_in_two_varieties() -> None:
    owners: dict[str, set[str]] = {}
    for name in VARIETY_FILES:
        for line in _lines(name):
            owners.setdefault(normalize_text(line), set()).add(name)
    assert [line for line, names in owners.items() if len(names) > 1] == []


def test_no_line_repeats_a_training_example() -> None:
    """Cross-validation (scripts/cv_langid.py) holds out training examples while the corpus
    stays in every fold: a corpus line equal to an example would leak it."""
    examples = {
        normalize_text(e.text).strip()
        for path in (ROOT / "data" / "nlu").glob("*.yml")
        for e in load_nlu_examples(path)
    }
    lines = {normalize_text(line) for name in VARIETY_FILES for line in _lines(name)}
    assert sorted(lines & examples) == []


def test_corpus_examples_name_varieties_as_the_identifier_does(tmp_path: Path) -> None:
    (tmp_path / "ary_lat.txt").write_text("wach kayn\n\n# a comment\nbghit\n", encoding="utf-8")
    (tmp_path / "ar.txt").write_text("هل توجد بعثة\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a variety\n", encoding="utf-8")
    assert corpus_examples(tmp_path) == (
        ("هل توجد بعثة", "ar"),
        ("wach kayn", "ary"),
        ("bghit", "ary"),
    )


def test_the_shipped_corpus_covers_the_four_languages() -> None:
    counts = Counter(variety for _, variety in corpus_examples())
    assert set(counts) == {"fr", "ar", "ary", "en"}
    assert min(counts.values()) >= 500


@pytest.mark.parametrize(
    ("text", "variety"),
    [
        ("جزاكم الله خيرا", "ar"),
        ("بارك الله فيكم", "ar"),
        ("كنتسنا الجواب", "ary"),
        ("نورمال", "ary"),
    ],
)
def test_the_corpus_teaches_words_the_training_examples_lack(
    with_corpus: LanguageIdModel, without_corpus: LanguageIdModel, text: str, variety: str
) -> None:
    assert without_corpus.predict(text).variety != variety
    assert with_corpus.predict(text).variety == variety


def test_a_saved_model_loads_without_rebuilding_the_corpus(with_corpus: LanguageIdModel) -> None:
    loaded = LanguageIdModel.from_dict(with_corpus.to_dict())
    for text in ("جزاكم الله خيرا", "كنتسنا الجواب", "wach kayn chi mission", "merci"):
        assert loaded.predict(text) == with_corpus.predict(text)


@pytest.mark.parametrize(
    ("text", "variety"),
    [
        # "safi" (enough) is the city of Safi after a preposition or in the region's name...
        ("contact du délégué de la région Marrakech-Safi svp", "fr"),
        ("la mission de Safi", "fr"),
        ("who is the delegate for Marrakech-Safi", "en"),
        # ...and Darija elsewhere.
        ("ok safi", "ary"),
        ("safi merci", "ary"),
        ("safi bghit ntsjl", "ary"),
    ],
)
def test_safi_the_city_is_not_darija(with_corpus: LanguageIdModel, text: str, variety: str) -> None:
    assert with_corpus.predict(text).variety == variety


@pytest.mark.parametrize(
    "text", ["desactivi les alertes", "activi lia les alertes", "annulit l'inscription"]
)
def test_french_verbs_conjugated_in_darija_are_arabizi(
    with_corpus: LanguageIdModel, text: str
) -> None:
    assert with_corpus.predict(text).variety == "ary"
