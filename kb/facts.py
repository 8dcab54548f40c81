"""Facts about ASMEX and details of past events, read from data/kb/asmex.yml (file-backed).

The file is checked by kb/files/facts_schema.py, at load-kb time and again when read here;
it is read once per process and again when it changes. Questions are matched against each
fact's keywords after nlu.normalize, the same normalisation the NLU applies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from core import settings
from kb.files.facts_schema import check_facts
from kb.files.kb_schema import KBError
from kb.files.schema import load_yaml, parse_date
from nlu.normalize import normalize_text

#: Facts given for one question at most (the best-matching ones).
MAX_FACTS = 3
#: The fact that answers general questions ("c'est quoi l'ASMEX"): only when no other matches.
GENERAL_FACT = "asmex-identity"
_ARABIC = re.compile("[\u0600-\u06ff]")


@dataclass(frozen=True)
class SourceRef:
    """Where a fact comes from (an entry of sources.yml)."""

    id: str
    title: str
    publisher: str | None
    published: date | None
    url: str | None


@dataclass(frozen=True)
class Fact:
    """One fact about ASMEX, in three languages, with its value, date and source."""

    id: str
    topic: str
    keywords: tuple[str, ...]
    value: dict[str, str]
    text: dict[str, str]
    date: date
    source: SourceRef


@dataclass(frozen=True)
class EventDetails:
    """What the sources say of a past event beyond its row: who led it, who came, outcomes."""

    slug: str
    names: tuple[str, ...]
    origin: str | None
    led_by: dict[str, str] | None
    participants: dict[str, str] | None
    outcomes: dict[str, str] | None
    source: SourceRef


def _pattern(keyword: str) -> re.Pattern[str]:
    """A keyword found in a normalised question: Arabic inside a word (clitics such as و, ال,
    ل are glued to it), Latin as whole words (a plural s allowed)."""
    escaped = re.escape(normalize_text(keyword))
    if _ARABIC.search(keyword):
        return re.compile(escaped)
    return re.compile(rf"(?<!\w){escaped}s?(?!\w)")


def _found(patterns: tuple[tuple[str, re.Pattern[str]], ...], text: str) -> int:
    """How many distinct keywords the text uses; one inside another that matched ("راس" in
    "يراس") is not counted again."""
    words = {word for word, pattern in patterns if pattern.search(text)}
    return sum(1 for w in words if not any(w != other and w in other for other in words))


@dataclass(frozen=True)
class AsmexFacts:
    """Every fact and event detail of asmex.yml."""

    facts: tuple[Fact, ...]
    events: tuple[EventDetails, ...]
    sources: dict[str, SourceRef]

    def matching(self, question: str) -> list[Fact]:
        """The facts whose keywords the question uses most (ties kept, file order)."""
        text = normalize_text(question)
        scores = [(_found(_patterns(f.keywords), text), f) for f in self.facts]
        if any(score for score, f in scores if f.id != GENERAL_FACT):
            scores = [(score, f) for score, f in scores if f.id != GENERAL_FACT]
        best = max((score for score, _ in scores), default=0)
        if best == 0:
            return []
        return [f for score, f in scores if score == best][:MAX_FACTS]

    def fact(self, fact_id: str) -> Fact | None:
        """The fact with this id."""
        return next((f for f in self.facts if f.id == fact_id), None)

    def named_in(self, question: str) -> list[EventDetails]:
        """Events the question names ("Mississippi", "HKTDC", "Conseil des Régions")."""
        text = normalize_text(question)
        return [e for e in self.events if _found(_patterns(e.names), text)]

    def from_country(self, country: str | None) -> list[EventDetails]:
        """Delegations that came from ``country`` (ISO code)."""
        return [e for e in self.events if country and e.origin == country]

    def details(self, slug: str) -> EventDetails | None:
        """The details recorded for an event."""
        return next((e for e in self.events if e.slug == slug), None)


@lru_cache(maxsize=512)
def _patterns(words: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each keyword normalised, with its pattern."""
    return tuple((normalize_text(w), _pattern(w)) for w in words)


def _sources(path: Path) -> dict[str, SourceRef]:
    if not path.exists():
        return {}
    document = load_yaml(path.read_text(encoding="utf-8-sig")) or {}
    found: dict[str, SourceRef] = {}
    for row in document.get("sources") or []:
        if isinstance(row, dict) and row.get("id") and row.get("title"):
            published = row.get("published")
            found[str(row["id"])] = SourceRef(
                id=str(row["id"]),
                title=str(row["title"]),
                publisher=row.get("publisher"),
                published=parse_date(str(published)) if published else None,
                url=row.get("url"),
            )
    return found


def _texts(value: Any) -> dict[str, str] | None:
    return dict(value) if value else None


@lru_cache(maxsize=4)
def _read(directory: Path, _stamp: tuple[float, float]) -> AsmexFacts:
    sources = _sources(directory / "sources.yml")
    problems: list[str] = []
    data = check_facts(directory / "asmex.yml", set(sources), None, problems)
    if problems:
        raise KBError(problems)
    facts = tuple(
        Fact(
            id=row["id"],
            topic=row["topic"],
            keywords=tuple(row["keywords"]),
            value=row["value"],
            text=row["text"],
            date=row["date"],
            source=sources[row["source"]],
        )
        for row in data["facts"]
    )
    events = tuple(
        EventDetails(
            slug=row["slug"],
            names=tuple(row["names"]),
            origin=row["origin"],
            led_by=_texts(row["led_by"]),
            participants=_texts(row["participants"]),
            outcomes=_texts(row["outcomes"]),
            source=sources[row["source"]],
        )
        for row in data["events"]
    )
    return AsmexFacts(facts=facts, events=events, sources=sources)


def _mtime(path: Path) -> float:
    return path.stat().st_mtime if path.exists() else 0.0


def load_facts(kb_dir: Path | None = None) -> AsmexFacts:
    """The facts of ``kb_dir``/asmex.yml (default data/kb), read again when a file changed.

    Raises KBError naming every problem of the file.
    """
    directory = kb_dir or settings.KB_DIR
    stamp = (_mtime(directory / "asmex.yml"), _mtime(directory / "sources.yml"))
    return _read(directory, stamp)
