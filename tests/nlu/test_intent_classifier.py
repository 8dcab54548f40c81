"""Tests for nlu.intent_classifier: entity masking, training, persistence, prediction."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import hstack

from nlu.intent_classifier import ExporterIntentClassifier, mask_entities, prepare
from nlu.intent_features import blocks

TRAINING = {
    "ask_missions": [
        "quelles sont les prochaines missions au Kenya",
        "y a-t-il une mission au Senegal bientot",
        "wach kayn chi mission f Ghana",
        "واش كاين شي بعثة لكينيا",
        "any upcoming trade mission to Nigeria",
        "je cherche les salons en Chine",
    ],
    "greet": ["bonjour", "salam", "السلام عليكم", "hello", "bjr", "slm labas", "hi there"],
    "thank": ["merci", "choukran", "شكرا", "thanks a lot", "merci beaucoup", "thx"],
}


@pytest.fixture(scope="module")
def classifier(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[ExporterIntentClassifier, LocalModelStorage, Resource]:
    storage = LocalModelStorage(tmp_path_factory.mktemp("intent_classifier"))
    resource = Resource("intent_classifier")
    context = ExecutionContext(GraphSchema({}), node_name="intent_classifier")
    component = ExporterIntentClassifier.create(
        ExporterIntentClassifier.get_default_config(), storage, resource, context
    )
    examples = [
        Message(data={TEXT: text, INTENT: intent})
        for intent, texts in TRAINING.items()
        for text in texts
    ]
    component.train(TrainingData(examples))
    loaded = ExporterIntentClassifier.load(
        ExporterIntentClassifier.get_default_config(), storage, resource, context
    )
    return loaded, storage, resource


def _intent(component: ExporterIntentClassifier, text: str) -> dict:
    message = Message(data={TEXT: text})
    component.process([message])
    return message.get(INTENT)


@pytest.mark.parametrize(
    ("text", "placeholder"),
    [
        ("mission au Pérou", "xcountryx"),
        ("بعثة إلى البيرو", "xcountryx"),
        ("salon agroalimentaire", "xsectorx"),
        ("le délégué à Agadir", "xregionx"),
        ("mon email est a.b@atlas.ma", "xemailx"),
        ("ICE 001525822000088", "xnumberx"),
    ],
)
def test_mask_entities_replaces_entities_with_placeholders(text: str, placeholder: str) -> None:
    assert placeholder in mask_entities(text)


def test_mask_leaves_plain_words_alone() -> None:
    assert mask_entities("merci beaucoup") == "merci beaucoup"


def test_prepare_normalises_arabic_and_accents() -> None:
    assert prepare("Très BIEN") == "tres bien"
    assert prepare("إلى") == prepare("الى")


def test_a_country_never_seen_in_training_is_classified_by_the_rest_of_the_sentence(
    classifier: tuple[ExporterIntentClassifier, LocalModelStorage, Resource],
) -> None:
    component, _, _ = classifier
    assert _intent(component, "y a-t-il une mission au Pérou")["name"] == "ask_missions"
    assert _intent(component, "واش كاين شي بعثة للبيرو")["name"] == "ask_missions"


@pytest.mark.parametrize(
    ("text", "intent"),
    [("bonjour", "greet"), ("شكرا", "thank"), ("thanks", "thank"), ("salam", "greet")],
)
def test_known_phrasings(
    classifier: tuple[ExporterIntentClassifier, LocalModelStorage, Resource], text: str, intent: str
) -> None:
    component, _, _ = classifier
    assert _intent(component, text)["name"] == intent


def test_ranking_is_sorted_and_probabilities_sum_to_one(
    classifier: tuple[ExporterIntentClassifier, LocalModelStorage, Resource],
) -> None:
    component, _, _ = classifier
    message = Message(data={TEXT: "merci"})
    component.process([message])
    ranking = message.get("intent_ranking")
    confidences = [r["confidence"] for r in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert abs(sum(component.probabilities(["merci"])[0]) - 1.0) < 1e-5


def test_model_is_stored_without_pickle(
    classifier: tuple[ExporterIntentClassifier, LocalModelStorage, Resource],
) -> None:
    _, storage, resource = classifier
    with storage.read_from(resource) as directory:
        arrays = np.load(directory / "intent_model.npz", allow_pickle=False)
        assert set(arrays.files) == {
            "char_idf",
            "word_idf",
            "skeleton_idf",
            "coef",
            "intercept",
            "temperature",
        }


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂", "x" * 100_000])
def test_odd_input_never_crashes(
    classifier: tuple[ExporterIntentClassifier, LocalModelStorage, Resource], text: str
) -> None:
    component, _, _ = classifier
    message = Message(data={TEXT: text})
    component.process([message])
    if text.strip():
        assert message.get(INTENT)["name"] in TRAINING
    else:
        assert message.get(INTENT) == {"name": None, "confidence": 0.0}


def test_untrained_component_leaves_messages_alone(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), node_name="intent_classifier")
    component = ExporterIntentClassifier.load({}, storage, Resource("missing"), context)
    message = Message(data={TEXT: "bonjour"})
    component.process([message])
    assert message.get(INTENT) is None


@pytest.mark.parametrize(
    "text",
    [
        *(text for texts in TRAINING.values() for text in texts),
        "merci merci merci beaucoup",  # repeated terms: sublinear term frequency
        "wach kayn mission f Pérou had l3am",
        "هل توجد بعثة إلى البيرو في شهر مارس",
        "жжж ЖЖ",  # no word of the vocabulary
        "",
    ],
)
def test_scores_equal_scikit_learns_tfidf_features_times_the_coefficients(
    classifier: tuple[ExporterIntentClassifier, LocalModelStorage, Resource], text: str
) -> None:
    component, _, _ = classifier
    prepared = prepare(text)
    model = component._model
    assert model is not None
    found = blocks(component._config)  # scikit-learn's vectorizers, given the stored model
    assert [b.name for b in found] == ["char", "word", "skeleton"]
    for block in found:
        block.vectorizer.vocabulary_ = model[f"{block.name}_vocab"]
        block.vectorizer.fixed_vocabulary_ = True
        block.vectorizer.idf_ = model[f"{block.name}_idf"]
    features = hstack([b.vectorizer.transform([b.view(prepared)]) for b in found])
    reference = np.asarray(features @ model["coef"].T)[0] + model["intercept"]
    assert np.allclose(component._scores(prepared), reference, rtol=1e-5, atol=1e-5)


def test_a_text_without_ngrams_scores_the_intercepts(
    classifier: tuple[ExporterIntentClassifier, LocalModelStorage, Resource],
) -> None:
    component, _, _ = classifier
    assert component._model is not None
    assert np.allclose(component._scores(""), component._model["intercept"])


def test_probabilities_of_several_texts_are_one_row_each(
    classifier: tuple[ExporterIntentClassifier, LocalModelStorage, Resource],
) -> None:
    component, _, _ = classifier
    rows = component.probabilities(["merci", "bonjour", "mission au Kenya"])
    classes = component._model["classes"] if component._model else []
    assert rows.shape == (3, len(classes))
    assert [classes[i] for i in rows.argmax(axis=1)] == ["thank", "greet", "ask_missions"]
    assert component.probabilities([]).shape == (0, len(classes))


def _trained(
    tmp_path: Path, training: dict[str, list[str]], **config: object
) -> ExporterIntentClassifier:
    tmp_path.mkdir(parents=True, exist_ok=True)
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), node_name="intent_classifier")
    settings = {**ExporterIntentClassifier.get_default_config(), **config}
    component = ExporterIntentClassifier.create(settings, storage, Resource("c"), context)
    component.train(
        TrainingData(
            [Message(data={TEXT: t, INTENT: i}) for i, texts in training.items() for t in texts]
        )
    )
    return ExporterIntentClassifier.load(settings, storage, Resource("c"), context)


def test_the_svm_has_a_fitted_softmax_temperature(
    classifier: tuple[ExporterIntentClassifier, LocalModelStorage, Resource],
) -> None:
    component, _, _ = classifier
    assert component._model is not None
    temperature = float(component._model["temperature"])
    assert 0.05 < temperature < 50 and temperature != 1.0
    scores = component._scores(prepare("merci"))
    expected = np.exp(temperature * (scores - scores.max()))
    assert np.allclose(component.probabilities(["merci"])[0], expected / expected.sum())


def test_the_logistic_regression_is_still_available(tmp_path: Path) -> None:
    component = _trained(tmp_path, TRAINING, model="logreg", C=40.0)
    assert component._model is not None
    assert float(component._model["temperature"]) == 1.0
    assert _intent(component, "merci bcp")["name"] == "thank"


def test_without_the_skeleton_block_two_blocks_are_stored(tmp_path: Path) -> None:
    component = _trained(tmp_path, TRAINING, skeleton_ngram_range=[])
    assert component._model is not None
    assert component._model["blocks"] == ["char", "word"]
    assert _intent(component, "salam")["name"] == "greet"


def test_two_intents_give_two_columns_that_agree(tmp_path: Path) -> None:
    two = {"greet": TRAINING["greet"], "thank": TRAINING["thank"]}
    component = _trained(tmp_path, two)
    rows = component.probabilities(["bonjour", "merci beaucoup"])
    assert rows.shape == (2, 2)
    assert list(rows.argmax(axis=1)) == [0, 1]  # classes sorted: greet, thank


@pytest.mark.parametrize(
    ("arabic_script", "arabizi"),
    [
        ("بغيت نتسجل ف البعثة", "bghit ntsjl f lb3tha"),
        ("ما بغيتش التنبيهات", "ma bghitch ttnbihat"),
        ("شكرا بزاف", "chokran bzaf"),
    ],
)
def test_a_darija_phrasing_learnt_in_one_script_helps_the_other(
    tmp_path: Path, arabic_script: str, arabizi: str
) -> None:
    """Trained on the Arabic-script phrasing only, the skeleton block carries it to Arabizi."""
    training = {
        "target": [arabic_script, arabic_script + " عافاك"],
        "greet": TRAINING["greet"],
        "ask_missions": TRAINING["ask_missions"],
    }
    with_skeleton = _trained(tmp_path / "with", training)
    without = _trained(tmp_path / "without", training, skeleton_ngram_range=[])
    index = with_skeleton._model["classes"].index("target")  # type: ignore[index]
    assert (
        with_skeleton.probabilities([arabizi])[0][index]
        > without.probabilities([arabizi])[0][index]
    )


def test_the_config_carries_the_features_code_so_rasas_cache_retrains_on_a_change(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import nlu.intent_classifier as module

    before = module.code_version()
    assert ExporterIntentClassifier.get_default_config()["code_version"] == before
    fake = tmp_path / "nlu"
    (fake / "vocabulary" / "gazetteer").mkdir(parents=True)
    for name in ("intent_features.py", "skeleton.py", "normalize.py"):
        (fake / name).write_text("x = 1\n")
    monkeypatch.setattr(module, "__file__", str(fake / "intent_classifier.py"))
    first = module.code_version()
    (fake / "skeleton.py").write_text("x = 2\n")
    assert module.code_version() != first
