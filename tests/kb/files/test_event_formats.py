"""Parsing and validating event import files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kb.files.event_formats import (
    MAX_FILE_BYTES,
    dump_csv,
    dump_yaml,
    parse_events,
    read_events_file,
)
from kb.files.event_schema import EventFileError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "events"


def problems(path: Path, **kwargs: object) -> list[str]:
    with pytest.raises(EventFileError) as info:
        read_events_file(path, **kwargs)  # type: ignore[arg-type]
    return [str(p) for p in info.value.problems]


def test_good_yaml() -> None:
    events = read_events_file(FIXTURES / "good.yml")
    assert [e.slug for e in events] == [
        "dakar-agrifood-2027",
        "gitex-africa-2026",
        "export-webinar-2025",
    ]
    dakar = events[0]
    assert dakar.start_date == date(2027, 3, 15) and dakar.registration_deadline == date(
        2027, 2, 28
    )
    assert dakar.sectors == ("agrifood", "logistics") and dakar.fee_mad == 15000
    assert dakar.description and dakar.description.ar.startswith("لقاءات")
    assert dakar.status is None and events[2].sample is True


def test_good_csv_with_bom_and_arabic() -> None:
    assert (FIXTURES / "good.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    events = read_events_file(FIXTURES / "good.csv")
    forum, abidjan = events
    assert forum.slug == "casablanca-pharma-forum-2026"
    assert forum.title.ar == "منتدى الصناعة الدوائية بالدار البيضاء"
    assert forum.description and forum.description.en == "Forum, meetings and visits"
    assert forum.sectors == ("pharma", "chemicals") and forum.capacity == 120
    assert abidjan.description is None and abidjan.sectors == ("construction", "industry")
    assert abidjan.fee_mad is None and abidjan.registration_url is None


def test_csv_with_semicolon_delimiter_from_a_french_spreadsheet() -> None:
    text = (
        "slug;type;title_fr;title_ar;title_en;country;city;start_date;end_date;sectors;organizer\n"
        "lyon-2026;fair;Salon;معرض;Fair;FR;Lyon;2026-05-01;2026-05-02;textile;ASMEX\n"
    )
    assert parse_events(text, fmt="csv")[0].country == "FR"


def test_bad_yaml_reports_every_row_and_field() -> None:
    found = problems(FIXTURES / "bad_rows.yml")
    expected = [
        "row 2, field slug: invalid slug 'Bad_Slug'",
        "row 2, field type: unknown event type 'cruise'",
        "row 2, field title.ar: missing text",
        "row 2, field country: unknown country code 'XX'",
        "row 2, field end_date: end date 2027-03-10 is before start date 2027-03-15",
        "row 2, field sectors: unknown sector 'spaceships'",
        "row 2, field registration_url: bad URL 'ftp://example.com/x'",
        "row 2, field fee_mad: not an integer: '12.5'",
        "row 3, field colour: unknown field",
        "row 3, field city: missing required field",
        "row 3, field start_date: malformed date '2027-02-30'",
        "row 3, field registration_deadline: deadline 2027-04-01 is after the end date",
        "row 3, field capacity: not an integer: 'lots'",
        "row 4, field slug: duplicate slug 'ok-event-2027' (first at row 1)",
    ]
    for line in expected:
        assert any(p.startswith(line) for p in found), line
    assert not any(p.startswith("row 1") for p in found)


def test_bad_csv_rows_are_numbered_by_line_counting_the_header() -> None:
    found = problems(FIXTURES / "bad_rows.csv")
    for line in [
        "row 3, field title_ar: missing text",
        "row 3, field country: unknown country code 'ZZ'",
        "row 3, field start_date: malformed date '2026-13-01'",
        "row 3, field sectors: unknown sector 'unicorns'",
        "row 3, field registration_url: bad URL 'http://'",
        "row 3, field fee_mad: not an integer: 'abc'",
        "row 4, field slug: missing required field",
        "row 4, field end_date: end date",
        "row 4, field organizer: missing required field",
        "row 4, field capacity: must not be negative",
    ]:
        assert any(p.startswith(line) for p in found), line
    assert not any(p.startswith("row 2") for p in found)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.yml", "file: file is empty"),
        ("not_yaml.yml", "file: not valid YAML"),
        ("no_events_key.yml", "file: expected a top-level 'events' list"),
        ("events_not_list.yml", "file: 'events' must be a list"),
        ("unknown_column.csv", "row 1, field colour: unknown column"),
        ("missing_column.csv", "row 1, field city: missing column"),
        ("header_only.csv", "file: no events in file"),
        ("not_utf8.csv", "file: not UTF-8 text"),
    ],
)
def test_bad_files(name: str, message: str) -> None:
    assert any(p.startswith(message) for p in problems(FIXTURES / name))


def test_unknown_extension_and_forced_format(tmp_path: Path) -> None:
    path = tmp_path / "events.txt"
    path.write_bytes((FIXTURES / "good.yml").read_bytes())
    assert problems(path)[0].startswith("file: unknown file extension '.txt'")
    assert len(read_events_file(path, fmt="yaml")) == 3


def test_oversized_file(tmp_path: Path) -> None:
    path = tmp_path / "big.yml"
    path.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    assert "more than the" in problems(path)[0]


def test_csv_row_with_wrong_number_of_values(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    lines = (FIXTURES / "good.csv").read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join([lines[0], lines[1] + ",extra"]) + "\n", encoding="utf-8")
    assert problems(path)[0].startswith("row 2: expected 19 values, found 20")


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ("country: NO", "row 1, field country: expected text, got False"),
        ("start_date: 2027-03-15 10:00:00", "row 1, field start_date: malformed date"),
        ("fee_mad: true", "row 1, field fee_mad: not an integer"),
        ("sample: maybe", "row 1, field sample: expected true or false"),
        ("status: postponed", "row 1, field status: unknown status 'postponed'"),
        ("title: Mission", "row 1, field title: expected a mapping"),
        ("registration_url: https://exa mple.com", "row 1, field registration_url: bad URL"),
    ],
)
def test_yaml_value_problems(snippet: str, message: str) -> None:
    base = {
        "slug": "a-2027",
        "type": "mission",
        "title": "{fr: a, ar: b, en: c}",
        "country": "SN",
        "city": "Dakar",
        "start_date": "2027-03-15",
        "end_date": "2027-03-18",
        "sectors": "[agrifood]",
        "organizer": "ASMEX",
    }
    key, value = snippet.split(": ", 1)
    base[key] = value
    text = "events:\n  - " + "\n    ".join(f"{k}: {v}" for k, v in base.items()) + "\n"
    with pytest.raises(EventFileError) as info:
        parse_events(text, fmt="yaml")
    assert any(str(p).startswith(message) for p in info.value.problems), info.value.problems


def test_webinar_needs_no_city_and_sectors_may_be_empty() -> None:
    text = (
        "events:\n  - {slug: w-2027, type: webinar, title: {fr: a, ar: b, en: c}, country: MA,"
        " start_date: 2027-01-01, end_date: 2027-01-01, sectors: [], organizer: ASMEX}\n"
    )
    event = parse_events(text, fmt="yaml")[0]
    assert event.city is None and event.sectors == ()


def test_unknown_source_when_sources_are_known() -> None:
    text = (
        (FIXTURES / "good.yml").read_text(encoding="utf-8").replace("sample: true", "source: nope")
    )
    with pytest.raises(EventFileError) as info:
        parse_events(text, fmt="yaml", known_sources={"seed-001"})
    assert [str(p) for p in info.value.problems] == [
        "row 3, field source: unknown source id 'nope'"
    ]


@pytest.mark.parametrize(("dump", "fmt"), [(dump_yaml, "yaml"), (dump_csv, "csv")])
def test_dump_then_parse_round_trip(dump, fmt: str) -> None:
    events = read_events_file(FIXTURES / "good.yml") + read_events_file(FIXTURES / "good.csv")
    assert parse_events(dump(events), fmt=fmt) == events
