"""Surface forms of canonical entity values: finding them in a message, looking one up.

One source for every way users name a country, a Moroccan region or city, a sector, an event
type or a reply language, in French, MSA, Darija (Arabic script), Arabizi and English, read by
``nlu.vocabulary.gazetteer_loading`` from ``nlu/vocabulary/gazetteer/*.yml`` and pycountry.
``load_gazetteer()`` builds the indexes once; ``Gazetteer.find_all`` scans a message with a
token index (one dict lookup per token and candidate length), ``Gazetteer.lookup`` maps one
extracted value to its canonical value. Both compare the matching keys of
``nlu.vocabulary.gazetteer_keys``.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from rapidfuzz import fuzz, process

from nlu.vocabulary.canonical import is_country
from nlu.vocabulary.gazetteer_keys import (
    AR_ARTICLE,
    Token,
    first_variants,
    is_arabic,
    raw_offset,
    tokenize,
)
from nlu.vocabulary.gazetteer_loading import (
    CANONICAL,
    ENTITIES,
    IGNORE,
    SurfaceForms,
    read_surface_forms,
)

__all__ = ["DEFAULT_FUZZY_THRESHOLD", "ENTITIES", "Gazetteer", "Match", "load_gazetteer"]

logger = logging.getLogger(__name__)

#: When one key names values of several entities, the first entity here wins.
_PRIORITY: Final = (IGNORE, "bloc", "region", "country", "event_type", "sector", "language")

DEFAULT_FUZZY_THRESHOLD: Final = 90.0
#: Shortest normalised surface (characters) that may be matched approximately.
FUZZY_MIN_LENGTH: Final = 5

# Prepositions dropped in front of a looked-up surface ("f kenya", "في كينيا", "à Dakar").
_LATIN_LEADING: Final = "f fi l b el al a au aux en le la les du de d in to the"
_LEADING_WORDS: Final = frozenset(
    _LATIN_LEADING.split()
    + ["\u0641\u064a", "\u0641", "\u0628", "\u0644", "\u0645\u0646"]  # في ف ب ل من
    + ["\u0627\u0644\u064a"]  # الى/إلى after normalisation
)


@dataclass(frozen=True)
class Match:
    """One gazetteer hit: ``text`` is ``message[start:end]``."""

    entity: str
    value: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class _Entry:
    entity: str
    value: str
    exact: tuple[str, ...] | None  # original tokens that must match case and accents


class Gazetteer:
    """Surface forms of the canonical values of the gazetteer entities."""

    def __init__(self, forms: SurfaceForms) -> None:
        self._aliases = {
            e: {v: list(names) for v, names in forms.aliases[e].items()} for e in ENTITIES
        }
        self._cities = forms.cities
        rank = {e: i for i, e in enumerate(_PRIORITY)}
        # Free-text index: key tuple -> entries (lookup-only forms left out), by priority.
        self._index: dict[tuple[str, ...], list[_Entry]] = {}
        # lookup index: entity -> key tuple -> value (every form).
        self._lookup: dict[str, dict[tuple[str, ...], str]] = {e: {} for e in ENTITIES}
        for (entity, key), bucket in forms.entries.items():
            for value, weak, exact in bucket:
                if entity != IGNORE:
                    self._lookup[entity].setdefault(key, value)
                if not weak:
                    self._index.setdefault(key, []).append(_Entry(entity, value, exact))
        for entries in self._index.values():
            entries.sort(key=lambda e: rank[e.entity])
        # Longest form length (in tokens) for each first token.
        self._max_len: dict[str, int] = {}
        for key in self._index:
            self._max_len[key[0]] = max(self._max_len.get(key[0], 0), len(key))
        # Fuzzy choices: entity -> script -> (joined keys, values).
        self._fuzzy: dict[str, dict[bool, tuple[list[str], list[str]]]] = {}
        for entity, table in self._lookup.items():
            by_script: dict[bool, tuple[list[str], list[str]]] = {True: ([], []), False: ([], [])}
            for key, value in table.items():
                joined = " ".join(key)
                if len(joined) >= FUZZY_MIN_LENGTH - 1:
                    choices, values = by_script[is_arabic(joined)]
                    choices.append(joined)
                    values.append(value)
            self._fuzzy[entity] = by_script

    def aliases(self, entity: str) -> dict[str, list[str]]:
        """Canonical value -> its surface forms (YAML forms first, then pycountry names)."""
        return {v: list(forms) for v, forms in self._aliases[entity].items()}

    def cities(self, entity: str) -> dict[str, list[str]]:
        """Region -> its Moroccan city names, or country code -> its listed city forms."""
        return {v: list(c) for v, c in self._cities[entity].items()}

    def lookup(
        self, entity: str, surface: str, *, fuzzy_threshold: float | None = None
    ) -> str | None:
        """Canonical value of ``surface``: normalised exact match, then a conservative fuzzy one.

        Canonical values pass through (``KE``, ``agrifood``). The fuzzy match needs a surface of
        at least five characters, the same script and ``fuzz.ratio`` >= the threshold (90;
        above 100 turns fuzzy matching off).
        """
        if entity not in self._lookup or not surface or not surface.strip():
            return None
        surface = surface.strip()
        if entity == "country":
            if len(surface) == 2 and surface.isupper() and is_country(surface):
                return surface
        elif surface in CANONICAL[entity]:
            return surface
        table = self._lookup[entity]
        tokens = tokenize(surface)
        while len(tokens) > 1 and tokens[0].key in _LEADING_WORDS:
            tokens = tokens[1:]
        if not tokens:
            return None
        rest = tuple(t.key for t in tokens[1:])
        full = (tokens[0].key, *rest)
        known = any(full in self._lookup[e] for e in ENTITIES)  # وجدة is Oujda, not و + جدة
        variants = [(tokens[0].key, 0)] if known else first_variants(tokens[0])
        for first, _ in variants:
            candidates = [first]
            if tokens[0].arabic:  # the article is optional here: صين, الصين
                candidates.append(first[2:] if first.startswith(AR_ARTICLE) else AR_ARTICLE + first)
            for candidate in candidates:
                value = table.get((candidate, *rest))
                if value is not None:
                    return value
        return self._fuzzy_lookup(entity, tokens, fuzzy_threshold)

    def _fuzzy_lookup(
        self, entity: str, tokens: list[Token], threshold: float | None
    ) -> str | None:
        threshold = DEFAULT_FUZZY_THRESHOLD if threshold is None else threshold
        query = " ".join(t.key for t in tokens)
        if len(query) < FUZZY_MIN_LENGTH or threshold > 100:  # above 100: exact matches only
            return None
        choices, values = self._fuzzy[entity][is_arabic(query)]
        best = process.extractOne(
            query,
            choices,
            scorer=fuzz.ratio,
            score_cutoff=threshold,
        )
        if best is None:
            return None
        logger.debug("gazetteer: %s %r ~ %r (%.0f)", entity, query, best[0], best[1])
        return values[best[2]]

    def find_all(self, text: str) -> list[Match]:
        """Longest non-overlapping hits of whole words, with offsets into ``text``."""
        tokens = tokenize(text)
        matches: list[Match] = []
        i = 0
        while i < len(tokens):
            found = self._match_at(tokens, i)
            if found is None:
                i += 1
                continue
            length, cut, entry = found
            if entry.entity != IGNORE:
                start = tokens[i].start + raw_offset(tokens[i].raw, cut)
                end = tokens[i + length - 1].end
                matches.append(Match(entry.entity, entry.value, start, end, text[start:end]))
            i += length
        return matches

    def _match_at(self, tokens: list[Token], i: int) -> tuple[int, int, _Entry] | None:
        best: tuple[int, int, _Entry] | None = None
        for first, cut in first_variants(tokens[i]):
            max_len = self._max_len.get(first)
            if max_len is None:
                continue
            for length in range(min(max_len, len(tokens) - i), 0, -1):
                if best is not None and length <= best[0]:
                    break
                key = (first, *(t.key for t in tokens[i + 1 : i + length]))
                entry = self._first_entry(self._index.get(key), tokens, i, length, cut)
                if entry is not None:
                    best = (length, cut, entry)
                    break
        return best

    @staticmethod
    def _first_entry(
        entries: list[_Entry] | None, tokens: list[Token], i: int, length: int, cut: int
    ) -> _Entry | None:
        if not entries:
            return None
        for entry in entries:
            if entry.exact is None:
                return entry
            first_raw = tokens[i].raw[raw_offset(tokens[i].raw, cut) :]
            raws = (first_raw, *(t.raw for t in tokens[i + 1 : i + length]))
            if tuple(unicodedata.normalize("NFC", r) for r in raws) == entry.exact:
                return entry
        return None

    def forms_count(self) -> dict[str, int]:
        """Number of distinct surface forms per entity (for reports and tests)."""
        return {e: sum(len(f) for f in self._aliases[e].values()) for e in ENTITIES}


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer built from ``nlu/vocabulary/gazetteer/*.yml`` and pycountry (built once)."""
    return Gazetteer(read_surface_forms())
