"""TEDPolicy whose predictions are remembered for the dialogue states they were made from.

Rasa runs every policy at every prediction, two or three times per user message, and TED's
TensorFlow inference was the largest cost of a turn (docs/benchmarks.md, profile 3). Yet TED
reads
nothing of a conversation but its last ``max_history`` states (intent, entity names,
featurized slots, active loop, previous action): trained without end-to-end stories, its
prediction is a function of those states and the trained weights. Conversations with an
assistant like this one walk the same paths (a greeting, a list of missions, a button, a form),
so the same states come back again and again, for every user.

``CachedTEDPolicy`` computes the states as TEDPolicy does (same featurizer, same rule-only
turns left out) and keeps the prediction for each distinct sequence in a bounded LRU map. A
repeated sequence costs the states' computation and a dictionary lookup instead of an
inference; a new one is predicted by TEDPolicy itself, unchanged. Training and the persisted
model are TEDPolicy's. A model trained with end-to-end stories (text features) bypasses the
cache, since the user's words then reach the prediction too.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections import OrderedDict
from typing import Any

import numpy as np
from rasa.core.featurizers.precomputation import MessageContainerForCoreFeaturization
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import TEXT

from bot import extensions

#: Config key: how many distinct state sequences to remember (0 turns the cache off).
CACHE_SIZE = "prediction_cache_size"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITH_END_TO_END_SUPPORT, is_trainable=True
)
class CachedTEDPolicy(TEDPolicy):
    """TEDPolicy with an LRU cache of predictions keyed by the states TED reads."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """TEDPolicy's defaults, plus the cache size (about 3 KB per entry, 12 MB in all)."""
        return {**TEDPolicy.get_default_config(), CACHE_SIZE: 4096}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Every model of this project builds this policy (config.yml): the policies then share
        # one computation of a tracker's states per prediction (bot.extensions.dialogue_states).
        extensions.install()
        super().__init__(*args, **kwargs)
        # digest of the states -> (probabilities, the rest of the prediction)
        self._predictions: OrderedDict[bytes, tuple[np.ndarray, PolicyPrediction]] = OrderedDict()
        self.cache_hits = 0
        self.cache_misses = 0

    @property
    def _capacity(self) -> int:
        return int(self.config.get(CACHE_SIZE) or 0)

    def _cacheable(self, precomputations: MessageContainerForCoreFeaturization | None) -> bool:
        # With text features (end-to-end training or precomputed messages), the user's words
        # reach the prediction, and they are not part of the key.
        return (
            self.model is not None
            and self._capacity > 0
            and precomputations is None
            and TEXT not in self.fake_features
        )

    def _state_key(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None,
    ) -> bytes:
        """A digest of the states TED featurizes for this tracker (its last max_history turns)."""
        states = self._prediction_states(
            tracker,
            domain,
            use_text_for_last_user_input=self.only_e2e,
            rule_only_data=rule_only_data,
        )
        # States are dicts of dicts of strings, tuples and numbers: JSON with sorted keys is
        # a faithful form (tuples and lists both become arrays, as TED sees them); 128 bits of
        # BLAKE2 keep the key small without a practical chance of two sequences colliding.
        text = json.dumps(states, sort_keys=True, ensure_ascii=False, default=repr)
        return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        precomputations: MessageContainerForCoreFeaturization | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        """TEDPolicy's prediction, from the cache when these states were seen before."""
        if not self._cacheable(precomputations):
            return super().predict_action_probabilities(
                tracker, domain, rule_only_data, precomputations, **kwargs
            )
        key = self._state_key(tracker, domain, rule_only_data)
        cached = self._predictions.get(key)
        if cached is not None:
            self._predictions.move_to_end(key)
            self.cache_hits += 1
            return _restored(*cached)
        prediction = super().predict_action_probabilities(
            tracker, domain, rule_only_data, precomputations, **kwargs
        )
        self.cache_misses += 1
        # float64 holds Python's floats exactly, in a third of a list's memory.
        probabilities = np.asarray(prediction.probabilities, dtype=np.float64)
        self._predictions[key] = (probabilities, _restored(np.empty(0), prediction))
        if len(self._predictions) > self._capacity:
            self._predictions.popitem(last=False)
        return prediction


def _restored(probabilities: np.ndarray, template: PolicyPrediction) -> PolicyPrediction:
    """A prediction of its own (lists the ensemble may change) with these probabilities."""
    fresh = copy.copy(template)
    fresh.probabilities = probabilities.tolist()
    fresh.events = list(template.events or [])
    fresh.optional_events = list(template.optional_events or [])
    return fresh
