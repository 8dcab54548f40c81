"""Where Rasa keeps the conversations: the tracker store an endpoints file configures.

The ``tracker_store`` section of the Rasa server's endpoints file (endpoints.yml by default),
its ``${...}`` values expanded from the environment by Rasa's own reader, as ``rasa run``
does; a relative SQLite path is taken from the project's directory, where the servers run.
Read by the admin CLI (prune, review-nlu) and the console's analytics.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

import yaml
from sqlalchemy.engine import URL, make_url

from core import settings

#: Tracker store types whose conversations are in an SQL database (endpoints.yml's ``type``).
SQL_TRACKER_STORES: Final = frozenset(
    {
        "sql",
        "SQLTrackerStore",
        "rasa.core.tracker_store.SQLTrackerStore",
        "bot.extensions.tracker_store.ErasingSQLTrackerStore",
        "bot.tracker_store.ErasingSQLTrackerStore",
    }
)
#: Where the servers run: relative paths of the endpoints files are taken from there.
ROOT: Final = settings.PROJECT_ROOT
DEFAULT_ENDPOINTS: Final = ROOT / "endpoints.yml"


class EndpointsError(ValueError):
    """The endpoints file cannot be read, or its tracker store is not an SQL one."""


def _short(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _tracker_section(path: Path) -> dict[str, Any] | None:
    """The endpoints file's tracker_store section, its ``${...}`` values expanded by Rasa."""
    # Rasa is imported here only: the callers start without it.
    from rasa.shared.exceptions import RasaException
    from rasa.shared.utils.io import read_yaml

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise EndpointsError(f"{path}: cannot read the endpoints file: {_short(exc)}") from exc
    if not isinstance(document, dict):
        raise EndpointsError(f"{path}: not an endpoints file (a mapping of sections)")
    section = document.get("tracker_store")
    if section is None:
        return None
    try:  # only this section: the other sections' settings are the servers' business
        expanded = read_yaml(yaml.safe_dump({"tracker_store": section}))["tracker_store"]
    except RasaException as exc:
        raise EndpointsError(f"{path}: tracker_store: {exc}") from exc
    if not isinstance(expanded, dict):
        raise EndpointsError(f"{path}: tracker_store must be a mapping")
    return expanded


def tracker_store_url(path: Path) -> URL | None:
    """The SQLAlchemy URL of the tracker store the endpoints file at ``path`` configures,
    built as Rasa's SQLTrackerStore.get_db_url builds it; None when conversations are kept
    in memory only (no tracker_store section, an SQLite database without a file)."""
    section = _tracker_section(path)
    if section is None:
        return None
    kind = str(section.get("type") or "")
    if kind not in SQL_TRACKER_STORES:
        raise EndpointsError(f"{path}: tracker_store type {kind or '(none)'!r} is not an SQL store")
    dialect = str(section.get("dialect") or "sqlite")
    db = section.get("db", "rasa.db")
    host, port = section.get("url"), section.get("port")
    if host and "://" in str(host):
        return make_url(str(host))
    if dialect.startswith("sqlite"):
        if not db or db == ":memory:":
            return None
        file = Path(str(db))
        return URL.create(dialect, database=str(file if file.is_absolute() else ROOT / file))
    if host:  # a host may carry its port, as Rasa accepts
        parsed = urlsplit(f"scheme://{host}")
        host, port = parsed.hostname or host, parsed.port or port
    return URL.create(
        dialect,
        username=section.get("username"),
        password=section.get("password"),
        host=str(host) if host else None,
        port=int(port) if port else None,
        database=str(db),
        query=section.get("query") or {},
    )
