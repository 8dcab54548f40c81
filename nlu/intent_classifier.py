"""Intent classifier: a linear model over word, character and skeleton n-grams, entities masked.

Exporters name hundreds of countries, cities and sectors, in five varieties; the training data
cannot show each intent with each of them. Before featurisation every gazetteer hit (country,
region, sector, event type, language) and every email, phone number and ICE is replaced by a
placeholder token, so "mission au Pérou" is as close to "mission au Kenya" as to itself. The text
is normalised (Arabic letter variants, diacritics, accents, case) by nlu.normalize, so spelling
variants share n-grams, and its consonant skeleton (nlu.skeleton) lets Darija's two scripts
share them too. Features and model: nlu/intent_features.py.

The model is persisted as plain arrays and JSON (no pickle): vocabularies, IDF weights, the
coefficients of the linear model and its softmax temperature.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.intent_features import blocks, fit_features, fit_linear, mask_entities, prepare, softmax
from nlu.trained_component import TrainedComponent, source_hash, source_hash_once

logger = logging.getLogger(__name__)

_MODEL_FILE = "intent_model.npz"
_VOCAB_FILE = "intent_vocabulary.json"


__all__ = ["ExporterIntentClassifier", "mask_entities", "prepare"]


#: What the features are made with, under nlu/: a change retrains the classifier.
_SOURCES = ("intent_features.py", "skeleton.py", "normalize.py", "vocabulary/gazetteer/*.yml")


def code_version() -> str:
    """A hash of the code and vocabulary the features are made with (``source_hash``): a
    change of the features' code retrains the classifier instead of restoring the old one from
    Rasa's cache."""
    return source_hash(Path(__file__).parent, _SOURCES)


