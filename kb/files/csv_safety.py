"""CSV cells that spreadsheets never run as formulas, and back (the exports' CSV injection guard).

A spreadsheet runs a cell as a formula when it starts with ``=``, ``+``, ``-`` or ``@`` (a tab
or a carriage return may start one too). A cell is also split further by a spreadsheet that
splits lines on another separator (``;`` in French Excel, ``,`` elsewhere, tabs) or ignores the
quotes around a line break: ``ACME;=HYPERLINK(...)`` then starts a cell with ``=``. So a quote
``'`` is put before such a character wherever a cell may start: at the start of the text and
after each separator (``,`` ``;`` tab, line breaks), spaces and double quotes between them
skipped. A ``'`` found in those places gets one too, which makes the change exactly
reversible (``unescape_formulas``, used when an exported file is imported again).
"""

from __future__ import annotations

from typing import Final

#: Characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS: Final = frozenset("=+-@\t\r")
#: Characters after which a spreadsheet may start a new cell.
SEPARATORS: Final = frozenset(",;\t\r\n")
_ESCAPED: Final = FORMULA_STARTS | {"'"}
_QUOTE: Final = "'"
#: Characters a spreadsheet may skip before a cell's first character: spaces, double quotes.
_SKIPPED: Final = frozenset(' "')


def _next_state(char: str, at_cell_start: bool) -> bool:
    if char in SEPARATORS:
        return True
    return at_cell_start and char in _SKIPPED


def escape_formulas(text: str) -> str:
    """``text`` with a ``'`` before each formula character where a spreadsheet cell may start."""
    out: list[str] = []
    at_cell_start = True
    for char in text:
        if at_cell_start and char in _ESCAPED:
            out.append(_QUOTE)
        out.append(char)
        at_cell_start = _next_state(char, at_cell_start)
    return "".join(out)


def unescape_formulas(text: str) -> str:
    """The text ``escape_formulas`` was given (the quotes it added removed)."""
    out: list[str] = []
    at_cell_start = True
    index = 0
    while index < len(text):
        char = text[index]
        if at_cell_start and char == _QUOTE and text[index + 1 : index + 2] in _ESCAPED:
            index += 1
            char = text[index]
        out.append(char)
        at_cell_start = _next_state(char, at_cell_start)
        index += 1
    return "".join(out)


def safe_cell(value: object) -> str:
    """A value as an escaped CSV cell (None is empty)."""
    return "" if value is None else escape_formulas(str(value))
