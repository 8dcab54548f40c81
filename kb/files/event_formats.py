"""Event files in and out: YAML or CSV text to flat records, events back to YAML or CSV.

A file is validated whole (kb.files.event_schema) before anything is written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from kb.files.csv_safety import safe_cell, unescape_formulas
from kb.files.event_schema import (
    CSV_COLUMNS,
    REQUIRED,
    TEXT_FIELDS,
    YAML_FIELDS,
    EventFileError,
    Problem,
    reporter,
    validate_records,
)
from kb.files.schema import TEXTS_MAPPING, Fields, load_yaml
from kb.views import EventInput
from nlu.vocabulary.canonical import REPLY_LANGUAGES

MAX_FILE_BYTES = 5 * 1024 * 1024
FORMATS = ("yaml", "csv")
_EXTENSIONS = {".yml": "yaml", ".yaml": "yaml", ".csv": "csv"}

Records = list[tuple[int, dict[str, Any]]]


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


def _yaml_events(text: str) -> list[Any]:
    """The ``events`` list of a YAML document; raises EventFileError for any other shape."""
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
    return events


def _flat_record(item: dict[Any, Any], fields: Fields) -> dict[str, Any]:
    """One YAML event with its fr/ar/en mappings spread into ``title_fr``... keys."""
    flat: dict[str, Any] = {}
    for key, value in item.items():
        name = str(key)
        if name not in YAML_FIELDS:
            fields.fail(name, "unknown field")
        elif name not in TEXT_FIELDS:
            flat[name] = value
        elif value is not None:
            texts = fields.nested(name, value, TEXTS_MAPPING)
            if texts is not None:
                texts.unknown_keys(REPLY_LANGUAGES, "unknown language (use fr, ar, en)")
                flat.update({f"{name}_{lang}": value.get(lang) for lang in REPLY_LANGUAGES})
    return flat


def _yaml_records(text: str, row_problems: list[Problem]) -> Records:
    problems: list[Problem] = []
    records: Records = []
    for index, item in enumerate(_yaml_events(text), start=1):
        if not isinstance(item, dict):
            problems.append(Problem("expected a mapping of event fields", row=index))
            continue
        records.append((index, _flat_record(item, Fields(item, reporter(index, problems)))))
    row_problems.extend(problems)
    return records


def _csv_header(columns: list[str]) -> None:
    """Raises EventFileError for a duplicate, unknown or missing column."""
    problems = []
    seen: set[str] = set()
    for col in columns:
        if col in seen:
            problems.append(Problem("duplicate column", row=1, field=col))
        elif col not in CSV_COLUMNS:
            problems.append(Problem("unknown column", row=1, field=col or "(empty)"))
        seen.add(col)
    for col in CSV_COLUMNS:
        base = col.rsplit("_", 1)[0] if col.startswith(TEXT_FIELDS) else col
        if base in REQUIRED and col not in seen:
            problems.append(Problem("missing column", row=1, field=col))
    if problems:
        raise EventFileError(problems)


def _csv_records(text: str, row_problems: list[Problem]) -> Records:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if "," not in first_line and ";" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except (csv.Error, StopIteration) as exc:
        raise EventFileError([Problem(f"not valid CSV: {exc}", row=1)]) from exc
    columns = [c.strip() for c in header]
    _csv_header(columns)
    problems = []
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
            cells = (unescape_formulas(v) for v in values)  # as export-events wrote them
            records.append((start, dict(zip(columns, cells, strict=True))))
    except csv.Error as exc:
        raise EventFileError([Problem(f"not valid CSV: {exc}", row=reader.line_num)]) from exc
    if not records and not problems:
        raise EventFileError([Problem("no events in file (only a header)")])
    row_problems.extend(problems)
    return records


# --- writing ---------------------------------------------------------------------------------


def event_record(event: EventInput) -> dict[str, Any]:
    """The YAML form of one event (keys in file order)."""
    record = {
        **event.plain_values(),
        "slug": event.slug,
        "title": event.title.as_dict(),
        "description": event.description.as_dict() if event.description else None,
        "status": event.status,
        "sample": event.sample,
        "source": event.source_id,
    }
    return {name: record[name] for name in YAML_FIELDS}


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
    """Events as an import-ready CSV document (no BOM; the caller adds one for files), every
    cell escaped so that spreadsheets never run it as a formula (kb.files.csv_safety)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for event in events:
        values = flat_values(event)
        writer.writerow([safe_cell(values[col]) for col in CSV_COLUMNS])
    return out.getvalue()


def flat_values(event: EventInput) -> dict[str, str]:
    """One event as text by CSV column (``title_fr``..., sectors ``;``-separated): a CSV row,
    or the fields of the console's event form."""
    record = event_record(event)
    values = {}
    for col in CSV_COLUMNS:
        base, _, lang = col.rpartition("_")
        if base in TEXT_FIELDS:
            texts = record[base]
            values[col] = texts[lang] if texts else ""
        else:
            values[col] = _csv_cell(record[col])
    return values
