"""The declarative base every model shares, its naming convention, and common columns."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, DateTime, ForeignKey, MetaData, String, func
from sqlalchemy.orm import registry

#: Constraint names are fixed so migrations can refer to them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)
mapper_registry = registry(metadata=metadata)


@mapper_registry.as_declarative_base()
class Base:
    """Base class of every model."""

    if TYPE_CHECKING:  # the registry gives every model a keyword constructor

        def __init__(self, **kwargs: Any) -> None: ...


def utcnow() -> datetime:
    """Current time in UTC, the value of every created_at/updated_at column."""
    return datetime.now(timezone.utc)


def _created_at() -> Column:
    return Column(
        DateTime(timezone=True), nullable=False, default=utcnow, server_default=func.now()
    )


def _source_fk(name: str = "source_id") -> Column:
    return Column(name, String(100), ForeignKey("sources.id", ondelete="SET NULL"), nullable=True)
