"""Held-out intent accuracy must not regress below 90% (the benchmark's target is 95%)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nlu.evaluation import VARIETIES, evaluate_agent, load_examples

pytestmark = pytest.mark.model

HELDOUT = Path(__file__).with_name("heldout.yml")


@pytest.fixture(scope="module")
def report(nlu_agent: Any):
    return evaluate_agent(nlu_agent, load_examples(HELDOUT))


def test_heldout_covers_every_variety(report) -> None:
    assert set(VARIETIES) <= set(report.intent_accuracy)


def test_heldout_intent_accuracy_at_least_90_percent(report) -> None:
    misclassified = "\n".join(f"{v} {t!r}: {g} -> {p}" for v, t, g, p in report.errors[:40])
    assert report.intent_accuracy["all"] >= 0.90, misclassified


def test_language_id_on_heldout_at_least_95_percent(report) -> None:
    assert report.language_accuracy["all"] is not None
    assert report.language_accuracy["all"] >= 0.95
