"""Database access off the event loop: one transaction in a worker thread, errors made plain."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from functools import lru_cache, partial
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from core import settings
from kb.session import describe_error, make_engine, make_session_factory

logger = logging.getLogger(__name__)

T = TypeVar("T")


class DatabaseUnavailable(RuntimeError):
    """The knowledge base could not be reached or the query failed."""


@lru_cache(maxsize=4)
def _factory(url: str) -> sessionmaker:
    return make_session_factory(make_engine(url, pool_pre_ping=True))


def session_factory() -> sessionmaker:
    """The process's session factory on the configured database (made once per URL)."""
    return _factory(settings.database_url())


def _in_transaction(url: str, fn: Callable[..., T], args: tuple, kwargs: dict) -> T:
    with _factory(url)() as session, session.begin():
        return fn(session, *args, **kwargs)


async def run_db(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``fn(session, *args, **kwargs)`` in one transaction, in a worker thread.

    Raises DatabaseUnavailable (and logs the cause) when the database fails, so callers can
    answer "please try again" instead of crashing.
    """
    url = settings.database_url()
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(None, partial(_in_transaction, url, fn, args, kwargs))
    except SQLAlchemyError as exc:
        error = describe_error(exc)  # never the statement's values: they are members' data
        logger.error("database error in %s: %s", getattr(fn, "__name__", fn), error)
        raise DatabaseUnavailable(error) from exc
