"""Compute a tracker's dialogue states once per prediction, not once per policy.

Every policy reads the conversation as a list of states (intent, entities, slots, active loop,
previous action), which Rasa 3.6 rebuilds from the events each time it is asked: it replays the
whole conversation, copying a tracker at every action. At each prediction MemoizationPolicy and
TEDPolicy ask for the same states (rule-only turns left out), and RulePolicy asks twice for
another list (text, then intent, as the last input): four computations, two of them repeats
(measured in docs/benchmarks.md, profile 6).

``install()`` makes ``DialogueStateTracker.past_states`` remember its last results on the
tracker, by arguments, for as long as the tracker has the same events and domain: a new event
(the deque's length and last element both tell) or another domain starts afresh. Each caller
gets its own copy of the states, because the featurizers change the last one in place (they
drop the intent or the text of the last user input).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any, Final, NamedTuple

from rasa.shared.core.domain import Domain, State
from rasa.shared.core.trackers import DialogueStateTracker

#: Attribute of a tracker holding its remembered states.
_MEMO: Final = "_asmex_past_states"

_PastStates = Callable[..., list[State]]


class _Memo(NamedTuple):
    domain: Domain
    length: int
    last: Any  # the last event, compared by identity (the memo's reference keeps it alive)
    # (omit_unset_slots, ignore_rule_only_turns, rule_only_data) -> states
    results: list[tuple[tuple[bool, bool, dict[str, Any] | None], list[State]]]


def copied(states: list[State]) -> list[State]:
    """States whose dictionaries are new; their values (strings, tuples, numbers) are shared."""
    return [
        {key: dict(value) if isinstance(value, dict) else value for key, value in state.items()}
        for state in states
    ]


def remembering(original: _PastStates) -> _PastStates:
    """``past_states`` that reuses its result while the tracker's events are unchanged."""

    @functools.wraps(original)
    def past_states(
        self: DialogueStateTracker,
        domain: Domain,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: dict[str, Any] | None = None,
    ) -> list[State]:
        events = self.events
        last = events[-1] if events else None
        memo = self.__dict__.get(_MEMO)
        if (
            memo is None
            or memo.domain is not domain
            or memo.length != len(events)
            or memo.last is not last
        ):
            memo = _Memo(domain, len(events), last, [])
            self.__dict__[_MEMO] = memo
        arguments = (omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        for known, states in memo.results:
            if known == arguments:
                return copied(states)
        states = original(
            self,
            domain,
            omit_unset_slots=omit_unset_slots,
            ignore_rule_only_turns=ignore_rule_only_turns,
            rule_only_data=rule_only_data,
        )
        frozen = (omit_unset_slots, ignore_rule_only_turns, copy.deepcopy(rule_only_data))
        memo.results.append((frozen, copied(states)))
        return states

    past_states.__wrapped_by_asmex__ = True  # type: ignore[attr-defined]
    return past_states


def install() -> None:
    """Make DialogueStateTracker.past_states remember its results (idempotent)."""
    current = DialogueStateTracker.past_states
    if not getattr(current, "__wrapped_by_asmex__", False):
        DialogueStateTracker.past_states = remembering(current)  # type: ignore[method-assign]
