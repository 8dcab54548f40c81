"""Declarative models; the schema itself is owned by the Alembic migrations.

One module per part of the data (knowledge base, member data, messages, staff); every model is
importable from ``kb.models``, and importing it registers them all on ``metadata``.
"""

from kb.models.base import NAMING_CONVENTION, Base, mapper_registry, metadata, utcnow
from kb.models.knowledge import (
    Agreement,
    Bloc,
    Event,
    Market,
    MarketFact,
    Procedure,
    Region,
    Source,
    Topic,
)
from kb.models.members import (
    AlertSubscription,
    Handoff,
    HandoffMessage,
    HandoffNotification,
    Registration,
    User,
)
from kb.models.messages import CallbackPayload, InboundMessage, NotificationSent, OutboxReply
from kb.models.staff import AuditEntry, CannedReply, LoginFailure, StaffAccount

__all__ = [
    "NAMING_CONVENTION",
    "Agreement",
    "AlertSubscription",
    "AuditEntry",
    "Base",
    "Bloc",
    "CallbackPayload",
    "CannedReply",
    "Event",
    "Handoff",
    "HandoffMessage",
    "HandoffNotification",
    "InboundMessage",
    "LoginFailure",
    "Market",
    "MarketFact",
    "NotificationSent",
    "OutboxReply",
    "Procedure",
    "Region",
    "Registration",
    "Source",
    "StaffAccount",
    "Topic",
    "User",
    "mapper_registry",
    "metadata",
    "utcnow",
]
