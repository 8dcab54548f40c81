"""Surface forms of canonical entity values, read from ``nlu/gazetteer/*.yml`` (+ pycountry).

One source for every way users name a country, a Moroccan region or city, a sector, an event
type or a reply language, in French, MSA, Darija (Arabic script), Arabizi and English.
``load_gazetteer()`` builds the indexes once; ``Gazetteer.find_all`` scans a message with a
token index (one dict lookup per token and candidate length), ``Gazetteer.lookup`` maps one
extracted value to its canonical value.

Matching keys come from ``nlu.normalize`` (Arabic orthography, Latin case and accents,
Arabic-Indic digits) applied token by token, so offsets map back to the original text.

Form markers in the YAML files: ``~form`` is accepted by ``lookup`` only (a common word that
must not be found in free text); ``=form`` is found by ``find_all`` only with this exact case
and accents. Upper-case forms of at most three letters (``USA``, ``HK``) are exact-case too.
"""

from __future__ import annotations

import gettext
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Final

import yaml
from rapidfuzz import fuzz, process

from nlu.normalize import normalize_arabic, normalize_latin, to_ascii_digits
from nlu.vocabulary.canonical import EVENT_TYPES, REGIONS, REPLY_LANGUAGES, SECTORS, is_country

logger = logging.getLogger(__name__)

GAZETTEER_DIR: Final = Path(__file__).resolve().parent / "gazetteer"

ENTITIES: Final = ("country", "region", "sector", "event_type", "language")
#: Pseudo-entity of phrases that are matched and then dropped ("الدول العربية").
_IGNORE: Final = "_ignore"
#: When one key names values of several entities, the first entity here wins.
_PRIORITY: Final = (_IGNORE, "region", "country", "event_type", "sector", "language")

DEFAULT_FUZZY_THRESHOLD: Final = 90.0
#: Shortest normalised surface (characters) that may be matched approximately.
FUZZY_MIN_LENGTH: Final = 5

_CANONICAL: Final[dict[str, frozenset[str]]] = {
    "region": frozenset(REGIONS),
    "sector": frozenset(SECTORS),
    "event_type": frozenset(EVENT_TYPES),
    "language": frozenset(REPLY_LANGUAGES),
}

# A token: letters and digits of any script with their combining marks; apostrophes, hyphens,
# dots and spaces separate tokens ("l'kenya" -> l, kenya; "Souss-Massa" -> souss, massa).
_TOKEN_RE: Final = re.compile(
    r"(?:[^\W_]|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed])+"
)
_ARABIC_RE: Final = re.compile("[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")
# Darija letters nlu.normalize leaves alone: gaf/ng -> kaf, veh -> fa.
_DARIJA_LETTERS: Final = str.maketrans({"\u06af": "\u0643", "\u06ad": "\u0643", "\u06a4": "\u0641"})
_COMMA_RE: Final = re.compile("[,\u060c]")
_PAREN_RE: Final = re.compile(r"\s*\([^)]*\)")

# Arabic proclitics: a conjunction, then a preposition, before the word (or its article).
_AR_CONJUNCTIONS: Final = ("", "\u0648", "\u0641")  # و ف
_AR_PREPOSITIONS: Final = ("", "\u0628", "\u0644", "\u0643")  # ب ل ك
_AR_LAM: Final = "\u0644"
_AR_ARTICLE: Final = "\u0627\u0644"  # ال
_AR_DAL: Final = "\u062f"  # Darija د (dial) before the article: دالمغرب
# Arabizi/French prepositions glued to the word: "lkenya", "fchina", "bl3arbiya".
_LATIN_PROCLITICS: Final = ("l", "f", "b")
_MIN_STRIPPED: Final = 4  # a Latin word stripped of its proclitic keeps at least 4 letters
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


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    raw: str
    key: str
    arabic: bool


def _token_key(token: str) -> str:
    """Matching key of one token: ASCII digits, Arabic orthography, casefold, no accents."""
    token = to_ascii_digits(token)
    if _ARABIC_RE.search(token):
        token = normalize_arabic(token.translate(_DARIJA_LETTERS))
    return normalize_latin(token)


