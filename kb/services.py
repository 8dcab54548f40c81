"""What the services answers read: export procedures, regions (office and delegate), topics."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.models import Procedure, Region, Topic
from kb.views import ProcedureView, RegionView, Texts, TopicView, view_of
from nlu.vocabulary.canonical import REGIONS


def _procedure_view(row: Procedure) -> ProcedureView:
    return view_of(
        ProcedureView,
        row,
        title=Texts.of(row, "title"),
        summary=Texts.of(row, "summary"),
        steps=tuple(Texts.from_mapping(step) for step in row.steps or ()),
    )


def _region_view(row: Region) -> RegionView:
    return view_of(
        RegionView,
        row,
        name=Texts.of(row, "name"),
        cities=tuple(row.cities or ()),
        office_name=Texts.of_optional(row, "office_name"),
        office_status=Texts.of_optional(row, "office_status"),
    )


def get_procedures(session: Session, *, topic: str) -> list[ProcedureView]:
    """The procedures of a topic in knowledge-base order."""
    rows = session.scalars(
        select(Procedure)
        .where(Procedure.topic == topic)
        .order_by(Procedure.position, Procedure.code)
    )
    return [_procedure_view(r) for r in rows]


def get_region(session: Session, *, code: str) -> RegionView | None:
    """A region by canonical code, or None."""
    row = session.get(Region, code)
    return _region_view(row) if row else None


def list_regions(session: Session) -> list[RegionView]:
    """The regions the knowledge base has, in the canonical order of nlu.vocabulary.canonical."""
    views = (get_region(session, code=code) for code in REGIONS)
    return [view for view in views if view is not None]


def get_topic(session: Session, *, code: str) -> TopicView | None:
    """A topic answer by code, or None."""
    row = session.get(Topic, code)
    if row is None:
        return None
    return view_of(TopicView, row, title=Texts.of(row, "title"), body=Texts.of(row, "body"))
