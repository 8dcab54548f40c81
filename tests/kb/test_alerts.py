"""Alert subscriptions: subscribe, re-subscribe, unsubscribe."""

from __future__ import annotations

from sqlalchemy.orm import Session

from kb.alerts import list_alert_subscriptions, subscribe_alerts, unsubscribe_alerts
from kb.users import get_or_create_user


def test_alert_subscriptions(session: Session) -> None:
    user = get_or_create_user(session, channel="telegram", channel_user_id="42")
    a = subscribe_alerts(session, user_id=user.id, country="KE")
    b = subscribe_alerts(session, user_id=user.id, country="KE")
    c = subscribe_alerts(session, user_id=user.id, sector="ict")
    assert a.id == b.id != c.id
    assert len(list_alert_subscriptions(session, user_id=user.id)) == 2
    assert unsubscribe_alerts(session, user_id=user.id, country="KE") == 1
    assert [s.sector for s in list_alert_subscriptions(session, user_id=user.id)] == ["ict"]
    again = subscribe_alerts(session, user_id=user.id, country="KE")
    assert again.id == a.id and again.active
    assert unsubscribe_alerts(session, user_id=user.id) == 2
    assert list_alert_subscriptions(session, user_id=user.id) == []