def _tokens(text: str) -> list[_Token]:
    tokens = []
    for m in _TOKEN_RE.finditer(text):
        raw = m.group()
        key = _token_key(raw)
        if key:
            tokens.append(_Token(m.start(), m.end(), raw, key, bool(_ARABIC_RE.search(raw))))
    return tokens


def _key(text: str) -> tuple[str, ...]:
    """Matching key of a surface form: the tuple of its token keys."""
    return tuple(t.key for t in _tokens(text))


def _arabic_variants(key: str) -> Iterator[tuple[str, int]]:
    """The word without its proclitics: (stripped key, letters removed)."""
    for conj in _AR_CONJUNCTIONS:
        if not key.startswith(conj):
            continue
        rest = key[len(conj) :]
        for prep in _AR_PREPOSITIONS:
            if not (conj or prep) or not rest.startswith(prep):
                continue
            word = rest[len(prep) :]
            if len(word) < 2:
                continue
            cut = len(conj) + len(prep)
            yield word, cut
            if prep == _AR_LAM and word.startswith(_AR_LAM):  # لل = ل + ال: للصين -> الصين
                yield "\u0627" + word, len(conj)
        if rest.startswith(_AR_DAL + _AR_ARTICLE):  # دالمغرب -> المغرب
            yield rest[1:], len(conj) + 1


def _latin_variants(key: str) -> Iterator[tuple[str, int]]:
    for prefix in _LATIN_PROCLITICS:
        if key.startswith(prefix) and len(key) - len(prefix) >= _MIN_STRIPPED:
            yield key[len(prefix) :], len(prefix)


def _first_variants(token: _Token) -> list[tuple[str, int]]:
    variants = [(token.key, 0)]
    variants.extend(_arabic_variants(token.key) if token.arabic else _latin_variants(token.key))
    return variants


def _raw_offset(raw: str, cut: int) -> int:
    """Index in ``raw`` after its first ``cut`` normalised characters."""
    if cut == 0:
        return 0
    seen = 0
    for i, char in enumerate(raw):
        if _token_key(char):
            seen += 1
            if seen == cut:
                return i + 1
    return 0


def _parse_form(form: str) -> tuple[str, bool, bool]:
    """Return (form, lookup_only, exact_case) from a YAML form with its marker."""
    form = unicodedata.normalize("NFC", str(form).strip())
    weak = exact = False
    if form.startswith("~"):
        weak, form = True, form[1:].strip()
    elif form.startswith("="):
        exact, form = True, form[1:].strip()
    letters = "".join(c for c in form if c.isalpha())
    if len(letters) <= 3 and letters.isupper() and letters.isascii():
        exact = True
    elif len(letters) <= 2 and not exact:
        weak = True  # "fr", "in": never in free text unless marked exact
    return form, weak, exact


@dataclass
class _Builder:
    """Collects forms; YAML forms win over pycountry names with the same key."""

    aliases: dict[str, dict[str, list[str]]] = field(
        default_factory=lambda: {e: {} for e in (*ENTITIES, _IGNORE)}
    )
    # (entity, key) -> (value, weak, exact tokens or None, from_yaml)
    entries: dict[tuple[str, tuple[str, ...]], list[tuple[str, bool, tuple[str, ...] | None]]] = (
        field(default_factory=dict)
    )
    yaml_keys: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)
    base: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    base_forms: dict[tuple[str, ...], list[tuple[str, str]]] = field(default_factory=dict)
    cities: dict[str, dict[str, list[str]]] = field(
        default_factory=lambda: {"country": {}, "region": {}}
    )

    def add(self, entity: str, value: str, raw_form: str) -> None:
        form, weak, exact = _parse_form(raw_form)
        key = _key(form)
        if not key:
            return
        bucket = self.entries.setdefault((entity, key), [])
        others = {v for v, _, _ in bucket} - {value}
        if others:
            logger.warning(
                "gazetteer: %r names %s %s and %s; keeping the first",
                form,
                entity,
                sorted(others),
                value,
            )
            return
        forms = self.aliases[entity].setdefault(value, [])
        if form not in forms:
            forms.append(form)
        exact_tokens = tuple(t.raw for t in _tokens(form)) if exact else None
        bucket.append((value, weak, exact_tokens))
        self.yaml_keys.add((entity, key))

    def add_base(self, value: str, name: str) -> None:
        """Queue a pycountry name; used unless ambiguous or already named in YAML."""
        name = unicodedata.normalize("NFC", name.strip())
        key = _key(name)
        if key:
            self.base.setdefault(key, set()).add(value)
            self.base_forms.setdefault(key, []).append((value, name))

    def finish_base(self, skip: set[tuple[str, ...]]) -> None:
        for key, values in self.base.items():
            if len(values) > 1 or key in skip or ("country", key) in self.entries:
                continue
            for value, name in self.base_forms[key]:
                forms = self.aliases["country"].setdefault(value, [])
                if name not in forms:
                    forms.append(name)
            value = next(iter(values))
            self.entries[("country", key)] = [(value, False, None)]


