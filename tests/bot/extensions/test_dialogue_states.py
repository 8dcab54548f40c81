"""bot.extensions.dialogue_states: a tracker's states computed once while its events stay."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import extensions
from bot.extensions import dialogue_states

extensions.install()  # the remembering past_states, as loading a model or a store installs it
ROOT = Path(__file__).resolve().parents[3]
RULE_ONLY = {"slots": ["registration_confirmed"], "active_loops": []}
#: Rasa's own DialogueStateTracker.past_states, under the installed wrapper.
RASAS = DialogueStateTracker.past_states.__wrapped__  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture()
def computed() -> Iterator[list[tuple[Any, ...]]]:
    """The calls that reached Rasa's own past_states, while the tests' wrapper is in place."""
    calls: list[tuple[Any, ...]] = []

    def counting(self: DialogueStateTracker, domain: Domain, **kwargs: Any) -> Any:
        calls.append((self.sender_id, len(self.events), tuple(sorted(kwargs.items(), key=str))))
        return RASAS(self, domain, **kwargs)

    wrapped = dialogue_states.remembering(counting)
    installed = DialogueStateTracker.past_states
    DialogueStateTracker.past_states = wrapped  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        DialogueStateTracker.past_states = installed  # type: ignore[method-assign]


def conversation(domain: Domain, max_event_history: int | None = None) -> DialogueStateTracker:
    events = [
        ActionExecuted(ACTION_SESSION_START_NAME),
        SessionStarted(),
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered(
            "missions au Sénégal",
            intent={"name": "ask_missions", "confidence": 0.9},
            entities=[{"entity": "country", "value": "SN"}],
        ),
    ]
    return DialogueStateTracker.from_events(
        "states", events, slots=domain.slots, max_event_history=max_event_history
    )


def rasas_states(tracker: DialogueStateTracker, domain: Domain, **kwargs: Any) -> Any:
    return RASAS(tracker, domain, **kwargs)


def test_installed_when_the_policies_module_is_loaded() -> None:
    assert getattr(DialogueStateTracker.past_states, "__wrapped_by_asmex__", False)
    dialogue_states.install()  # idempotent: no wrapper around the wrapper
    assert DialogueStateTracker.past_states.__wrapped__ is RASAS  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "arguments",
    [
        {},
        {"ignore_rule_only_turns": True, "rule_only_data": RULE_ONLY},
        {"omit_unset_slots": True},
    ],
)
def test_the_states_are_rasas_own(domain: Domain, arguments: dict[str, Any]) -> None:
    tracker = conversation(domain)
    first = tracker.past_states(domain, **arguments)
    again = tracker.past_states(domain, **arguments)
    assert first == again == rasas_states(conversation(domain), domain, **arguments)


def test_computed_once_per_arguments_while_the_events_are_unchanged(
    domain: Domain, computed: list[tuple[Any, ...]]
) -> None:
    tracker = conversation(domain)
    for _ in range(3):
        tracker.past_states(domain, ignore_rule_only_turns=True, rule_only_data=RULE_ONLY)
        tracker.past_states(domain, rule_only_data=RULE_ONLY)
    assert len(computed) == 2
    # equal rule-only data in another dictionary is the same question
    tracker.past_states(
        domain, ignore_rule_only_turns=True, rule_only_data=copy.deepcopy(RULE_ONLY)
    )
    assert len(computed) == 2
    tracker.past_states(domain, ignore_rule_only_turns=True, rule_only_data=None)
    assert len(computed) == 3


def test_a_new_event_is_seen(domain: Domain, computed: list[tuple[Any, ...]]) -> None:
    tracker = conversation(domain)
    before = tracker.past_states(domain)
    tracker.update(ActionExecuted("action_ask_missions"))
    after = tracker.past_states(domain)
    assert len(computed) == 2
    assert after[-1]["prev_action"] == {"action_name": "action_ask_missions"}
    assert after != before
    assert after == rasas_states(tracker, domain)


def test_a_new_event_is_seen_when_the_history_is_full(
    domain: Domain, computed: list[tuple[Any, ...]]
) -> None:
    """With max_event_history the deque keeps its length: the last event tells the change."""
    tracker = conversation(domain, max_event_history=4)
    tracker.past_states(domain)
    tracker.update(SlotSet("event_slug", "mission-dakar"))
    assert len(tracker.events) == 4
    assert tracker.past_states(domain) == rasas_states(tracker, domain)
    assert len(computed) == 2


def test_another_domain_is_another_question(
    domain: Domain, computed: list[tuple[Any, ...]]
) -> None:
    tracker = conversation(domain)
    tracker.past_states(domain)
    tracker.past_states(copy.deepcopy(domain))
    assert len(computed) == 2


def test_changing_the_returned_states_changes_nothing_remembered(domain: Domain) -> None:
    """The featurizers drop the intent or the text of the last state in place."""
    tracker = conversation(domain)
    expected = copy.deepcopy(RASAS(tracker, domain))
    for _ in range(3):  # computed, then remembered twice
        states = tracker.past_states(domain)
        assert states == expected
        states[-1]["user"].pop("intent")
        states[-1]["slots"] = {}
        states.append({})
