"""ASMEX staff: their console accounts, failed logins per account and address, the audit log,
the canned replies.

Staff are not members: none of these tables refers to a user or a channel identity, so the
erasure of a member's data (kb.privacy) never touches them.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)

from kb.models.base import Base, _created_at, utcnow


class StaffAccount(Base):
    """A staff member's console account: an admin, or a regional delegate."""

    __tablename__ = "staff_accounts"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'delegate')", name="role"),
        CheckConstraint("language IN ('fr', 'ar', 'en')", name="language"),
    )

    id = Column(Integer, primary_key=True)
    #: Lower-cased; unique.
    email = Column(String(254), nullable=False, unique=True)
    role = Column(String(10), nullable=False)
    #: The region a delegate's handoffs come from (a canonical region code); None for admins.
    region = Column(String(50))
    #: kb.passwords' self-describing scrypt string; never the password.
    password_hash = Column(String(200), nullable=False)
    #: The console's interface language, chosen by the staff member.
    language = Column(String(2), nullable=False, default="fr", server_default="fr")
    active = Column(Boolean, nullable=False, default=True, server_default=text("true"))
    created_at = _created_at()
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


class LoginFailure(Base):
    """Failed logins of one account from one address, and until when that pair is locked.

    Kept in the database so that every console process sees the same count and lock.
    """

    __tablename__ = "login_failures"
    __table_args__ = (UniqueConstraint("staff_id", "address"),)

    id = Column(Integer, primary_key=True)
    staff_id = Column(
        Integer, ForeignKey("staff_accounts.id", ondelete="CASCADE"), nullable=False
    )
    #: The client's IP address as the console saw it.
    address = Column(String(64), nullable=False)
    failures = Column(Integer, nullable=False, default=0, server_default="0")
    #: When the first failure of the current count happened (older counts start again).
    first_at = Column(DateTime(timezone=True), nullable=False)
    locked_until = Column(DateTime(timezone=True))


class AuditEntry(Base):
    """A change made by staff (or by the admin CLI), for admins to read back."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    #: The account that acted, None for the CLI or an account removed since.
    staff_id = Column(Integer, ForeignKey("staff_accounts.id", ondelete="SET NULL"))
    #: Who acted as written at the time: the account's e-mail address, or "cli".
    actor = Column(String(254), nullable=False)
    #: What was done, ``<kind>.<verb>`` (kb.audit.ACTIONS).
    action = Column(String(50), nullable=False)
    target_kind = Column(String(30))
    target_id = Column(String(100))
    #: JSON object of scalar values, without personal data (kb.audit checks the keys).
    details = Column(Text, nullable=False, default="{}", server_default="{}")


class CannedReply(Base):
    """A reply staff pick in the handoff reply form, in French, Arabic and English."""

    __tablename__ = "canned_replies"

    id = Column(Integer, primary_key=True)
    #: What staff see in the list (not sent to the member).
    title = Column(String(100), nullable=False)
    text_fr = Column(Text, nullable=False)
    text_ar = Column(Text, nullable=False)
    text_en = Column(Text, nullable=False)
    created_at = _created_at()
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
