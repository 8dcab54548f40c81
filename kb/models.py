"""Declarative models; the schema itself is owned by the Alembic migrations."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

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
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import registry, relationship

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


class User(Base):
    """A person talking to the assistant on one channel."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("channel", "channel_user_id"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(30), nullable=False)
    channel_user_id = Column(String(100), nullable=False)
    language = Column(String(2))
    #: The language last seen for this user (a channel's language code or the conversation's
    #: reply language when they subscribed or registered); used when ``language`` is unset.
    language_hint = Column(String(5))
    consent = Column(Boolean, nullable=False, default=False, server_default=text("false"))
    consent_at = Column(DateTime(timezone=True))
    created_at = _created_at()
    #: When the user last wrote to us (WhatsApp's 24-hour window for free-form messages).
    last_inbound_at = Column(DateTime(timezone=True))


class Registration(Base):
    """A company's registration to an event."""

    __tablename__ = "registrations"
    __table_args__ = (
        CheckConstraint("status IN ('confirmed', 'cancelled')", name="status"),
        Index(
            "uq_registrations_event_id_user_id_active",
            "event_id",
            "user_id",
            unique=True,
            sqlite_where=text("status = 'confirmed'"),
            postgresql_where=text("status = 'confirmed'"),
        ),
    )

    id = Column(Integer, primary_key=True)
    event_id = Column(Integer, ForeignKey("events.id"), nullable=False, index=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), index=True)
    company_name = Column(Text, nullable=False)
    ice = Column(String(15))
    contact_name = Column(Text)
    email = Column(Text)
    phone = Column(String(30))
    sector = Column(String(30))
    status = Column(String(20), nullable=False, default="confirmed", server_default="confirmed")
    created_at = _created_at()
    cancelled_at = Column(DateTime(timezone=True))

    event = relationship("Event", back_populates="registrations", cascade_backrefs=False)


class AlertSubscription(Base):
    """A user's wish to hear about new events matching optional filters."""

    __tablename__ = "alert_subscriptions"

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    country = Column(String(2))
    sector = Column(String(30))
    event_type = Column(String(20))
    created_at = _created_at()
    active = Column(Boolean, nullable=False, default=True, server_default=text("true"))


#: One subscription per user and filter combination (NULL meaning "any" counts as a value).
Index(
    "uq_alert_subscriptions_filters",
    AlertSubscription.user_id,
    func.coalesce(AlertSubscription.country, ""),
    func.coalesce(AlertSubscription.sector, ""),
    func.coalesce(AlertSubscription.event_type, ""),
    unique=True,
)


class Handoff(Base):
    """A request to talk to a person at ASMEX."""

    __tablename__ = "handoffs"
    __table_args__ = (CheckConstraint("status IN ('open', 'closed')", name="status"),)

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    region = Column(String(50))
    summary = Column(Text)
    created_at = _created_at()
    status = Column(String(20), nullable=False, default="open", server_default="open")


class NotificationSent(Base):
    """A proactive message claimed before sending, so alerts and reminders go out once.

    ``claimed`` rows are being sent (or were when a process died: they are not sent again),
    ``sent`` went out, ``failed`` gave up after retries and may be retried by staff.
    """

    __tablename__ = "notifications_sent"
    __table_args__ = (
        UniqueConstraint("kind", "user_id", "event_id"),
        CheckConstraint("status IN ('claimed', 'sent', 'failed')", name="status"),
    )

    id = Column(Integer, primary_key=True)
    kind = Column(String(30), nullable=False)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    event_id = Column(Integer, ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    sent_at = Column(
        DateTime(timezone=True), nullable=False, default=utcnow, server_default=func.now()
    )
    status = Column(String(20), nullable=False, default="claimed", server_default="sent")
    attempts = Column(Integer, nullable=False, default=0, server_default="0")
    last_error = Column(Text)


class InboundMessage(Base):
    """A channel message or update id already handled, so a redelivery gets no second reply."""

    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(30), nullable=False)
    external_id = Column(String(200), nullable=False)
    received_at = Column(
        DateTime(timezone=True),
        nullable=False,
        default=utcnow,
        server_default=func.now(),
        index=True,
    )


class CallbackPayload(Base):
    """A button payload too long for the platform's button data, stored under a short key.

    Telegram allows 64 bytes of callback data per button; longer payloads (most carry an event
    slug) are sent as their key and looked up when the button is pressed, by whichever process
    sent them (the Rasa server's replies, or the notifier's alerts).
    """

    __tablename__ = "callback_payloads"

    key = Column(String(32), primary_key=True)
    payload = Column(Text, nullable=False)
    created_at = _created_at()
