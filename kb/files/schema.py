"""Typed fields of the knowledge-base files and the event files, read and checked once.

A record (one item of a data/kb file, one event of an import file) is read field by field
through a :class:`Fields`. Each problem is reported with the field's name and reading goes on,
so one pass finds every problem of a file; a field that cannot be read gives None.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import yaml

#: Receives each problem: the field's name (None for the whole record) and the message.
Report = Callable[[str | None, str], None]
#: The wording of a missing or wrong fr/ar/en mapping.
TEXTS_MAPPING = "{fr: ..., ar: ..., en: ...}"

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_TRUE = {"true", "yes", "1", "oui"}
_FALSE = {"false", "no", "0", "non"}

_F = TypeVar("_F", bound="Fields")


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so a bad date is reported, not raised."""


_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def load_yaml(text: str) -> Any:
    """Parse YAML safely with dates kept as strings; raises yaml.YAMLError or ValueError."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


def parse_date(text: str) -> date | None:
    """The date written ``YYYY-MM-DD`` in ``text``, or None."""
    if not _ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def valid_url(value: str) -> bool:
    """An http or https URL with a host and no white space."""
    if any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def one_of(values: Collection[str]) -> str:
    """The hint listing the allowed values, e.g. `` (one of open, closed)``."""
    return f" (one of {', '.join(values)})"


class Fields:
    """The fields of one record, read with their types checked and each problem reported.

    The wording is the event files'; a subclass may word a value of the wrong type, read a
    date or check a URL its own way (see kb.files.kb_schema).
    """

    def __init__(self, data: Mapping[Any, Any], report: Report, prefix: str = "") -> None:
        self.data = data
        self.prefix = prefix
        #: How many problems this reader reported.
        self.failures = 0
        self._report = report

    def name(self, key: str) -> str:
        """The name a problem gives the field ``key``."""
        return f"{self.prefix}{key}"

    def fail(self, key: str | None, message: str) -> None:
        """Report a problem with field ``key`` (None: with the whole record)."""
        self.failures += 1
        self._report(None if key is None else self.name(key), message)

    def unknown(self, key: str, what: str, value: str, hint: str = "") -> None:
        """Report that ``value`` of field ``key`` is not a known ``what``."""
        self.fail(key, f"unknown {what} '{value}'{hint}")

    def value(self, key: str) -> Any:
        """The raw value of ``key`` (None when absent)."""
        return self.data.get(key)

    def not_text(self, value: Any) -> str:
        """The problem with a value that should be text."""
        if isinstance(value, bool):
            return f"expected text, got {value} (YAML reads yes/no/on/off as booleans: quote it)"
        return f"expected text, got {type(value).__name__}"

    def date_text(self, key: str, *, required: bool) -> str | None:
        """The text a date field holds (None: nothing to parse)."""
        return self.text(key, required=required)

    def url_rule(self, value: str) -> str | None:
        """What a URL must be when ``value`` is not one (None when it is)."""
        return None if valid_url(value) else "must be http or https with a host"

    def unknown_keys(self, allowed: Collection[str], message: str = "unknown field") -> None:
        """Report every key of the record not in ``allowed``."""
        for key in self.data:
            if key not in allowed:
                self.fail(f"{key}", message)

    def nested(self: _F, key: str, value: Any, what: str) -> _F | None:
        """A reader of the mapping ``value`` found at ``key``, its fields named ``key.<name>``.

        Reports ``expected a mapping <what>`` and gives None when ``value`` is not a mapping.
        """
        if not isinstance(value, dict):
            self.fail(key, f"expected a mapping {what}")
            return None
        child = copy.copy(self)
        child.data, child.prefix, child.failures = value, f"{self.name(key)}.", 0
        return child

    def optional(self: _F, key: str, what: str) -> _F | None:
        """Like :meth:`nested` for the value of ``key``; None, without a problem, when unset."""
        value = self.value(key)
        return None if value is None else self.nested(key, value, what)

    def text(self, key: str, *, required: bool = False) -> str | None:
        """Stripped text (numbers taken as written); None when empty."""
        value = self.value(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if value is not None and not isinstance(value, str):
            self.fail(key, self.not_text(value))
            return None
        value = (value or "").strip() or None
        if value is None and required:
            self.fail(key, "missing required field")
        return value

    def choice(
        self,
        key: str,
        known: Callable[[str], bool] | Collection[str],
        what: str,
        *,
        required: bool = False,
        case: Callable[[str], str] | None = None,
        hint: str = "",
    ) -> str | None:
        """Text that must be one of ``known`` (a collection or a test), after ``case``."""
        value = self.text(key, required=required)
        if value is None:
            return None
        if case is not None:
            value = case(value)
        if not (known(value) if callable(known) else value in known):
            self.unknown(key, what, value, hint)
        return value

    def date(self, key: str, *, required: bool = False) -> date | None:
        """A date written YYYY-MM-DD."""
        value = self.value(key)
        if isinstance(value, datetime):
            self.fail(key, f"expected a date YYYY-MM-DD, got a date and time '{value}'")
            return None
        if isinstance(value, date):
            return value
        raw = self.date_text(key, required=required)
        if raw is None:
            return None
        day = parse_date(raw.strip())
        if day is None:
            self.fail(key, f"malformed date '{raw}' (expected YYYY-MM-DD)")
        return day

    def integer(self, key: str) -> int | None:
        """A whole number, not negative (spaces between digits allowed: "15 000")."""
        value = self.value(key)
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
        """true/false, also written yes/no, oui/non or 1/0."""
        value = self.value(key)
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

    def url(self, key: str = "url") -> str | None:
        """A web address, checked by :meth:`url_rule`."""
        value = self.text(key)
        rule = None if value is None else self.url_rule(value)
        if rule is not None:
            self.fail(key, f"bad URL '{value}' ({rule})")
        return value
