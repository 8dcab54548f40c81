"""Tests for the nlu.language_id.LanguageIdentifier Rasa component."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from nlu.language_id import LanguageIdentifier

FIXTURE = Path(__file__).parent / "fixtures" / "langid_train.yml"


@pytest.fixture()
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


@pytest.fixture()
def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), node_name="language_id")


@pytest.fixture()
def trained(storage: LocalModelStorage, context: ExecutionContext) -> LanguageIdentifier:
    resource = Resource("language_id")
    component = LanguageIdentifier.create({}, storage, resource, context)
    component.train(load_data(str(FIXTURE)))
    return LanguageIdentifier.load({}, storage, resource, context)


def _parse(component: LanguageIdentifier, text: str, metadata: dict | None = None) -> dict:
    message = Message(data={TEXT: text, "metadata": metadata})
    component.process([message])
    return message.as_dict(only_output_properties=True)


def test_training_reads_block_metadata() -> None:
    examples = load_data(str(FIXTURE)).training_examples
    assert examples[0].get("metadata") == {"intent": {"variety": "fr"}}


@pytest.mark.parametrize(
    ("text", "language", "script"),
    [
        ("bjr", "fr", "latin"),
        ("salam", "ary", "latin"),
        ("hi", "en", "latin"),
        ("مرحبا", "ar", "arab"),
        ("bghit ninscrire f la mission dial Kenya", "ary", "latin"),
        ("بغيت نتسجل فالبعثة ديال كينيا", "ary", "arab"),
        ("أريد التسجيل في البعثة", "ar", "arab"),
        ("Je voudrais des informations sur le salon de Hong Kong", "fr", "latin"),
        ("Is there a mission to Kenya?", "en", "latin"),
    ],
)
def test_parse_result_has_language_properties(
    trained: LanguageIdentifier, text: str, language: str, script: str
) -> None:
    parsed = _parse(trained, text)
    assert parsed["language"] == language
    assert parsed["language_script"] == script
    assert 0.0 < parsed["language_confidence"] <= 1.0


@pytest.mark.parametrize(
    ("text", "hint", "language"),
    [
        ("ok", "fr", "fr"),
        ("ok", "en", "en"),
        ("ok", "ar", "ary"),
        ("wach kayn chi mission had l3am", "fr", "ary"),
    ],
)
def test_hint_from_message_metadata(
    trained: LanguageIdentifier, text: str, hint: str, language: str
) -> None:
    assert _parse(trained, text, {"language_hint": hint})["language"] == language


@pytest.mark.parametrize(
    ("text", "metadata", "language"),
    [
        ("😀", {"language_hint": "fr"}, "fr"),
        ("👍", {"language_hint": "en-GB"}, "en"),
        ("   ", None, None),
        ("", {}, None),
        ("2025", {"language_hint": "ar"}, "ar"),
    ],
)
def test_no_letters_keeps_hint(
    trained: LanguageIdentifier, text: str, metadata: dict | None, language: str | None
) -> None:
    parsed = _parse(trained, text, metadata)
    # Rasa drops None values from the parse result: no "language" key means unknown.
    assert parsed.get("language") == language
    assert parsed["language_script"] == "none"
    assert parsed["language_confidence"] == 0.0


def test_load_without_training_falls_back_to_lexicons(
    storage: LocalModelStorage, context: ExecutionContext
) -> None:
    component = LanguageIdentifier.load({}, storage, Resource("missing"), context)
    assert _parse(component, "wach kayn chi salon f Hong Kong had l3am?")["language"] == "ary"


def test_process_training_data_tags_examples(trained: LanguageIdentifier) -> None:
    data = load_data(str(FIXTURE))
    trained.process_training_data(data)
    assert all(e.get("language") in {"fr", "ar", "ary", "en"} for e in data.training_examples)


def test_config_keys_are_passed_to_the_model(
    storage: LocalModelStorage, context: ExecutionContext
) -> None:
    component = LanguageIdentifier.create({"hint_max_words": 0}, storage, Resource("cfg"), context)
    assert component._langid_config().hint_max_words == 0
    without_hint = _parse(component, "Kenya")["language"]
    assert _parse(component, "Kenya", {"language_hint": "ar"})["language"] == without_hint


def test_the_config_carries_the_identifiers_code_so_rasas_cache_retrains_on_a_change(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import nlu.language_id as module

    before = module.code_version()
    assert LanguageIdentifier.get_default_config()["code_version"] == before
    fake = tmp_path / "nlu"
    (fake / "langid").mkdir(parents=True)
    (fake / "normalize.py").write_text("x = 1\n")
    (fake / "langid" / "lexicons.py").write_text("WORDS = 'dyal'\n")
    monkeypatch.setattr(module, "__file__", str(fake / "language_id.py"))
    first = module.code_version()
    assert first != before
    (fake / "langid" / "lexicons.py").write_text("WORDS = 'dyal diali'\n")
    second = module.code_version()
    assert second != first
    # The reference corpus is part of what the identifier learns from.
    (fake / "langid" / "corpus").mkdir()
    (fake / "langid" / "corpus" / "ar.txt").write_text("هل توجد بعثة\n", encoding="utf-8")
    third = module.code_version()
    assert third != second
    (fake / "langid" / "corpus" / "ar.txt").write_text("هل توجد بعثة؟\n", encoding="utf-8")
    assert module.code_version() != third
