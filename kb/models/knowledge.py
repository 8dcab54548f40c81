"""The knowledge base: sources, events, markets and their facts, blocs, agreements, procedures,
regions, topics."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import relationship

from kb.models.base import Base, _created_at, _source_fk, utcnow

class Source(Base):
    """Where a fact comes from (a press article, a general reference or a demo note)."""

    __tablename__ = "sources"

    id = Column(String(100), primary_key=True)
    title = Column(Text, nullable=False)
    publisher = Column(Text)
    published = Column(Date)
    seed_file = Column(Text)
    url = Column(Text)
    note = Column(Text)


class Event(Base):
    """A trade mission, fair, forum, webinar or delegation."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint(
            "type IN ('mission', 'fair', 'forum', 'webinar', 'delegation')", name="type"
        ),
        CheckConstraint("status IN ('open', 'closed', 'cancelled')", name="status"),
        CheckConstraint("end_date >= start_date", name="dates"),
    )

    id = Column(Integer, primary_key=True)
    slug = Column(String(100), nullable=False, unique=True)
    type = Column(String(20), nullable=False)
    title_fr = Column(Text, nullable=False)
    title_ar = Column(Text, nullable=False)
    title_en = Column(Text, nullable=False)
    description_fr = Column(Text)
    description_ar = Column(Text)
    description_en = Column(Text)
    country = Column(String(2), nullable=False, index=True)
    city = Column(Text)  # None for an online event (webinar)
    venue = Column(Text)
    start_date = Column(Date, nullable=False, index=True)
    end_date = Column(Date, nullable=False)
    sectors = Column(JSON, nullable=False, default=list)
    organizer = Column(Text, nullable=False)
    registration_url = Column(Text)
    registration_deadline = Column(Date)
    fee_mad = Column(Integer)
    capacity = Column(Integer)
    status = Column(String(20), nullable=False, default="open", server_default="open")
    sample = Column(Boolean, nullable=False, default=False, server_default=text("false"))
    source_id = _source_fk()
    created_at = _created_at()
    updated_at = Column(
        DateTime(timezone=True),
        nullable=False,
        default=utcnow,
        onupdate=utcnow,
        server_default=func.now(),
    )

    registrations = relationship("Registration", back_populates="event", cascade_backrefs=False)


class Market(Base):
    """A target market (one country) and its profile."""

    __tablename__ = "markets"

    country = Column(String(2), primary_key=True)
    name_fr = Column(Text, nullable=False)
    name_ar = Column(Text, nullable=False)
    name_en = Column(Text, nullable=False)
    aliases = Column(JSON, nullable=False, default=list)
    blocs = Column(JSON, nullable=False, default=list)
    agreements = Column(JSON, nullable=False, default=list)
    sectors = Column(JSON, nullable=False, default=list)

    facts = relationship(
        "MarketFact",
        back_populates="market_row",
        order_by="MarketFact.position",
        cascade="all, delete-orphan",
        cascade_backrefs=False,
    )


class MarketFact(Base):
    """One sourced paragraph of a market profile."""

    __tablename__ = "market_facts"
    __table_args__ = (UniqueConstraint("market", "position"),)

    id = Column(Integer, primary_key=True)
    market = Column(String(2), ForeignKey("markets.country", ondelete="CASCADE"), nullable=False)
    position = Column(Integer, nullable=False)
    text_fr = Column(Text, nullable=False)
    text_ar = Column(Text, nullable=False)
    text_en = Column(Text, nullable=False)
    source_id = _source_fk()

    market_row = relationship("Market", back_populates="facts", cascade_backrefs=False)


class Bloc(Base):
    """A regional or economic bloc and its member countries (the one membership list)."""

    __tablename__ = "blocs"

    code = Column(String(20), primary_key=True)
    name_fr = Column(Text, nullable=False)
    name_ar = Column(Text, nullable=False)
    name_en = Column(Text, nullable=False)
    members = Column(JSON, nullable=False, default=list)
    url = Column(Text)
    source_id = _source_fk()


class Agreement(Base):
    """A trade agreement Morocco is party to."""

    __tablename__ = "agreements"

    code = Column(String(50), primary_key=True)
    name_fr = Column(Text, nullable=False)
    name_ar = Column(Text, nullable=False)
    name_en = Column(Text, nullable=False)
    aliases = Column(JSON, nullable=False, default=list)
    summary_fr = Column(Text, nullable=False)
    summary_ar = Column(Text, nullable=False)
    summary_en = Column(Text, nullable=False)
    countries = Column(JSON, nullable=False, default=list)
    blocs = Column(JSON, nullable=False, default=list)
    url = Column(Text)
    source_id = _source_fk()


class Procedure(Base):
    """An export procedure (Tijaria, certificates of origin, financing...)."""

    __tablename__ = "procedures"

    code = Column(String(100), primary_key=True)
    topic = Column(String(30), nullable=False, index=True)
    position = Column(Integer, nullable=False, default=0, server_default="0")
    title_fr = Column(Text, nullable=False)
    title_ar = Column(Text, nullable=False)
    title_en = Column(Text, nullable=False)
    summary_fr = Column(Text, nullable=False)
    summary_ar = Column(Text, nullable=False)
    summary_en = Column(Text, nullable=False)
    steps = Column(JSON, nullable=False, default=list)
    url = Column(Text)
    source_id = _source_fk()


class Region(Base):
    """A Moroccan region, its foreign-trade office and its ASMEX delegate."""

    __tablename__ = "regions"

    code = Column(String(50), primary_key=True)
    name_fr = Column(Text, nullable=False)
    name_ar = Column(Text, nullable=False)
    name_en = Column(Text, nullable=False)
    cities = Column(JSON, nullable=False, default=list)
    office_name_fr = Column(Text)
    office_name_ar = Column(Text)
    office_name_en = Column(Text)
    office_status_fr = Column(Text)
    office_status_ar = Column(Text)
    office_status_en = Column(Text)
    office_source_id = _source_fk("office_source_id")
    delegate_name = Column(Text)
    delegate_as_of = Column(Date)
    delegate_source_id = _source_fk("delegate_source_id")


class Topic(Base):
    """A short answer about financing, membership or ASMEX itself."""

    __tablename__ = "topics"

    code = Column(String(50), primary_key=True)
    title_fr = Column(Text, nullable=False)
    title_ar = Column(Text, nullable=False)
    title_en = Column(Text, nullable=False)
    body_fr = Column(Text, nullable=False)
    body_ar = Column(Text, nullable=False)
    body_en = Column(Text, nullable=False)
    url = Column(Text)
    source_id = _source_fk()
