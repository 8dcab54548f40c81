"""Reads the gazetteer's surface forms from ``nlu/vocabulary/gazetteer/*.yml`` and pycountry.

Form markers in the YAML files: ``~form`` is accepted by ``Gazetteer.lookup`` only (a common
word that must not be found in free text); ``=form`` is found by ``Gazetteer.find_all`` only
with this exact case and accents. Upper-case forms of at most three letters (``USA``, ``HK``)
are exact-case too. pycountry's English, French and Arabic country names are added unless a
YAML form has the same key, or the name is ambiguous.
"""

from __future__ import annotations

import gettext
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, TypeAlias

import yaml

from nlu.vocabulary.canonical import (
    BLOCS,
    EVENT_TYPES,
    REGIONS,
    REPLY_LANGUAGES,
    SECTORS,
    is_country,
)
from nlu.vocabulary.gazetteer_keys import form_key, is_arabic, tokenize

logger = logging.getLogger(__name__)

GAZETTEER_DIR: Final = Path(__file__).resolve().parent / "gazetteer"

ENTITIES: Final = ("country", "region", "sector", "event_type", "language", "bloc")
#: Pseudo-entity of phrases that are matched and then dropped ("الدول العربية").
IGNORE: Final = "_ignore"

#: Canonical values of the entities other than country (ISO codes, checked by is_country).
CANONICAL: Final[dict[str, frozenset[str]]] = {
    "region": frozenset(REGIONS),
    "sector": frozenset(SECTORS),
    "event_type": frozenset(EVENT_TYPES),
    "language": frozenset(REPLY_LANGUAGES),
    "bloc": frozenset(BLOCS),
}

_COMMA_RE: Final = re.compile("[,\u060c]")
_PAREN_RE: Final = re.compile(r"\s*\([^)]*\)")

#: A value a key names: (value, lookup only, original tokens that must match case or None).
FormValue: TypeAlias = tuple[str, bool, tuple[str, ...] | None]


def parse_form(form: str) -> tuple[str, bool, bool]:
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
class SurfaceForms:
    """Collects forms; YAML forms win over pycountry names with the same key."""

    aliases: dict[str, dict[str, list[str]]] = field(
        default_factory=lambda: {e: {} for e in (*ENTITIES, IGNORE)}
    )
    # (entity, key) -> the forms with that key, all naming the same value.
    entries: dict[tuple[str, tuple[str, ...]], list[FormValue]] = field(default_factory=dict)
    base: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    base_forms: dict[tuple[str, ...], list[tuple[str, str]]] = field(default_factory=dict)
    cities: dict[str, dict[str, list[str]]] = field(
        default_factory=lambda: {"country": {}, "region": {}}
    )

    def add(self, entity: str, value: str, raw_form: str) -> None:
        """Add a YAML form of ``value``; a key already naming another value keeps the first."""
        form, weak, exact = parse_form(raw_form)
        key = form_key(form)
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
        exact_tokens = tuple(t.raw for t in tokenize(form)) if exact else None
        bucket.append((value, weak, exact_tokens))

    def add_base(self, value: str, name: str) -> None:
        """Queue a pycountry name; used unless ambiguous or already named in YAML."""
        name = unicodedata.normalize("NFC", name.strip())
        key = form_key(name)
        if key:
            self.base.setdefault(key, set()).add(value)
            self.base_forms.setdefault(key, []).append((value, name))

    def finish_base(self, skip: set[tuple[str, ...]]) -> None:
        """Add the queued pycountry names, but those with a key in ``skip``."""
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
    if is_arabic(tail):
        yield tail
    elif tail:
        yield f"{tail} {head}"


def read_surface_forms() -> SurfaceForms:
    """Every surface form of the YAML files and pycountry, checked against canonical values."""
    forms = SurfaceForms()
    countries = _read_yaml("countries.yml")
    for code, names in (countries.get("countries") or {}).items():
        for form in names:
            forms.add("country", str(code), form)
    cities = _read_yaml("cities.yml")
    for code, names in (cities.get("cities") or {}).items():
        for form in names:
            forms.add("country", str(code), form)
        forms.cities["country"][str(code)] = [parse_form(f)[0] for f in names]
    for form in cities.get("us_states") or []:
        forms.add("country", "US", form)

    for region, spec in (_read_yaml("regions.yml").get("regions") or {}).items():
        for form in spec.get("names") or []:
            forms.add("region", region, form)
        for city, names in (spec.get("cities") or {}).items():
            forms.cities["region"].setdefault(region, []).append(str(city))
            for form in names:
                forms.add("region", region, form)

    for file_name, section, entity in (
        ("sectors.yml", "sectors", "sector"),
        ("event_types.yml", "event_types", "event_type"),
        ("languages.yml", "languages", "language"),
        ("blocs.yml", "blocs", "bloc"),
    ):
        data = _read_yaml(file_name)
        for value, names in (data.get(section) or {}).items():
            for form in names:
                forms.add(entity, str(value), form)
        for form in data.get("ignore") or []:
            forms.add(IGNORE, IGNORE, form)

    for code, name in _pycountry_names():
        forms.add_base(code, name)
    forms.finish_base({form_key(str(f)) for f in countries.get("skip_base_forms") or []})
    _check_values(forms)
    return forms


def _check_values(forms: SurfaceForms) -> None:
    for entity, by_value in forms.aliases.items():
        for value in by_value:
            valid = (
                is_country(value)
                if entity == "country"
                else (entity == IGNORE or value in CANONICAL[entity])
            )
            if not valid:
                raise ValueError(f"gazetteer: {value!r} is not a canonical {entity}")