def _read_yaml(name: str) -> dict:
    with open(GAZETTEER_DIR / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def _pycountry_names() -> Iterator[tuple[str, str]]:
    """(alpha-2, name) for every country in English, French and Arabic."""
    import pycountry

    translations = [gettext.NullTranslations()]
    for language in ("fr", "ar"):
        try:
            translations.append(
                gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
            )
        except OSError:  # pragma: no cover - catalogue missing from the installed pycountry
            logger.warning("gazetteer: pycountry has no %s country names", language)
    for country in pycountry.countries:
        english = [getattr(country, a, None) for a in ("name", "common_name", "official_name")]
        for translation in translations:
            for name in filter(None, english):
                yield from ((country.alpha_2, n) for n in _name_variants(translation.gettext(name)))


def _name_variants(name: str) -> Iterator[str]:
    """Split "Corée, République de" into Corée and République de Corée; drop parentheses."""
    name = _PAREN_RE.sub("", name).strip()
    parts = [p.strip() for p in _COMMA_RE.split(name, maxsplit=1)]
    if len(parts) == 1:
        yield name
        return
    head, tail = parts
    yield head
    if _ARABIC_RE.search(tail):
        yield tail
    elif tail:
        yield f"{tail} {head}"


def _build() -> Gazetteer:
    builder = _Builder()
    countries = _read_yaml("countries.yml")
    for code, forms in (countries.get("countries") or {}).items():
        for form in forms:
            builder.add("country", str(code), form)
    cities = _read_yaml("cities.yml")
    for code, forms in (cities.get("cities") or {}).items():
        for form in forms:
            builder.add("country", str(code), form)
        builder.cities["country"][str(code)] = [_parse_form(f)[0] for f in forms]
    for form in cities.get("us_states") or []:
        builder.add("country", "US", form)

    for region, spec in (_read_yaml("regions.yml").get("regions") or {}).items():
        for form in spec.get("names") or []:
            builder.add("region", region, form)
        for city, forms in (spec.get("cities") or {}).items():
            builder.cities["region"].setdefault(region, []).append(str(city))
            for form in forms:
                builder.add("region", region, form)

    for file_name, section, entity in (
        ("sectors.yml", "sectors", "sector"),
        ("event_types.yml", "event_types", "event_type"),
        ("languages.yml", "languages", "language"),
    ):
        data = _read_yaml(file_name)
        for value, forms in (data.get(section) or {}).items():
            for form in forms:
                builder.add(entity, str(value), form)
        for form in data.get("ignore") or []:
            builder.add(_IGNORE, _IGNORE, form)

    for code, name in _pycountry_names():
        builder.add_base(code, name)
    builder.finish_base({_key(str(f)) for f in countries.get("skip_base_forms") or []})
    _check_values(builder)
    return Gazetteer(builder)


def _check_values(builder: _Builder) -> None:
    for entity, by_value in builder.aliases.items():
        for value in by_value:
            valid = (
                is_country(value)
                if entity == "country"
                else (entity == _IGNORE or value in _CANONICAL[entity])
            )
            if not valid:
                raise ValueError(f"gazetteer: {value!r} is not a canonical {entity}")


class Gazetteer:
    """Surface forms of the canonical values of the five gazetteer entities."""

    def __init__(self, builder: _Builder) -> None:
        self._aliases = {
            e: {v: list(forms) for v, forms in builder.aliases[e].items()} for e in ENTITIES
        }
        self._cities = builder.cities
        rank = {e: i for i, e in enumerate(_PRIORITY)}
        # Free-text index: key tuple -> entries (lookup-only forms left out), by priority.
        self._index: dict[tuple[str, ...], list[_Entry]] = {}
        # lookup index: entity -> key tuple -> value (every form).
        self._lookup: dict[str, dict[tuple[str, ...], str]] = {e: {} for e in ENTITIES}
        for (entity, key), bucket in builder.entries.items():
            for value, weak, exact in bucket:
                if entity != _IGNORE:
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
                    choices, values = by_script[bool(_ARABIC_RE.search(joined))]
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
        elif surface in _CANONICAL[entity]:
            return surface
        table = self._lookup[entity]
        tokens = _tokens(surface)
        while len(tokens) > 1 and tokens[0].key in _LEADING_WORDS:
            tokens = tokens[1:]
        if not tokens:
            return None
        rest = tuple(t.key for t in tokens[1:])
        full = (tokens[0].key, *rest)
        known = any(full in self._lookup[e] for e in ENTITIES)  # وجدة is Oujda, not و + جدة
        variants = [(tokens[0].key, 0)] if known else _first_variants(tokens[0])
        for first, _ in variants:
            candidates = [first]
            if tokens[0].arabic:  # the article is optional here: صين, الصين
                candidates.append(
                    first[2:] if first.startswith(_AR_ARTICLE) else _AR_ARTICLE + first
                )
            for candidate in candidates:
                value = table.get((candidate, *rest))
                if value is not None:
                    return value
        return self._fuzzy_lookup(entity, tokens, fuzzy_threshold)

    def _fuzzy_lookup(
        self, entity: str, tokens: list[_Token], threshold: float | None
    ) -> str | None:
        threshold = DEFAULT_FUZZY_THRESHOLD if threshold is None else threshold
        query = " ".join(t.key for t in tokens)
        if len(query) < FUZZY_MIN_LENGTH or threshold > 100:  # above 100: exact matches only
            return None
        choices, values = self._fuzzy[entity][bool(_ARABIC_RE.search(query))]
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
        tokens = _tokens(text)
        matches: list[Match] = []
        i = 0
        while i < len(tokens):
            found = self._match_at(tokens, i)
            if found is None:
                i += 1
                continue
            length, cut, entry = found
            if entry.entity != _IGNORE:
                start = tokens[i].start + _raw_offset(tokens[i].raw, cut)
                end = tokens[i + length - 1].end
                matches.append(Match(entry.entity, entry.value, start, end, text[start:end]))
            i += length
        return matches

    def _match_at(self, tokens: list[_Token], i: int) -> tuple[int, int, _Entry] | None:
        best: tuple[int, int, _Entry] | None = None
        for first, cut in _first_variants(tokens[i]):
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
        entries: list[_Entry] | None, tokens: list[_Token], i: int, length: int, cut: int
    ) -> _Entry | None:
        if not entries:
            return None
        for entry in entries:
            if entry.exact is None:
                return entry
            first_raw = tokens[i].raw[_raw_offset(tokens[i].raw, cut) :]
            raws = (first_raw, *(t.raw for t in tokens[i + 1 : i + length]))
            if tuple(unicodedata.normalize("NFC", r) for r in raws) == entry.exact:
                return entry
        return None

    def forms_count(self) -> dict[str, int]:
        """Number of distinct surface forms per entity (for reports and tests)."""
        return {e: sum(len(f) for f in self._aliases[e].values()) for e in ENTITIES}


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer built from ``nlu/gazetteer/*.yml`` and pycountry (built once, cached)."""
    return _build()
