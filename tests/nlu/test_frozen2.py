"""The frozen evaluation set 2 (tests/nlu/frozen2/eval.yml) never changes and keeps its counts.

It was written in one pass before any change to training data for issue 21 and is never used to
train or to choose anything (tests/nlu/frozen2/README.md). Any edit fails here on purpose.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest
import yaml

from nlu.evaluation import VARIETIES, Example, load_examples

FROZEN = Path(__file__).parent / "frozen2" / "eval.yml"
DOMAIN = Path(__file__).parents[2] / "domain.yml"
REGIONS = Path(__file__).parents[2] / "data" / "kb" / "regions.yml"

#: sha256 of eval.yml as committed in "frozen evaluation set 2": never update it.
FROZEN_SHA256 = "5d4f84bb34ac60ada8603a7b05fd99edc364cbd27ce443ada62d95346c893b89"


@pytest.fixture(scope="module")
def examples() -> list[Example]:
    return load_examples(FROZEN)


def test_frozen_file_is_unchanged() -> None:
    assert hashlib.sha256(FROZEN.read_bytes()).hexdigest() == FROZEN_SHA256


def test_at_least_600_messages_all_loaded(examples: list[Example]) -> None:
    written = sum(
        1 for line in FROZEN.read_text(encoding="utf-8").splitlines() if line.startswith("    - ")
    )
    assert len(examples) >= 600
    assert len(examples) == written  # no example dropped by the loader (variety missing, ...)


@pytest.mark.parametrize("variety", VARIETIES)
def test_at_least_110_messages_per_variety(examples: list[Example], variety: str) -> None:
    assert sum(1 for e in examples if e.variety == variety) >= 110


def test_no_message_twice(examples: list[Example]) -> None:
    counts = Counter(e.text.strip().lower() for e in examples)
    assert [text for text, n in counts.items() if n > 1] == []


def test_intents_are_the_domain_intents(examples: list[Example]) -> None:
    domain = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))
    intents = {i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]}
    used = {e.intent for e in examples}
    assert used <= intents - {"nlu_fallback"}
    assert len(used) >= 25


def test_entities_use_canonical_values(examples: list[Example]) -> None:
    from kb.display import EVENT_TYPES, SECTORS

    regions = yaml.safe_load(REGIONS.read_text(encoding="utf-8"))["regions"]
    allowed = {
        "sector": set(SECTORS),
        "event_type": set(EVENT_TYPES),
        "region": {region["code"] for region in regions},
    }
    for example in examples:
        for entity, value in example.entities:
            assert entity in {"country", "region", "sector", "event_type"}, example
            if entity in allowed:
                assert value in allowed[entity], example
            elif entity == "country":
                assert len(value) == 2 and value.isupper(), example
