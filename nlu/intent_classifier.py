"""Intent classifier: a linear model over word and character n-grams with entities masked.

Exporters name hundreds of countries, cities and sectors, in five varieties; the training data
cannot show each intent with each of them. Before featurisation every gazetteer hit (country,
region, sector, event type, language) and every email, phone number and ICE is replaced by a
placeholder token, so "mission au Pérou" is as close to "mission au Kenya" as to itself. The text
is normalised (Arabic letter variants, diacritics, accents, case) by nlu.normalize, so spelling
variants share n-grams.

The model is persisted as plain arrays and JSON (no pickle): vocabularies, IDF weights and
the coefficients of a multinomial logistic regression.
"""

from __future__ import annotations

import json
import logging
import re
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
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from nlu.normalize import normalize_text
from nlu.trained_component import TrainedComponent
from nlu.vocabulary.gazetteer import load_gazetteer

logger = logging.getLogger(__name__)

# The lookbehind starts a match only where a run of address characters starts: the same
# matches, but a long run without "@" is scanned once instead of once per character.
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGITS_RE = re.compile(r"\+?\d[\d\s.-]{6,}\d")
_WORD_TOKEN = r"(?u)\b\w+\b"
_MODEL_FILE = "intent_model.npz"
_VOCAB_FILE = "intent_vocabulary.json"


class _Block(NamedTuple):
    """One vectorizer's share of the features, for scoring a message."""

    analyze: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: np.ndarray
    coef_t: np.ndarray


def mask_entities(text: str) -> str:
    """Replace gazetteer hits, emails and long digit runs with placeholder words."""
    pieces = []
    cursor = 0
    for match in sorted(load_gazetteer().find_all(text), key=lambda m: m.start):
        if match.start < cursor:
            continue
        pieces.append(text[cursor : match.start])
        pieces.append(f" x{match.entity.replace('_', '')}x ")
        cursor = match.end
    pieces.append(text[cursor:])
    masked = "".join(pieces)
    masked = _EMAIL_RE.sub(" xemailx ", masked)
    return _DIGITS_RE.sub(" xnumberx ", masked)


def prepare(text: str) -> str:
    """The string the vectorizers see: entity-masked, then normalised."""
    return normalize_text(mask_entities(text))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class ExporterIntentClassifier(TrainedComponent[dict[str, Any]], IntentClassifier):
    """Entity-masked word + character n-gram logistic regression."""

    without_model = "intents disabled"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config."""
        return {
            # Character n-grams inside word boundaries (carry Arabic clitics, Arabizi spellings).
            # Chosen with C below by 5-fold CV on the training data (scripts/cv_intents.py).
            "char_ngram_range": [1, 5],
            # Word n-grams of the normalised, entity-masked text.
            "word_ngram_range": [1, 2],
            # Inverse regularisation strength of the logistic regression.
            "C": 40.0,
            # Re-weight intents inversely to their number of examples.
            "class_weight": "balanced",
            # Iteration cap of the solver.
            "max_iter": 3000,
            # How many intents the ranking in the parse result lists.
            "ranking_length": 10,
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

    def _vectorizers(self) -> tuple[TfidfVectorizer, TfidfVectorizer]:
        chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=tuple(self._config["char_ngram_range"]),
            sublinear_tf=True,
            lowercase=False,
            dtype=np.float32,
        )
        words = TfidfVectorizer(
            analyzer="word",
            ngram_range=tuple(self._config["word_ngram_range"]),
            token_pattern=_WORD_TOKEN,
            sublinear_tf=True,
            lowercase=False,
            dtype=np.float32,
        )
        return chars, words

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the vectorizers and the logistic regression on the intent examples."""
        examples = [m for m in training_data.intent_examples if m.get(TEXT) and m.get(INTENT)]
        if len({m.get(INTENT) for m in examples}) < 2:
            logger.warning("ExporterIntentClassifier needs at least two intents; not trained")
            return self._resource
        texts = [prepare(m.get(TEXT)) for m in examples]
        labels = [m.get(INTENT) for m in examples]
        chars, words = self._vectorizers()
        features = hstack([chars.fit_transform(texts), words.fit_transform(texts)]).tocsr()
        classifier = LogisticRegression(
            C=float(self._config["C"]),
            class_weight=self._config["class_weight"],
            max_iter=int(self._config["max_iter"]),
        )
        classifier.fit(features, labels)
        self._model = {
            "classes": [str(c) for c in classifier.classes_],
            "char_vocab": {k: int(v) for k, v in chars.vocabulary_.items()},
            "word_vocab": {k: int(v) for k, v in words.vocabulary_.items()},
            "char_idf": chars.idf_.astype(np.float32),
            "word_idf": words.idf_.astype(np.float32),
            "coef": classifier.coef_.astype(np.float32),
            "intercept": classifier.intercept_.astype(np.float32),
        }
        self.persist()
        return self._resource

    def write_model(self, directory: Path) -> None:
        """Saves the arrays as .npz (without pickle) and the vocabularies as JSON."""
        assert self._model is not None
        np.savez(
            directory / _MODEL_FILE,
            char_idf=self._model["char_idf"],
            word_idf=self._model["word_idf"],
            coef=self._model["coef"],
            intercept=self._model["intercept"],
        )
        (directory / _VOCAB_FILE).write_text(
            json.dumps(
                {
                    "classes": self._model["classes"],
                    "char_vocab": self._model["char_vocab"],
                    "word_vocab": self._model["word_vocab"],
                },
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
        """Per vectorizer: its analyzer, vocabulary, IDF and rows of the coefficients."""
        assert self._model is not None
        if self._scoring is None:
            if "coef_t" not in self._model:  # contiguous once: rows of a strided transpose are slow
                self._model["coef_t"] = np.ascontiguousarray(self._model["coef"].T)
            chars, words = self._vectorizers()
            offset = len(self._model["char_vocab"])
            self._scoring = [
                _Block(
                    chars.build_analyzer(),
                    self._model["char_vocab"],
                    self._model["char_idf"],
                    self._model["coef_t"][:offset],
                ),
                _Block(
                    words.build_analyzer(),
                    self._model["word_vocab"],
                    self._model["word_idf"],
                    self._model["coef_t"][offset:],
                ),
            ]
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
            counts = Counter(term for term in block.analyze(text) if term in block.vocabulary)
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
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

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
