"""Read, validate and write event files (the admin import/export format, YAML or CSV).

A file is validated whole before anything is written: every problem is collected with its
row (1-based event index in YAML, line number in CSV counting the header as line 1) and field.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from kb.repositories import EventInput, Texts
from nlu.vocabulary.canonical import (
    EVENT_STATUSES,
    EVENT_TYPES,
    REPLY_LANGUAGES,
    is_country,
    is_event_type,
    is_sector,
)

MAX_FILE_BYTES = 5 * 1024 * 1024
FORMATS = ("yaml", "csv")
_EXTENSIONS = {".yml": "yaml", ".yaml": "yaml", ".csv": "csv"}

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
_TEXT_FIELDS = ("title", "description")
#: Columns of the CSV form, in export order.
CSV_COLUMNS = tuple(
    col
    for name in YAML_FIELDS
    for col in ([f"{name}_{lang}" for lang in REPLY_LANGUAGES] if name in _TEXT_FIELDS else [name])
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
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_TRUE = {"true", "yes", "1", "oui"}
_FALSE = {"false", "no", "0", "non"}


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so a bad date is reported, not raised."""


_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def load_yaml(text: str) -> Any:
    """Parse YAML safely with dates kept as strings; raises yaml.YAMLError or ValueError."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


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


# --- reading ---------------------------------------------------------------------------------


def detect_format(path: Path, fmt: str | None = None) -> str:
    """The format named by ``fmt`` or, when None, by the file's extension."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise EventFileError([Problem(f"unknown format {fmt!r} (use yaml or csv)")])
        return fmt
    found = _EXTENSIONS.get(path.suffix.lower())
    if found is None:
        raise EventFileError(
            [
                Problem(
                    f"unknown file extension {path.suffix!r}: use .yml, .yaml or .csv, or --format"
                )
            ]
        )
    return found