class _Block(NamedTuple):
    """One vectorizer's share of the features, for scoring a message."""

    view: Callable[[str], str]
    analyze: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: np.ndarray
    coef_t: np.ndarray


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class ExporterIntentClassifier(TrainedComponent[dict[str, Any]], IntentClassifier):
    """Entity-masked word, character and skeleton n-grams; a linear SVM with a temperature."""

    without_model = "intents disabled"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config."""
        return {
            # All settings chosen by 5-fold CV on the training data (scripts/cv_intents.py,
            # docs/benchmarks.md run 8).
            # Character n-grams inside word boundaries (carry Arabic clitics, Arabizi spellings).
            "char_ngram_range": [1, 5],
            # Word n-grams of the normalised, entity-masked text.
            "word_ngram_range": [1, 2],
            # Character n-grams of the consonant skeleton (nlu/skeleton.py); [] turns it off.
            "skeleton_ngram_range": [2, 5],
            # "svm" (linear SVM, softmax temperature fitted on out-of-fold scores) or "logreg".
            "model": "svm",
            # Inverse regularisation strength of the linear model.
            "C": 1.0,
            # Re-weight intents inversely to their number of examples.
            "class_weight": "balanced",
            # Iteration cap of the logistic regression's solver.
            "max_iter": 3000,
            # How many intents the ranking in the parse result lists.
            "ranking_length": 10,
            # The features' code (set, not configured): see code_version.
            "code_version": source_hash_once(Path(__file__).parent, _SOURCES),
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: dict[str, Any] | None = None,
    ) -> None:
        """Creates the component around a trained model, or none."""
        super().__init__(config, model_storage, resource, model)
        self._scoring: list[_Block] | None = None

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the feature blocks and the linear model on the intent examples."""
        examples = [m for m in training_data.intent_examples if m.get(TEXT) and m.get(INTENT)]
        if len({m.get(INTENT) for m in examples}) < 2:
            logger.warning("ExporterIntentClassifier needs at least two intents; not trained")
            return self._resource
        texts = [prepare(m.get(TEXT)) for m in examples]
        found = blocks(self._config)
        linear = fit_linear(
            self._config, fit_features(found, texts), [m.get(INTENT) for m in examples]
        )
        self._model = {
            "classes": linear.classes,
            "blocks": [b.name for b in found],
            **{
                f"{b.name}_vocab": {k: int(v) for k, v in b.vectorizer.vocabulary_.items()}
                for b in found
            },
            **{f"{b.name}_idf": b.vectorizer.idf_.astype(np.float32) for b in found},
            "coef": linear.coef,
            "intercept": linear.intercept,
            "temperature": np.float32(linear.temperature),
        }
        self.persist()
        return self._resource

    def write_model(self, directory: Path) -> None:
        """Saves the arrays as .npz (without pickle) and the vocabularies as JSON."""
        assert self._model is not None
        names = self._model["blocks"]
        arrays = {f"{name}_idf": self._model[f"{name}_idf"] for name in names}
        np.savez(
            directory / _MODEL_FILE,
            coef=self._model["coef"],
            intercept=self._model["intercept"],
            temperature=np.float32(self._model["temperature"]),
            **arrays,
        )
        vocabularies = {f"{name}_vocab": self._model[f"{name}_vocab"] for name in names}
        (directory / _VOCAB_FILE).write_text(
            json.dumps(
                {"classes": self._model["classes"], "blocks": names, **vocabularies},
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )

    @classmethod
    def read_model(cls, directory: Path) -> dict[str, Any]:
        """The arrays and vocabularies ``write_model`` saved."""
        arrays = np.load(directory / _MODEL_FILE, allow_pickle=False)
        vocab = json.loads((directory / _VOCAB_FILE).read_text(encoding="utf-8"))
        return {**vocab, **{name: arrays[name] for name in arrays.files}}

    def _blocks(self) -> list[_Block]:
        """Per block: its view of the text, analyzer, vocabulary, IDF and coefficient rows."""
        assert self._model is not None
        if self._scoring is None:
            if "coef_t" not in self._model:  # contiguous once: rows of a strided transpose are slow
                self._model["coef_t"] = np.ascontiguousarray(self._model["coef"].T)
            self._scoring = []
            offset = 0
            for block in blocks(self._config):
                vocabulary = self._model[f"{block.name}_vocab"]
                self._scoring.append(
                    _Block(
                        block.view,
                        block.vectorizer.build_analyzer(),
                        vocabulary,
                        self._model[f"{block.name}_idf"],
                        self._model["coef_t"][offset : offset + len(vocabulary)],
                    )
                )
                offset += len(vocabulary)
        return self._scoring

    def _scores(self, text: str) -> np.ndarray:
        """The linear scores of one prepared text, without building a sparse matrix.

        The same arithmetic as `TfidfVectorizer.transform` (sublinear term frequency times
        IDF, each vectorizer's row L2-normalised, in float32) followed by the product with the
        coefficients, on the handful of n-grams the text has. scikit-learn's path spends most
        of a message's time on validation (its `check_is_fitted` sums the whole IDF matrix) and
        sparse matrix plumbing.
        """
        assert self._model is not None
        scores = self._model["intercept"].astype(np.float64)
        for block in self._blocks():
            terms = block.analyze(block.view(text))
            counts = Counter(term for term in terms if term in block.vocabulary)
            if not counts:
                continue
            columns = np.fromiter(
                (block.vocabulary[term] for term in counts), dtype=np.intp, count=len(counts)
            )
            weights = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
            weights = (np.log(weights) + np.float32(1)) * block.idf[columns]
            weights /= np.sqrt(np.dot(weights, weights))
            scores += weights @ block.coef_t[columns]
        return scores

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """Intent probabilities, one row per text, columns in the order of the classes."""
        assert self._model is not None
        if not texts:
            return np.zeros((0, len(self._model["classes"])))
        scores = np.stack([self._scores(prepare(t)) for t in texts])
        return softmax(scores, float(self._model["temperature"]))

    def process(self, messages: list[Message]) -> list[Message]:
        """Set the intent and the intent ranking of each message."""
        if self._model is None:
            return messages
        todo = []
        for message in messages:
            if (message.get(TEXT) or "").strip():
                todo.append(message)
            else:  # nothing to classify: no intent, zero confidence (-> nlu_fallback)
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        if not todo:
            return messages
        classes = self._model["classes"]
        length = int(self._config["ranking_length"])
        for message, row in zip(todo, self.probabilities([m.get(TEXT) for m in todo]), strict=True):
            order = np.argsort(-row)
            ranking = [{"name": classes[i], "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking[:length], add_to_output=True)
        return messages
