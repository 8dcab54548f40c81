"""Evaluate a trained NLU model on labelled data, by variety (bench-nlu and the regression test)."""

from __future__ import annotations

import asyncio
import logging
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlu.vocabulary.canonical import language_from_detection

#: Block metadata `variety` -> the language the identifier should report.
VARIETY_LANGUAGE = {"fr": "fr", "ar": "ar", "ary_ar": "ary", "ary_lat": "ary", "en": "en"}
VARIETIES = tuple(VARIETY_LANGUAGE)
#: Block metadata `variety` -> the script its messages are written in.
VARIETY_SCRIPT = {"fr": "latin", "ar": "arab", "ary_ar": "arab", "ary_lat": "latin", "en": "latin"}
#: The language the assistant should reply in to each variety: the reply rule itself
#: (language_from_detection, as action_set_language) applied to the variety's right detection.
REPLY_LANGUAGE = {
    v: language_from_detection(VARIETY_LANGUAGE[v], VARIETY_SCRIPT[v]) for v in VARIETIES
}


@dataclass(frozen=True)
class Example:
    """One labelled message."""

    text: str
    intent: str
    variety: str
    entities: tuple[tuple[str, str], ...]  # (entity, canonical value)


@dataclass
class Prediction:
    """What a model returned for one example, and how long it took."""

    intent: str | None
    language: str | None
    entities: set[tuple[str, str]]
    seconds: float
    script: str | None = None  # "arab", "latin" or "none", from the language identifier


@dataclass
class Report:
    """Metrics over a labelled set, overall and per variety."""

    n: int
    intent_accuracy: dict[str, float] = field(default_factory=dict)
    intent_macro_f1: dict[str, float] = field(default_factory=dict)
    entity_recall: dict[str, float | None] = field(default_factory=dict)
    language_accuracy: dict[str, float | None] = field(default_factory=dict)
    #: Language-id errors counted by "variety->found" ("fr->ary": 3; "->none" for a message
    #: with no letters, an e-mail or a phone number): where errors go, without the messages.
    language_confusion: dict[str, int] = field(default_factory=dict)
    #: Share of messages whose detection gives the reply language their variety should get
    #: (Arabic for MSA and Darija in Arabic script, French for French and Arabizi, English),
    #: by nlu.vocabulary.canonical.language_from_detection; a message with no letters counts
    #: as wrong. None when the model reports no script (langdetect, Rasa's default pipeline).
    reply_language_accuracy: dict[str, float | None] = field(default_factory=dict)
    latency_ms: dict[str, float] = field(default_factory=dict)
    errors: list[tuple[str, str, str, str | None]] = field(default_factory=list)


def load_examples(path: Path | str) -> list[Example]:
    """Labelled examples of a Rasa NLU YAML file whose blocks carry `metadata: {variety: ...}`."""
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for message in load_data(str(path)).intent_examples:
        metadata = message.get("metadata") or {}
        variety = (metadata.get("intent") or {}).get("variety")
        if variety not in VARIETY_LANGUAGE:
            continue
        entities = tuple((str(e["entity"]), str(e["value"])) for e in message.get("entities") or [])
        examples.append(Example(message.get("text"), message.get("intent"), variety, entities))
    return examples


