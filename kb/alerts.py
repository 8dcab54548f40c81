"""Alert subscriptions: a user's wish to hear about new events matching optional filters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.models import AlertSubscription, utcnow
from kb.users import user_row
from kb.views import AlertSubscriptionView, view_of


def _subscription_view(row: AlertSubscription) -> AlertSubscriptionView:
    return view_of(AlertSubscriptionView, row, active=bool(row.active))


def _same(column: Any, value: str | None) -> Any:
    return column.is_(None) if value is None else column == value


def subscribe_alerts(
    session: Session,
    *,
    user_id: int,
    country: str | None = None,
    sector: str | None = None,
    event_type: str | None = None,
) -> AlertSubscriptionView:
    """Subscribe to alerts for these filters (None = any); re-subscribing reactivates.

    A reactivated subscription starts again now (``created_at``): alerts are sent for events
    created after it, not for those added while it was inactive.
    """
    user_row(session, user_id=user_id)
    row = session.scalars(
        select(AlertSubscription).where(
            AlertSubscription.user_id == user_id,
            _same(AlertSubscription.country, country),
            _same(AlertSubscription.sector, sector),
            _same(AlertSubscription.event_type, event_type),
        )
    ).one_or_none()
    if row is None:
        row = AlertSubscription(
            user_id=user_id, country=country, sector=sector, event_type=event_type, active=True
        )
        session.add(row)
    elif not row.active:
        row.active = True
        row.created_at = utcnow()
    session.flush()
    return _subscription_view(row)


def unsubscribe_alerts(
    session: Session,
    *,
    user_id: int,
    country: str | None = None,
    sector: str | None = None,
    event_type: str | None = None,
) -> int:
    """Deactivate the user's subscriptions matching every filter given (none given: all).

    Returns how many were deactivated.
    """
    query = select(AlertSubscription).where(
        AlertSubscription.user_id == user_id, AlertSubscription.active.is_(True)
    )
    for column, value in (
        (AlertSubscription.country, country),
        (AlertSubscription.sector, sector),
        (AlertSubscription.event_type, event_type),
    ):
        if value is not None:
            query = query.where(column == value)
    rows = list(session.scalars(query))
    for row in rows:
        row.active = False
    session.flush()
    return len(rows)


def list_alert_subscriptions(session: Session, *, user_id: int) -> list[AlertSubscriptionView]:
    """A user's active alert subscriptions."""
    rows = session.scalars(
        select(AlertSubscription)
        .where(AlertSubscription.user_id == user_id, AlertSubscription.active.is_(True))
        .order_by(AlertSubscription.id)
    )
    return [_subscription_view(r) for r in rows]
