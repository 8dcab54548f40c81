"""Rasa component that tags each message with its variety: fr, ar, ary (Darija) or en."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import METADATA, METADATA_INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.langid import (
    VARIETIES,
    LangIdConfig,
    LangIdResult,
    LanguageIdModel,
    language_code,
    variety_from_label,
)
from nlu.trained_component import TrainedComponent, source_hash, source_hash_once

logger = logging.getLogger(__name__)

LANGUAGE = "language"
LANGUAGE_SCRIPT = "language_script"
LANGUAGE_CONFIDENCE = "language_confidence"
LANGUAGE_HINT = "language_hint"
MODEL_FILE = "langid.json"


#: The identifier's code, lexicons and reference corpus, under nlu/: a change retrains it.
_SOURCES = ("langid/*.py", "langid/corpus/*.txt", "normalize.py")


def code_version() -> str:
    """A hash of the identifier's code and lexicons (``source_hash``): a change retrains it
    instead of restoring the old model from Rasa's cache."""
    return source_hash(Path(__file__).parent, _SOURCES)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class LanguageIdentifier(TrainedComponent[LanguageIdModel]):
    """Sets ``language``, ``language_script`` and ``language_confidence`` on each message.

    Trained on the NLU examples whose block metadata has ``variety`` (fr, ar, ary_ar, ary_lat,
    en); reads an optional hint from the message metadata key ``language_hint``.
    """

    without_model = "using lexicons only"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Returns the component's default config."""
        defaults = LangIdConfig()
        return {
            # Metadata key of the training blocks that holds the variety label.
            "label_key": "variety",
            # Message metadata key of the language hint (Telegram language_code, "fr-FR").
            "hint_key": LANGUAGE_HINT,
            # Longest character n-gram of the naive Bayes model.
            "max_n": defaults.max_n,
            # Weight of a French/English/MSA marker word's vote.
            "lexicon_weight": defaults.lexicon_weight,
            # Weight of a Darija marker word's vote (Darija writers mix in French and MSA).
            "darija_lexicon_weight": defaults.darija_lexicon_weight,
            # Weight of an Arabizi word (digit used as a letter: l3am, 7na) for ary.
            "arabizi_weight": defaults.arabizi_weight,
            # Bound on the trained (n-gram and word) part of one word's vote.
            "max_learned_vote": defaults.max_learned_vote,
            # The hint is used only on messages with at most this many words...
            "hint_max_words": defaults.hint_max_words,
            # ...and only when the winner leads the hinted variety by less than this.
            "hint_margin": defaults.hint_margin,
            # The identifier's code (set, not configured): see code_version.
            "code_version": source_hash_once(Path(__file__).parent, _SOURCES),
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: LanguageIdModel | None = None,
    ) -> None:
        """Creates the component around its model (lexicons only when none is given)."""
        super().__init__(config, model_storage, resource, model)
        self._model: LanguageIdModel = model or LanguageIdModel(self._langid_config())

    def _langid_config(self) -> LangIdConfig:
        fields = LangIdConfig.__dataclass_fields__
        return LangIdConfig(**{k: v for k, v in self._config.items() if k in fields})

    @classmethod
    def read_model(cls, directory: Path) -> LanguageIdModel:
        """The model saved as JSON."""
        data = json.loads((directory / MODEL_FILE).read_text(encoding="utf-8"))
        return LanguageIdModel.from_dict(data)

    def write_model(self, directory: Path) -> None:
        """Saves the model as JSON."""
        (directory / MODEL_FILE).write_text(
            json.dumps(self._model.to_dict(), ensure_ascii=False), encoding="utf-8"
        )

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the model on the examples that carry a variety label, then persists it."""
        pairs = [
            (example.get(TEXT), variety)
            for example in training_data.training_examples
            if example.get(TEXT) and (variety := self._example_variety(example)) is not None
        ]
        logger.debug(f"Training the language identifier on {len(pairs)} labelled examples.")
        self._model = LanguageIdModel(self._langid_config()).fit(pairs)
        self.persist()
        return self._resource

    def _example_variety(self, example: Message) -> str | None:
        metadata = example.get(METADATA) or {}
        key = self._config["label_key"]
        for scope in ("example", METADATA_INTENT):
            block = metadata.get(scope)
            if isinstance(block, dict) and key in block:
                return variety_from_label(block[key])
        return None

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Tags the training examples too, so later components can use the language."""
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Sets the language properties on each message (added to the parse result)."""
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str):
                continue
            hint = self._hint(message)
            result = self._model.predict(text, hint)
            language, script = self._fallback(result, hint)
            message.set(LANGUAGE, language, add_to_output=True)
            message.set(LANGUAGE_SCRIPT, script, add_to_output=True)
            message.set(LANGUAGE_CONFIDENCE, result.confidence, add_to_output=True)
        return messages

    def _hint(self, message: Message) -> str | None:
        metadata = message.get(METADATA)
        if not isinstance(metadata, dict):
            return None
        hint = metadata.get(self._config["hint_key"])
        return hint if isinstance(hint, str) and hint.strip() else None

    @staticmethod
    def _fallback(result: LangIdResult, hint: str | None) -> tuple[str | None, str]:
        """Keeps the hint's language when the text has no letters (emoji, numbers, empty)."""
        if result.variety is not None:
            return result.variety, result.script
        code = language_code(hint or "")
        return (code if code in VARIETIES else None), "none"
