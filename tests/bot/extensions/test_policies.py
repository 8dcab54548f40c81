"""CachedTEDPolicy: the trained model's own TED predictions, remembered per dialogue states."""

from __future__ import annotations

import copy
from collections import OrderedDict
from typing import Any

import pytest
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import TEXT

from bot.extensions.policies import CACHE_SIZE, CachedTEDPolicy

# Entities the domain knows, so that they reach the states TED reads.
ENTITY_EXAMPLES = {"country": "SN", "sector": "agri", "event_type": "mission"}


@pytest.fixture()
def policy(nlu_agent: Any) -> CachedTEDPolicy:
    """The trained model's CachedTEDPolicy, with a cache of its own (the agent's is shared)."""
    found = [
        node._component
        for node in nlu_agent.processor.graph_runner._instantiated_nodes.values()
        if isinstance(node._component, CachedTEDPolicy)
    ]
    assert len(found) == 1, "config.yml trains one CachedTEDPolicy"
    fresh = copy.copy(found[0])
    fresh.config = dict(found[0].config)
    fresh._predictions = OrderedDict()
    fresh.cache_hits = fresh.cache_misses = 0
    return fresh


@pytest.fixture()
def domain(nlu_agent: Any) -> Any:
    return nlu_agent.domain


def tracker_after(domain: Any, *turns: tuple[str, dict[str, str], list[str]]) -> Any:
    """A conversation of (intent, entities, actions after it) turns, awaiting a prediction."""
    events: list[Any] = [
        ActionExecuted(ACTION_SESSION_START_NAME),
        SessionStarted(),
        ActionExecuted(ACTION_LISTEN_NAME),
    ]
    for intent, entities, actions in turns:
        events.append(
            UserUttered(
                f"<{intent}>",
                intent={"name": intent, "confidence": 1.0},
                entities=[{"entity": name, "value": value} for name, value in entities.items()],
            )
        )
        events.extend(ActionExecuted(action) for action in actions)
    return DialogueStateTracker.from_events("ted-cache", events, slots=domain.slots)


def uncached(policy: CachedTEDPolicy, tracker: Any, domain: Any) -> list[float]:
    return TEDPolicy.predict_action_probabilities(policy, tracker, domain).probabilities


def varied_trackers(domain: Any) -> list[Any]:
    """Every intent of the domain, with and without entities, before and after an answer."""
    trackers = []
    entities = {k: v for k, v in ENTITY_EXAMPLES.items() if k in domain.entities}
    assert entities, "the domain lost the entities this test sends"
    for intent in domain.intents:
        trackers.append(tracker_after(domain, (intent, {}, [])))
        trackers.append(tracker_after(domain, (intent, entities, [])))
        trackers.append(
            tracker_after(
                domain, ("greet", {}, ["utter_greet", ACTION_LISTEN_NAME]), (intent, {}, [])
            )
        )
    return trackers


def test_the_cache_returns_exactly_what_ted_predicts(policy: CachedTEDPolicy, domain: Any) -> None:
    trackers = varied_trackers(domain)
    first = [policy.predict_action_probabilities(t, domain).probabilities for t in trackers]
    again = [policy.predict_action_probabilities(t, domain).probabilities for t in trackers]
    expected = [uncached(policy, t, domain) for t in trackers]

    assert first == again
    for got, want in zip(first, expected, strict=True):
        assert got == pytest.approx(want, abs=1e-6)
    # Not one answer for everything: the states matter. (Distinct distributions, not distinct
    # top actions: how many actions TED ranks first on these made-up states varies from one
    # training to the next: 3 or 4 were seen; 60 distributions for 90 trackers.)
    distinct = {tuple(round(x, 4) for x in p) for p in expected}
    assert len(distinct) > len(trackers) // 3, len(distinct)
    assert policy.cache_misses == len(policy._predictions) < len(trackers) * 2
    assert policy.cache_hits == len(trackers) * 2 - policy.cache_misses


def test_a_repeated_state_sequence_runs_no_inference(
    policy: CachedTEDPolicy, domain: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = policy.model.run_inference
    monkeypatch.setattr(
        policy.model, "run_inference", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    # Two users, different words and senders, same states: one inference.
    one = tracker_after(domain, ("ask_missions", {"country": "SN"}, []))
    other = tracker_after(domain, ("ask_missions", {"country": "KE"}, []))
    other.sender_id = "someone-else"

    first = policy.predict_action_probabilities(one, domain)
    second = policy.predict_action_probabilities(other, domain)

    assert len(calls) == 1
    assert second.probabilities == first.probabilities
    assert second.policy_name == first.policy_name
    # Different states (no entity): TED runs again.
    policy.predict_action_probabilities(tracker_after(domain, ("ask_missions", {}, [])), domain)
    assert len(calls) == 2


def test_changing_a_returned_prediction_leaves_the_cache_intact(
    policy: CachedTEDPolicy, domain: Any
) -> None:
    tracker = tracker_after(domain, ("ask_market", {"country": "SN"}, []))
    first = policy.predict_action_probabilities(tracker, domain)
    kept = list(first.probabilities)
    first.probabilities[0] = 42.0
    first.events.append(SlotSet("x", 1))

    second = policy.predict_action_probabilities(tracker, domain)
    second.probabilities[1] = 43.0

    third = policy.predict_action_probabilities(tracker, domain)
    assert third.probabilities == kept
    assert third.events == []


def test_the_cache_keeps_the_most_recent_sequences_only(
    policy: CachedTEDPolicy, domain: Any
) -> None:
    policy.config[CACHE_SIZE] = 2
    a, b, c = (
        tracker_after(domain, (intent, {}, [])) for intent in ("greet", "ask_tijaria", "ask_market")
    )
    for tracker in (a, b, a, c):  # a is used again after b: b is the oldest when c comes
        policy.predict_action_probabilities(tracker, domain)
    assert len(policy._predictions) == 2
    misses = policy.cache_misses
    policy.predict_action_probabilities(a, domain)
    assert policy.cache_misses == misses
    policy.predict_action_probabilities(b, domain)
    assert policy.cache_misses == misses + 1


@pytest.mark.parametrize("setting", ["size 0", "text features"])
def test_without_a_usable_key_every_prediction_goes_to_ted(
    policy: CachedTEDPolicy, domain: Any, monkeypatch: pytest.MonkeyPatch, setting: str
) -> None:
    if setting == "size 0":
        policy.config[CACHE_SIZE] = 0
    else:  # a model trained on end-to-end stories: the user's words count, not only states
        monkeypatch.setattr(policy, "fake_features", {**policy.fake_features, TEXT: []})
    calls = []

    def ted(self: TEDPolicy, *args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        return self._prediction([0.0] * len(domain.action_names_or_texts))

    monkeypatch.setattr(TEDPolicy, "predict_action_probabilities", ted)
    tracker = tracker_after(domain, ("greet", {}, []))

    policy.predict_action_probabilities(tracker, domain)
    policy.predict_action_probabilities(tracker, domain)

    assert calls == [tracker, tracker]
    assert not policy._predictions
    assert policy.cache_hits == 0