def read_events_file(
    path: Path, *, fmt: str | None = None, known_sources: set[str] | None = None
) -> list[EventInput]:
    """Read and validate an event file; raises EventFileError listing every problem."""
    kind = detect_format(path, fmt)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise EventFileError(
                [Problem(f"file is {size} bytes, more than the {MAX_FILE_BYTES} bytes allowed")]
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise EventFileError([Problem(f"cannot read {path}: {exc.strerror or exc}")]) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EventFileError([Problem(f"not UTF-8 text (byte {exc.start})")]) from exc
    return parse_events(text, fmt=kind, known_sources=known_sources)


def parse_events(text: str, *, fmt: str, known_sources: set[str] | None = None) -> list[EventInput]:
    """Parse and validate the text of an event file in ``fmt`` (yaml or csv)."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise EventFileError([Problem("file is empty")])
    problems: list[Problem] = []
    records = _yaml_records(text, problems) if fmt == "yaml" else _csv_records(text, problems)
    try:
        events = validate_records(records, fmt=fmt, known_sources=known_sources)
    except EventFileError as exc:
        problems.extend(exc.problems)
    if problems:
        raise EventFileError(sorted(problems, key=lambda p: p.row or 0))
    return events


def _yaml_records(text: str, row_problems: list[Problem]) -> list[tuple[int, dict[str, Any]]]:
    try:
        document = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise EventFileError([Problem(f"not valid YAML: {problem}{where}")]) from exc
    except (ValueError, RecursionError) as exc:
        raise EventFileError([Problem(f"not valid YAML: {exc}")]) from exc
    if document is None:
        raise EventFileError([Problem("file is empty")])
    if not isinstance(document, dict) or "events" not in document:
        raise EventFileError([Problem("expected a top-level 'events' list")])
    problems = [
        Problem(f"unknown top-level key {key!r} (only 'events' is allowed)")
        for key in document
        if key != "events"
    ]
    events = document["events"]
    if not isinstance(events, list):
        problems.append(Problem("'events' must be a list"))
    elif not events:
        problems.append(Problem("'events' is empty: nothing to import"))
    if problems:
        raise EventFileError(problems)
    records: list[tuple[int, dict[str, Any]]] = []
    for index, item in enumerate(events, start=1):
        if not isinstance(item, dict):
            problems.append(Problem("expected a mapping of event fields", row=index))
            continue
        flat: dict[str, Any] = {}
        for key, value in item.items():
            name = str(key)
            if name not in YAML_FIELDS:
                problems.append(Problem("unknown field", row=index, field=name))
            elif name in _TEXT_FIELDS:
                if value is None:
                    continue
                if not isinstance(value, dict):
                    problems.append(
                        Problem(
                            "expected a mapping {fr: ..., ar: ..., en: ...}", row=index, field=name
                        )
                    )
                    continue
                for lang in value:
                    if lang not in REPLY_LANGUAGES:
                        problems.append(
                            Problem(
                                "unknown language (use fr, ar, en)",
                                row=index,
                                field=f"{name}.{lang}",
                            )
                        )
                for lang in REPLY_LANGUAGES:
                    flat[f"{name}_{lang}"] = value.get(lang)
            else:
                flat[name] = value
        records.append((index, flat))
    row_problems.extend(problems)
    return records


def _csv_records(text: str, row_problems: list[Problem]) -> list[tuple[int, dict[str, Any]]]:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if "," not in first_line and ";" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except (csv.Error, StopIteration) as exc:
        raise EventFileError([Problem(f"not valid CSV: {exc}", row=1)]) from exc
    columns = [c.strip() for c in header]
    problems = []
    seen: set[str] = set()
    for col in columns:
        if col in seen:
            problems.append(Problem("duplicate column", row=1, field=col))
        elif col not in CSV_COLUMNS:
            problems.append(Problem("unknown column", row=1, field=col or "(empty)"))
        seen.add(col)
    for col in CSV_COLUMNS:
        base = col.rsplit("_", 1)[0] if col.startswith(_TEXT_FIELDS) else col
        if base in REQUIRED and col not in seen:
            problems.append(Problem("missing column", row=1, field=col))
    if problems:
        raise EventFileError(problems)
    records = []
    line = reader.line_num
    try:
        for values in reader:
            start, line = line + 1, reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(columns):
                problems.append(
                    Problem(f"expected {len(columns)} values, found {len(values)}", row=start)
                )
                continue
            records.append((start, dict(zip(columns, values, strict=True))))
    except csv.Error as exc:
        raise EventFileError([Problem(f"not valid CSV: {exc}", row=reader.line_num)]) from exc
    if not records and not problems:
        raise EventFileError([Problem("no events in file (only a header)")])
    row_problems.extend(problems)
    return records


# --- validation ------------------------------------------------------------------------------


class _Row:
    """Collects the problems of one record while converting its values."""

    def __init__(self, row: int, data: dict[str, Any], fmt: str, problems: list[Problem]):
        self.row, self.data, self.fmt, self.problems = row, data, fmt, problems

    def name(self, key: str) -> str:
        if self.fmt == "yaml" and key.startswith(_TEXT_FIELDS) and key[-3:-2] == "_":
            return f"{key[:-3]}.{key[-2:]}"
        return key

    def fail(self, key: str, message: str) -> None:
        self.problems.append(Problem(message, row=self.row, field=self.name(key)))

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.data.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, bool):
            self.fail(
                key, f"expected text, got {value} (YAML reads yes/no/on/off as booleans: quote it)"
            )
            return None
        if value is not None and not isinstance(value, str):
            self.fail(key, f"expected text, got {type(value).__name__}")
            return None
        value = (value or "").strip() or None
        if value is None and required:
            self.fail(key, "missing required field")
        return value

    def texts(self, prefix: str, *, required: bool) -> Texts | None:
        values = {lang: self.text(f"{prefix}_{lang}") for lang in REPLY_LANGUAGES}
        if not required and not any(values.values()):
            return None
        for lang, value in values.items():
            if value is None:
                self.fail(f"{prefix}_{lang}", "missing text (fr, ar and en are all required)")
        return Texts(fr=values["fr"] or "", ar=values["ar"] or "", en=values["en"] or "")

    def date(self, key: str, *, required: bool = False) -> date | None:
        value = self.data.get(key)
        if isinstance(value, datetime):
            self.fail(key, f"expected a date YYYY-MM-DD, got a date and time '{value}'")
            return None
        if isinstance(value, date):
            return value
        raw = self.text(key, required=required)
        if raw is None:
            return None
        if _ISO_DATE.match(raw):
            try:
                return date.fromisoformat(raw)
            except ValueError:
                pass
        self.fail(key, f"malformed date '{raw}' (expected YYYY-MM-DD)")
        return None

    def integer(self, key: str) -> int | None:
        value = self.data.get(key)
        if isinstance(value, (bool, float)):
            self.fail(key, f"not an integer: '{value}'")
            return None
        if not isinstance(value, int):
            raw = self.text(key)
            if raw is None:
                return None
            if not _INTEGER.match(raw.replace(" ", "")):
                self.fail(key, f"not an integer: '{raw}'")
                return None
            value = int(raw.replace(" ", ""))
        if value < 0:
            self.fail(key, f"must not be negative: {value}")
            return None
        return value

    def boolean(self, key: str) -> bool | None:
        value = self.data.get(key)
        if value is None or isinstance(value, bool):
            return value
        raw = self.text(key)
        if raw is None:
            return None
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        self.fail(key, f"expected true or false, got '{raw}'")
        return None

    def sectors(self) -> tuple[str, ...]:
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
                self.fail("sectors", f"unknown sector '{sector}'")
            elif sector not in found:
                found.append(sector)
        return tuple(found)


def _valid_url(value: str) -> bool:
    if any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def _validate_one(r: _Row, known_sources: set[str] | None) -> EventInput | None:
    before = len(r.problems)
    slug = r.text("slug", required=True)
    if slug is not None and (len(slug) > 100 or not _SLUG.match(slug)):
        r.fail("slug", f"invalid slug '{slug}' (lowercase letters, digits and hyphens)")
    kind = r.text("type", required=True)
    if kind is not None:
        kind = kind.lower()
        if not is_event_type(kind):
            r.fail("type", f"unknown event type '{kind}' (one of {', '.join(EVENT_TYPES)})")
    title = r.texts("title", required=True)
    description = r.texts("description", required=False)
    country = r.text("country", required=True)
    if country is not None:
        country = country.upper()
        if not is_country(country):
            r.fail("country", f"unknown country code '{country}' (ISO 3166-1 alpha-2)")
    city = r.text("city", required=kind != "webinar")
    venue = r.text("venue")
    start = r.date("start_date", required=True)
    end = r.date("end_date", required=True)
    if start and end and end < start:
        r.fail("end_date", f"end date {end} is before start date {start}")
    sectors = r.sectors()
    organizer = r.text("organizer", required=True)
    url = r.text("registration_url")
    if url is not None and not _valid_url(url):
        r.fail("registration_url", f"bad URL '{url}' (must be http or https with a host)")
    deadline = r.date("registration_deadline")
    if deadline and end and deadline > end:
        r.fail("registration_deadline", f"deadline {deadline} is after the end date {end}")
    fee = r.integer("fee_mad")
    capacity = r.integer("capacity")
    status = r.text("status")
    if status is not None:
        status = status.lower()
        if status not in EVENT_STATUSES:
            r.fail("status", f"unknown status '{status}' (one of {', '.join(EVENT_STATUSES)})")
    sample = r.boolean("sample")
    source = r.text("source")
    if source is not None and known_sources is not None and source not in known_sources:
        r.fail("source", f"unknown source id '{source}'")
    if len(r.problems) > before:
        return None
    assert slug and kind and title and country and start and end and organizer
    return EventInput(
        slug=slug,
        type=kind,
        title=title,
        description=description,
        country=country,
        city=city,
        venue=venue,
        start_date=start,
        end_date=end,
        sectors=sectors,
        organizer=organizer,
        registration_url=url,
        registration_deadline=deadline,
        fee_mad=fee,
        capacity=capacity,
        status=status,
        sample=sample,
        source_id=source,
    )


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
        event = _validate_one(_Row(row, data, fmt, problems), known_sources)
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
        if event is not None:
            events.append(event)
    if problems:
        raise EventFileError(sorted(problems, key=lambda p: p.row or 0))
    return events


# --- writing ---------------------------------------------------------------------------------


def event_record(event: EventInput) -> dict[str, Any]:
    """The YAML form of one event (keys in file order)."""
    return {
        "slug": event.slug,
        "type": event.type,
        "title": event.title.as_dict(),
        "description": event.description.as_dict() if event.description else None,
        "country": event.country,
        "city": event.city,
        "venue": event.venue,
        "start_date": event.start_date,
        "end_date": event.end_date,
        "sectors": list(event.sectors),
        "organizer": event.organizer,
        "registration_url": event.registration_url,
        "registration_deadline": event.registration_deadline,
        "fee_mad": event.fee_mad,
        "capacity": event.capacity,
        "status": event.status,
        "sample": event.sample,
        "source": event.source_id,
    }


def dump_yaml(events: Iterable[EventInput]) -> str:
    """Events as an import-ready YAML document."""
    return yaml.safe_dump(
        {"events": [event_record(e) for e in events]},
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ";".join(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def dump_csv(events: Iterable[EventInput]) -> str:
    """Events as an import-ready CSV document (no BOM; the caller adds one for files)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for event in events:
        record = event_record(event)
        row = []
        for col in CSV_COLUMNS:
            base, _, lang = col.rpartition("_")
            if base in _TEXT_FIELDS:
                texts = record[base]
                row.append(texts[lang] if texts else "")
            else:
                row.append(_csv_cell(record[col]))
        writer.writerow(row)
    return out.getvalue()
