"""The production stack of endpoints.production.yml (PostgreSQL, Redis, several workers)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session

from kb.files.loader import load_kb
from kb.migrate import upgrade_to_head
from kb.session import make_engine
from tests.support.db_servers import postgres_server, redis_server


def prepare_database(database_url: str) -> None:
    """Migrate a fresh database to head and load the knowledge base (data/kb) into it."""
    upgrade_to_head(database_url)
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            load_kb(session)
            session.commit()
    finally:
        engine.dispose()


@dataclass(frozen=True)
class ProductionStack:
    """What endpoints.production.yml needs, running: its environment and the databases' URLs."""

    env: dict[str, str]
    database_url: str
    tracker_url: str


#: The endpoints file these servers are for.
PRODUCTION_ENDPOINTS = "endpoints.production.yml"


@contextmanager
def production_stack(workers: int = 2) -> Iterator[ProductionStack]:
    """PostgreSQL (databases `asmex`, migrated with data/kb loaded, and `tracker`) and Redis.

    ``env`` holds every variable endpoints.production.yml reads, plus DATABASE_URL (the
    knowledge base) and SANIC_WORKERS.
    """
    with postgres_server() as pg, redis_server() as redis:
        pg.create_database("asmex")
        pg.create_database("tracker")
        database_url = pg.url("asmex")
        prepare_database(database_url)
        env = {
            "DATABASE_URL": database_url,
            "TRACKER_DB_HOST": "127.0.0.1",
            "TRACKER_DB_PORT": str(pg.port),
            "TRACKER_DB_NAME": "tracker",
            "TRACKER_DB_USER": pg.user,
            "TRACKER_DB_PASSWORD": pg.password,
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": str(redis.port),
            "REDIS_PASSWORD": redis.password,
            "SANIC_WORKERS": str(workers),
        }
        yield ProductionStack(env, database_url, pg.url("tracker"))
