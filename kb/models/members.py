"""Member data: users (one person on one channel), their registrations, alert subscriptions
and requests for a person."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
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

from kb.models.base import Base, _created_at


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
    #: Consent to the processing of the registration form's personal data (law 09-08): given
    #: or not, when, which text (a version id of the consent question) and in which language
    #: it was shown. A registration made through the assistant needs it.
    consent = Column(Boolean, nullable=False, default=False, server_default=text("false"))
    consent_at = Column(DateTime(timezone=True))
    consent_version = Column(String(40))
    consent_language = Column(String(2))
    created_at = _created_at()
    #: When the user last wrote to us (WhatsApp's 24-hour window for free-form messages).
    last_inbound_at = Column(DateTime(timezone=True))
    #: The member's own region (a canonical region code), which routes their handoffs; None
    #: until they say it (a region a conversation mentions is not theirs).
    region = Column(String(50))


class Registration(Base):
    """A company's registration to an event: ``confirmed``, ``waitlisted`` (staff put it on
    the waiting list) or ``cancelled``."""

    __tablename__ = "registrations"
    __table_args__ = (
        CheckConstraint(
            "status IN ('confirmed', 'waitlisted', 'cancelled')", name="status"
        ),
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
    """A request to talk to a person at ASMEX: ``open`` (waiting), ``taken`` (a staff member
    holds the conversation), ``closed`` (handed back to the assistant)."""

    __tablename__ = "handoffs"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'taken', 'closed')", name="status"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating"),
        # A member's handoffs by status: asked on every member message (is a person holding
        # this conversation?), scripts/bench_handoff_hold.py.
        Index("ix_handoffs_user_id_status", "user_id", "status"),
    )

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    region = Column(String(50))
    summary = Column(Text)
    created_at = _created_at()
    status = Column(String(20), nullable=False, default="open", server_default="open")
    #: When a staff member took the conversation (None while nobody has).
    taken_at = Column(DateTime(timezone=True))
    #: When it was escalated to the head office for waiting too long (at most once).
    escalated_at = Column(DateTime(timezone=True))
    #: The staff account holding (or that held) the conversation.
    taken_by = Column(Integer, ForeignKey("staff_accounts.id", ondelete="SET NULL"))
    #: When the first staff reply was sent to the member.
    first_reply_at = Column(DateTime(timezone=True))
    #: When it was handed back to the assistant.
    closed_at = Column(DateTime(timezone=True))
    #: The member's rating of the help after hand-back, 1 to 5 (None: not rated).
    rating = Column(Integer)
    #: How a member whose channel cannot be written to (REST) asked to be reached; never logged.
    contact = Column(Text)


class HandoffMessage(Base):
    """One line of a handoff's transcript: a member's message while a person held the
    conversation, a staff reply (with its delivery to the member's channel), a system note."""

    __tablename__ = "handoff_messages"
    __table_args__ = (
        CheckConstraint("direction IN ('member', 'staff', 'system')", name="direction"),
        CheckConstraint(
            "delivery_status IN ('none', 'pending', 'sent', 'failed')", name="delivery_status"
        ),
    )

    id = Column(Integer, primary_key=True)
    handoff_id = Column(
        Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, index=True
    )
    direction = Column(String(10), nullable=False)
    text = Column(Text, nullable=False)
    staff_id = Column(Integer, ForeignKey("staff_accounts.id", ondelete="SET NULL"))
    created_at = _created_at()
    #: ``none`` for member messages and notes; a staff reply is ``pending`` until delivered.
    delivery_status = Column(String(10), nullable=False, default="none", server_default="none")
    attempts = Column(Integer, nullable=False, default=0, server_default="0")
    #: The error's kind only (a platform's answer may quote the member).
    last_error = Column(String(200))
    #: While a sender delivers this reply, until when it holds it (kb.reply_delivery): a second
    #: sender (another Rasa worker's retry sweep) leaves it alone, so it is not sent twice.
    claimed_until = Column(DateTime(timezone=True))


class HandoffNotification(Base):
    """A staff alert about a handoff, claimed before it is sent, so it goes out once.

    ``kind`` is ``new`` (the request arrived) or ``escalation`` (nobody took it in time);
    ``target`` names where it goes (``email:<language>``, ``telegram``). ``claimed`` rows are
    being sent, ``sent`` went out, ``failed`` are tried again later (``attempts``).
    """

    __tablename__ = "handoff_notifications"
    __table_args__ = (
        UniqueConstraint("handoff_id", "kind", "target"),
        CheckConstraint("kind IN ('new', 'escalation')", name="kind"),
        CheckConstraint("status IN ('claimed', 'sent', 'failed')", name="status"),
    )

    id = Column(Integer, primary_key=True)
    handoff_id = Column(
        Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind = Column(String(20), nullable=False)
    target = Column(String(30), nullable=False)
    status = Column(String(20), nullable=False, default="claimed")
    attempts = Column(Integer, nullable=False, default=0, server_default="0")
    #: The error's kind and code only (an SMTP error may quote addresses).
    last_error = Column(String(200))
    claimed_at = Column(DateTime(timezone=True), nullable=False)
    sent_at = Column(DateTime(timezone=True))
