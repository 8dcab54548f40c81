"""The fields of one event in an import file, and their checking into an EventInput.

Records are flat: a YAML event's ``title: {fr, ar, en}`` arrives as ``title_fr``, ``title_ar``,
``title_en``, the CSV columns' names (kb.files.event_formats flattens it). Every problem is
collected with its row (1-based event index in YAML, line number in CSV counting the header as
line 1) and field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kb.files.schema import Fields, Report, one_of
from kb.views import EventInput, Texts
from nlu.vocabulary.canonical import (
    EVENT_STATUSES,
    EVENT_TYPES,
    REPLY_LANGUAGES,
    is_country,
    is_sector,
)

#: Fields of one event in the YAML form, in export order.
YAML_FIELDS = (
    "slug",
    "type",
    "title",
    "description",
    "country",
    "city",
    "venue",
    "start_date",
    "end_date",
    "sectors",
    "organizer",
    "registration_url",
    "registration_deadline",
    "fee_mad",
    "capacity",
    "status",
    "sample",
    "source",
)
#: Fields written in French, Arabic and English.
TEXT_FIELDS = ("title", "description")
#: Columns of the CSV form, in export order.
CSV_COLUMNS = tuple(
    col
    for name in YAML_FIELDS
    for col in ([f"{name}_{lang}" for lang in REPLY_LANGUAGES] if name in TEXT_FIELDS else [name])
)
#: Fields every event must have (city may be empty for a webinar, sectors may be an empty list).
REQUIRED = (
    "slug",
    "type",
    "title",
    "country",
    "city",
    "start_date",
    "end_date",
    "sectors",
    "organizer",
)

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ALPHA_2 = " (ISO 3166-1 alpha-2)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an event file."""

    message: str
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(f"field {self.field}")
        return f"{', '.join(where) or 'file'}: {self.message}"


class EventFileError(Exception):
    """An event file that cannot be imported; ``problems`` lists every reason."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def reporter(row: int | None, problems: list[Problem]) -> Report:
    """A report that adds each problem, found in ``row``, to ``problems``."""

    def report(field: str | None, message: str) -> None:
        problems.append(Problem(message, row=row, field=field))

    return report


class _Row(Fields):
    """One flat event record; in YAML, ``title_fr`` is named ``title.fr`` as in the file."""

    def __init__(self, row: int, data: dict[str, Any], fmt: str, problems: list[Problem]):
        super().__init__(data, reporter(row, problems))
        self.fmt = fmt

    def name(self, key: str) -> str:
        if self.fmt == "yaml" and key.startswith(TEXT_FIELDS) and key[-3:-2] == "_":
            return f"{key[:-3]}.{key[-2:]}"
        return key

    def texts(self, prefix: str, *, required: bool) -> Texts | None:
        """The fr/ar/en columns of ``prefix``: all three, or (when not required) none."""
        values = {lang: self.text(f"{prefix}_{lang}") for lang in REPLY_LANGUAGES}
        if not required and not any(values.values()):
            return None
        for lang, value in values.items():
            if value is None:
                self.fail(f"{prefix}_{lang}", "missing text (fr, ar and en are all required)")
        return Texts(fr=values["fr"] or "", ar=values["ar"] or "", en=values["en"] or "")

    def sectors(self) -> tuple[str, ...]:
        """Canonical sectors, from a list or ``;``-separated text; an empty list means all."""
        if "sectors" not in self.data:
            self.fail("sectors", "missing required field (an empty list means all sectors)")
            return ()
        value = self.data.get("sectors")
        if isinstance(value, str):
            value = [s for s in value.split(";")]
        if value is None:
            value = []
        if not isinstance(value, list):
            self.fail("sectors", "expected a list of sectors")
            return ()
        found: list[str] = []
        for item in value:
            sector = str(item).strip().lower() if item is not None else ""
            if not sector:
                continue
            if not is_sector(sector):
                self.unknown("sectors", "sector", sector)
            elif sector not in found:
                found.append(sector)
        return tuple(found)


def _slug(r: _Row) -> str | None:
    slug = r.text("slug", required=True)
    if slug is not None and (len(slug) > 100 or not _SLUG.match(slug)):
        r.fail("slug", f"invalid slug '{slug}' (lowercase letters, digits and hyphens)")
    return slug


def _values(r: _Row, known_sources: set[str] | None) -> dict[str, Any]:
    """The EventInput fields of one record, in the order their problems are reported."""
    slug = _slug(r)
    kind = r.choice(
        "type", EVENT_TYPES, "event type", required=True, case=str.lower, hint=one_of(EVENT_TYPES)
    )
    values: dict[str, Any] = {
        "slug": slug,
        "type": kind,
        "title": r.texts("title", required=True),
        "description": r.texts("description", required=False),
        "country": r.choice(
            "country", is_country, "country code", required=True, case=str.upper, hint=_ALPHA_2
        ),
        "city": r.text("city", required=kind != "webinar"),
        "venue": r.text("venue"),
        "start_date": r.date("start_date", required=True),
        "end_date": r.date("end_date", required=True),
    }
    start, end = values["start_date"], values["end_date"]
    if start and end and end < start:
        r.fail("end_date", f"end date {end} is before start date {start}")
    values["sectors"] = r.sectors()
    values["organizer"] = r.text("organizer", required=True)
    values["registration_url"] = r.url("registration_url")
    deadline = values["registration_deadline"] = r.date("registration_deadline")
    if deadline and end and deadline > end:
        r.fail("registration_deadline", f"deadline {deadline} is after the end date {end}")
    values["fee_mad"] = r.integer("fee_mad")
    values["capacity"] = r.integer("capacity")
    values["status"] = r.choice(
        "status", EVENT_STATUSES, "status", case=str.lower, hint=one_of(EVENT_STATUSES)
    )
    values["sample"] = r.boolean("sample")
    values["source_id"] = (
        r.text("source")
        if known_sources is None
        else r.choice("source", known_sources, "source id")
    )
    return values


def validate_records(
    records: Sequence[tuple[int, dict[str, Any]]],
    *,
    fmt: str = "yaml",
    known_sources: set[str] | None = None,
) -> list[EventInput]:
    """Validate flat records (``title_fr``... keys); raises EventFileError with every problem.

    ``known_sources``, when given, is the set of source ids a ``source`` field may name.
    """
    problems: list[Problem] = []
    events: list[EventInput] = []
    first_row: dict[str, int] = {}
    for row, data in records:
        r = _Row(row, data, fmt, problems)
        values = _values(r, known_sources)
        slug = (data.get("slug") or "").strip() if isinstance(data.get("slug"), str) else None
        if slug:
            if slug in first_row:
                problems.append(
                    Problem(
                        f"duplicate slug '{slug}' (first at row {first_row[slug]})",
                        row=row,
                        field="slug",
                    )
                )
                continue
            first_row[slug] = row
        if not r.failures:
            events.append(EventInput(**values))
    if problems:
        raise EventFileError(sorted(problems, key=lambda p: p.row or 0))
    return events
