"""One item of a data/kb file read field by field: its problems named file, item and field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kb.files.schema import TEXTS_MAPPING, Fields
from nlu.vocabulary.canonical import REPLY_LANGUAGES


class Item(Fields):
    """One item of a data/kb file: a wrong value is quoted as written, a URL needs http(s)."""

    def __init__(
        self,
        file: str,
        index: int,
        data: Any,
        problems: list[str],
        sources: set[str],
        seen: dict[str, int],
    ) -> None:
        def report(field: str | None, message: str) -> None:
            where = f"{file}, item {index}" + (f", field {field}" if field else "")
            problems.append(f"{where}: {message}")

        super().__init__(data if isinstance(data, dict) else {}, report)
        #: The item's 1-based position in its file.
        self.index = index
        #: Source ids an item may cite: the database's and those of sources.yml read so far.
        self.sources = sources
        self._seen = seen
        if not isinstance(data, dict):
            self.fail(None, "expected a mapping")

    def not_text(self, value: Any) -> str:
        return f"expected text, got {value!r}"

    def date_text(self, key: str, *, required: bool) -> str | None:
        value = self.value(key)
        return None if value is None else f"{value}"

    def url_rule(self, value: str) -> str | None:
        return None if value.startswith(("http://", "https://")) else "must be http or https"

    def unique(
        self, key: str, known: Callable[[str], bool] | None = None, what: str = ""
    ) -> str | None:
        """The item's natural key: required, known when ``known`` is given, unique in the file."""
        if known is None:
            value = self.text(key, required=True)
        else:
            value = self.choice(key, known, what, required=True)
        if value is not None:
            first = self._seen.setdefault(value, self.index)
            if first != self.index:
                self.fail(key, f"duplicate '{value}' (first at item {first})")
        return value

    def texts(self, key: str, *, required: bool = True) -> dict[str, str] | None:
        """The ``{fr, ar, en}`` mapping of ``key``, each text required."""
        return self.texts_of(key, self.value(key), required=required)

    def texts_of(self, key: str, value: Any, *, required: bool = True) -> dict[str, str] | None:
        """Like :meth:`texts` for ``value``, named ``key``."""
        if value is None:
            if required:
                self.fail(key, "missing required field {fr, ar, en}")
            return None
        texts = self.nested(key, value, TEXTS_MAPPING)
        if texts is None:
            return None
        texts.unknown_keys(REPLY_LANGUAGES)
        return {lang: texts.text(lang, required=True) or "" for lang in REPLY_LANGUAGES}

    def strings(
        self, key: str, known: Callable[[str], bool] | None = None, what: str = "value"
    ) -> list[str]:
        """A list of texts, each once, each ``known`` when a test is given."""
        value = self.value(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(key, "expected a list of strings")
            return []
        for v in value:
            if not isinstance(v, str):
                hint = (
                    " (YAML reads NO/yes/on/off as booleans: quote it)"
                    if isinstance(v, bool)
                    else ""
                )
                self.fail(key, f"expected text, got {v!r}{hint}")
        value = [v for v in value if isinstance(v, str)]
        for v in value:
            if known is not None and not known(v):
                self.unknown(key, what, v)
        return list(dict.fromkeys(v.strip() for v in value))

    def source(self, key: str = "source", *, required: bool = True) -> str | None:
        """The id of a source of sources.yml or of the database."""
        return self.choice(
            key, self.sources, "source id", required=required, hint=" (not in sources.yml)"
        )

    def listed(self, key: str, what: str) -> list[Any]:
        """The list of ``key``; nothing (no problem) when unset or empty."""
        value = self.value(key) or []
        if not isinstance(value, list):
            self.fail(key, f"expected a list{what}")
            return []
        return value
