"""``python -m console``: the staff console on CONSOLE_HOST:CONSOLE_PORT (127.0.0.1:8080).

It refuses to start without CONSOLE_SECRET or on a database not at the newest migration.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import uvicorn
from sqlalchemy.exc import SQLAlchemyError

from console.app import create_app
from core import settings
from kb.conversation_store import DEFAULT_ENDPOINTS, EndpointsError, tracker_store_url
from kb.migrate import current_revision, head_revision
from kb.session import describe_error, display_url, make_engine


def _database_ready(url: str) -> str | None:
    """Why the console cannot use the database at ``url``, or None when it can."""
    engine = make_engine(url)
    try:
        revision = current_revision(engine)
    except SQLAlchemyError as exc:
        return f"database {display_url(url)} unreachable: {describe_error(exc)}"
    finally:
        engine.dispose()
    if revision != head_revision():
        return f"database {display_url(url)} is not up to date (run: make db)"
    return None


def _tracker_url(endpoints: Path) -> str | None:
    """The conversation store the endpoints file names (for the analytics page), or None."""
    try:
        url = tracker_store_url(endpoints)
    except EndpointsError as exc:
        print(f"console: analytics without conversations: {exc}", file=sys.stderr)
        return None
    return url.render_as_string(hide_password=False) if url is not None else None


def main(argv: list[str] | None = None) -> int:
    """Serve the console until stopped; 2 without its secret or database."""
    parser = argparse.ArgumentParser(
        prog="python -m console",
        description="The ASMEX staff console (CONSOLE_HOST, CONSOLE_PORT, CONSOLE_SECRET).",
    )
    parser.add_argument(
        "--endpoints",
        type=Path,
        default=DEFAULT_ENDPOINTS,
        help="the Rasa server's endpoints file, whose tracker_store the analytics page reads "
        "(default: endpoints.yml; e.g. endpoints.production.yml)",
    )
    args = parser.parse_args(argv)
    current = settings.current()
    try:
        app = create_app(current, tracker_url=_tracker_url(args.endpoints))
    except settings.SettingsError as missing:
        print(f"console: {missing}; `make setup` writes one into .env", file=sys.stderr)
        return 2
    problem = _database_ready(current.database_url)
    if problem:
        print(f"console: {problem}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger(__name__).info(
        "console on http://%s:%d", current.console_host, current.console_port
    )
    proxies = current.console_forwarded_allow_ips
    uvicorn.run(
        app,
        host=current.console_host,
        port=current.console_port,
        access_log=False,
        server_header=False,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
        log_config=None,
        # No websockets: Rasa pins a websockets too old for uvicorn's, and no page needs one.
        ws="none",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
