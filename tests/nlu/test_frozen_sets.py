"""The frozen evaluation sets (tests/nlu/frozen2 to frozen8) never change and keep their counts.

Each was written in one pass before the changes it measures and is never used to train or to
choose anything (their README.md). Any edit fails here on purpose.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml

from nlu.evaluation import VARIETIES, Example, load_examples

HERE = Path(__file__).parent
DOMAIN = HERE.parents[1] / "domain.yml"
KB = HERE.parents[1] / "data" / "kb"


class Frozen(NamedTuple):
    path: Path
    #: sha256 of eval.yml as committed in its "frozen evaluation set" commit: never update it.
    sha256: str
    #: entity names its author labelled
    entities: frozenset[str]


SETS = {
    "frozen2": Frozen(
        HERE / "frozen2" / "eval.yml",
        "5d4f84bb34ac60ada8603a7b05fd99edc364cbd27ce443ada62d95346c893b89",
        frozenset({"country", "region", "sector", "event_type"}),
    ),
    "frozen3": Frozen(
        HERE / "frozen3" / "eval.yml",
        "350ccb1642c03a7c6fb73099315974162ce061f9cba50bf87e1bafb74ecbd11a",
        frozenset({"country", "region", "sector", "event_type", "bloc"}),
    ),
    "frozen4": Frozen(
        HERE / "frozen4" / "eval.yml",
        "093055b30daf66c91ce66ad5fd575d071c0ef025a20278f61ab791dcaeecc5a8",
        frozenset({"country", "region", "sector", "event_type", "bloc", "email"}),
    ),
    "frozen5": Frozen(
        HERE / "frozen5" / "eval.yml",
        "3dca31a89e2250bf3d3bc6809c7d35f0d05150a76022d288616965778c811684",
        frozenset({"country", "region", "sector", "event_type", "bloc"}),
    ),
    "frozen6": Frozen(
        HERE / "frozen6" / "eval.yml",
        "e4494e3e03ce92c1e631b5626940aa72a7268854c1f917ae941db4eb7db4611d",
        frozenset({"country", "region", "sector", "event_type", "bloc"}),
    ),
    "frozen7": Frozen(
        HERE / "frozen7" / "eval.yml",
        "58650d47f6829412b81ab6b2160b4a9b799e050139574daa53828446838ab2be",
        frozenset({"country", "region", "sector", "event_type", "bloc", "email"}),
    ),
    "frozen8": Frozen(
        HERE / "frozen8" / "eval.yml",
        "74e92f27ff40ff632a52e6ecf723a162c6d4d7a1243becc1982df419b989783a",
        frozenset({"country", "region", "sector", "event_type", "bloc", "email"}),
    ),
}


@pytest.fixture(scope="module", params=sorted(SETS))
def frozen(request: pytest.FixtureRequest) -> tuple[Frozen, list[Example]]:
    spec = SETS[request.param]
    return spec, load_examples(spec.path)


def test_frozen_file_is_unchanged(frozen: tuple[Frozen, list[Example]]) -> None:
    spec, _ = frozen
    assert hashlib.sha256(spec.path.read_bytes()).hexdigest() == spec.sha256


def test_at_least_600_messages_all_loaded(frozen: tuple[Frozen, list[Example]]) -> None:
    spec, examples = frozen
    lines = spec.path.read_text(encoding="utf-8").splitlines()
    written = sum(1 for line in lines if line.startswith("    - "))
    assert len(examples) >= 600
    assert len(examples) == written  # no example dropped by the loader (variety missing, ...)


@pytest.mark.parametrize("variety", VARIETIES)
def test_at_least_110_messages_per_variety(
    frozen: tuple[Frozen, list[Example]], variety: str
) -> None:
    assert sum(1 for e in frozen[1] if e.variety == variety) >= 110


def test_no_message_twice(frozen: tuple[Frozen, list[Example]]) -> None:
    counts = Counter(e.text.strip().lower() for e in frozen[1])
    assert [text for text, n in counts.items() if n > 1] == []


def test_intents_are_the_domain_intents(frozen: tuple[Frozen, list[Example]]) -> None:
    domain = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))
    intents = {i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]}
    used = {e.intent for e in frozen[1]}
    assert used <= intents - {"nlu_fallback"}
    assert len(used) >= 25


def test_entities_use_canonical_values(frozen: tuple[Frozen, list[Example]]) -> None:
    from kb.display import EVENT_TYPES, SECTORS

    spec, examples = frozen
    regions = yaml.safe_load((KB / "regions.yml").read_text(encoding="utf-8"))["regions"]
    blocs = yaml.safe_load((KB / "blocs.yml").read_text(encoding="utf-8"))["blocs"]
    allowed = {
        "sector": set(SECTORS),
        "event_type": set(EVENT_TYPES),
        "region": {region["code"] for region in regions},
        "bloc": {bloc["code"] for bloc in blocs},
    }
    for example in examples:
        for entity, value in example.entities:
            assert entity in spec.entities, example
            if entity in allowed:
                assert value in allowed[entity], example
            elif entity == "country":
                assert len(value) == 2 and value.isupper(), example
