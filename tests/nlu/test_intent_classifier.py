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
        assert set(arrays.files) == {"char_idf", "word_idf", "coef", "intercept"}


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
    chars, words = component._vectorizers()  # scikit-learn's, given the stored model
    for vectorizer, vocabulary, idf in (
        (chars, model["char_vocab"], model["char_idf"]),
        (words, model["word_vocab"], model["word_idf"]),
    ):
        vectorizer.vocabulary_ = vocabulary
        vectorizer.fixed_vocabulary_ = True
        vectorizer.idf_ = idf
    features = hstack([chars.transform([prepared]), words.transform([prepared])])
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