def _macro_f1(pairs: list[tuple[str, str | None]]) -> float:
    labels = {gold for gold, _ in pairs}
    scores = []
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def score(examples: list[Example], predictions: list[Prediction]) -> Report:
    """Intent accuracy and macro-F1, entity recall, language accuracy and latency, by variety."""
    report = Report(n=len(examples))
    groups: dict[str, list[int]] = defaultdict(list)
    for index, example in enumerate(examples):
        groups[example.variety].append(index)
        groups["all"].append(index)
    for name, indexes in groups.items():
        pairs = [(examples[i].intent, predictions[i].intent) for i in indexes]
        report.intent_accuracy[name] = sum(g == p for g, p in pairs) / len(pairs)
        report.intent_macro_f1[name] = _macro_f1(pairs)
        gold = [(i, ent) for i in indexes for ent in examples[i].entities]
        found = sum(1 for i, ent in gold if ent in predictions[i].entities)
        report.entity_recall[name] = found / len(gold) if gold else None
        languages = [predictions[i].language for i in indexes]
        if any(language is not None for language in languages):
            right = sum(
                VARIETY_LANGUAGE[examples[i].variety] == predictions[i].language for i in indexes
            )
            report.language_accuracy[name] = right / len(indexes)
        else:
            report.language_accuracy[name] = None
        if any(predictions[i].script is not None for i in indexes):
            right = sum(
                REPLY_LANGUAGE[examples[i].variety]
                == language_from_detection(predictions[i].language, predictions[i].script)
                for i in indexes
            )
            report.reply_language_accuracy[name] = right / len(indexes)
        else:
            report.reply_language_accuracy[name] = None
    if any(p.language is not None for p in predictions):
        confusion: Counter[str] = Counter(
            f"{e.variety}->{p.language or 'none'}"
            for e, p in zip(examples, predictions, strict=True)
            if VARIETY_LANGUAGE[e.variety] != p.language
        )
        report.language_confusion = dict(confusion.most_common())
    millis = [p.seconds * 1000 for p in predictions]
    report.latency_ms = {
        "p50": _percentile(millis, 50),
        "p95": _percentile(millis, 95),
        "mean": statistics.fmean(millis) if millis else 0.0,
    }
    report.errors = [
        (e.variety, e.text, e.intent, p.intent)
        for e, p in zip(examples, predictions, strict=True)
        if e.intent != p.intent
    ]
    return report


def prediction_from_parse(parse: dict[str, Any], seconds: float) -> Prediction:
    """Turn a Rasa parse result into a Prediction."""
    intent = (parse.get("intent") or {}).get("name")
    entities = {(str(e.get("entity")), str(e.get("value"))) for e in parse.get("entities") or []}
    return Prediction(
        intent, parse.get("language"), entities, seconds, parse.get("language_script")
    )


async def predict_all(
    parse: Callable[[str], Awaitable[dict[str, Any]]], texts: Iterable[str]
) -> list[Prediction]:
    """Parse each text in turn, timing each parse."""
    predictions = []
    for text in texts:
        start = time.perf_counter()
        result = await parse(text)
        predictions.append(prediction_from_parse(result, time.perf_counter() - start))
    return predictions


def evaluate_model(model_path: Path | str, examples: list[Example]) -> Report:
    """Load a trained model and score it on the examples.

    Intents that the FallbackClassifier turned into nlu_fallback count as wrong.
    """
    from rasa.core.agent import Agent

    return evaluate_agent(Agent.load(str(model_path)), examples)


def evaluate_agent(agent: Any, examples: list[Example]) -> Report:
    """Score a loaded model (a ``rasa.core.agent.Agent``) on the examples, as evaluate_model."""

    async def parse(text: str) -> dict[str, Any]:
        return await agent.parse_message(text)

    async def run() -> list[Prediction]:
        await parse("warm up")
        return await predict_all(parse, (e.text for e in examples))

    with _parse_logs_muted():
        return score(examples, asyncio.run(run()))


@contextmanager
def _parse_logs_muted() -> Iterator[None]:
    """Rasa logs each parsed message with its text at debug level, through the standard
    logger and through structlog, whose default configuration (no `rasa` command configured
    it) prints every level to stdout. An evaluation set's messages must reach no terminal and
    no log (a frozen set that has been read is no longer a measure): both are held at
    warning level while the set is parsed."""
    import structlog

    saved = structlog.get_config()
    rasa_logger = logging.getLogger("rasa")
    level = rasa_logger.level
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    rasa_logger.setLevel(max(logging.WARNING, rasa_logger.getEffectiveLevel()))
    try:
        yield
    finally:
        rasa_logger.setLevel(level)
        structlog.configure(**saved)
