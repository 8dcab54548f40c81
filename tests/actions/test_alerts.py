"""action_subscribe_alerts and action_unsubscribe_alerts: stored per user in the database."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from actions.alerts import ActionSubscribeAlerts, ActionUnsubscribeAlerts
from kb.models import AlertSubscription, User
from tests.actions.info_support import (
    assert_rendered,
    entity,
    responses,
    run,
    tracker,
)

# Fixtures shared by the tests of issue #4's information actions.


def active(engine: Engine, sender: str = "user-1") -> set[tuple[str | None, ...]]:
    """The sender's active subscriptions as (country, sector, event_type)."""
    with Session(engine) as session:
        rows = session.scalars(
            select(AlertSubscription)
            .join(User, User.id == AlertSubscription.user_id)
            .where(User.channel_user_id == sender, AlertSubscription.active.is_(True))
        )
        return {(r.country, r.sector, r.event_type) for r in rows}


def subscribe_tracker(*entities: tuple[str, str], lang: str = "fr", sender: str = "user-1"):
    return tracker(
        intent="subscribe_alerts",
        entities=[entity(n, v) for n, v in entities],
        lang=lang,
        sender=sender,
    )


def unsubscribe_tracker(*entities: tuple[str, str], lang: str = "fr", sender: str = "user-1"):
    return tracker(
        intent="unsubscribe_alerts",
        entities=[entity(n, v) for n, v in entities],
        lang=lang,
        sender=sender,
    )


async def test_subscribe_with_filters_is_stored_and_confirmed(kb: Engine) -> None:
    messages, _ = await run(
        ActionSubscribeAlerts(),
        subscribe_tracker(("country", "KE"), ("sector", "agrifood"), ("event_type", "mission")),
    )
    assert responses(messages) == ["utter_alerts_subscribed"]
    assert messages[0]["filters"] == "• Kenya · agroalimentaire · mission"
    assert active(kb) == {("KE", "agrifood", "mission")}
    (text,) = assert_rendered(messages, "fr")
    assert "Kenya" in text


async def test_confirmation_in_arabic(kb: Engine) -> None:
    messages, _ = await run(
        ActionSubscribeAlerts(), subscribe_tracker(("country", "SN"), lang="ar")
    )
    assert messages[0]["filters"] == "• السنغال"
    (text,) = assert_rendered(messages, "ar")
    assert "سأنبهك" in text


async def test_every_combination_of_the_filters(kb: Engine) -> None:
    await run(
        ActionSubscribeAlerts(),
        subscribe_tracker(("country", "KE"), ("country", "SN"), ("sector", "ict")),
    )
    assert active(kb) == {("KE", "ict", None), ("SN", "ict", None)}


async def test_already_subscribed(kb: Engine) -> None:
    await run(ActionSubscribeAlerts(), subscribe_tracker(("sector", "textile")))
    messages, _ = await run(
        ActionSubscribeAlerts(), subscribe_tracker(("sector", "textile"), lang="en")
    )
    assert responses(messages) == ["utter_alerts_already_subscribed"]
    assert messages[0]["filters"] == "• textile"
    assert active(kb) == {(None, "textile", None)}
    assert_rendered(messages, "en")


async def test_subscribe_without_filters_means_every_event(kb: Engine) -> None:
    messages, _ = await run(ActionSubscribeAlerts(), subscribe_tracker())
    assert responses(messages) == ["utter_alerts_subscribed_all"]
    assert active(kb) == {(None, None, None)}
    messages, _ = await run(ActionSubscribeAlerts(), subscribe_tracker(lang="ar"))
    assert responses(messages) == ["utter_alerts_already_subscribed_all"]
    assert_rendered(messages, "ar")


async def test_unknown_filter_values_are_ignored(kb: Engine) -> None:
    await run(
        ActionSubscribeAlerts(), subscribe_tracker(("country", "Atlantis"), ("sector", "magic"))
    )
    assert active(kb) == {(None, None, None)}


async def test_unsubscribe_with_filters_removes_that_one(kb: Engine) -> None:
    await run(ActionSubscribeAlerts(), subscribe_tracker(("country", "KE")))
    await run(ActionSubscribeAlerts(), subscribe_tracker(("sector", "ict")))
    messages, _ = await run(ActionUnsubscribeAlerts(), unsubscribe_tracker(("country", "KE")))
    assert responses(messages) == ["utter_alerts_unsubscribed"]
    assert messages[0]["count"] == "1"
    assert "Kenya" in messages[0]["filters"]
    assert active(kb) == {(None, "ict", None)}
    assert_rendered(messages, "fr")


async def test_unsubscribe_without_filters_removes_all(kb: Engine) -> None:
    await run(ActionSubscribeAlerts(), subscribe_tracker(("country", "KE")))
    await run(ActionSubscribeAlerts(), subscribe_tracker(("sector", "ict")))
    messages, _ = await run(ActionUnsubscribeAlerts(), unsubscribe_tracker(lang="ar"))
    assert responses(messages) == ["utter_alerts_unsubscribed_all"]
    assert messages[0]["count"] == "2"
    assert active(kb) == set()
    assert_rendered(messages, "ar")


async def test_alerts_are_per_user(kb: Engine) -> None:
    await run(ActionSubscribeAlerts(), subscribe_tracker(("country", "KE"), sender="a"))
    await run(ActionSubscribeAlerts(), subscribe_tracker(("country", "KE"), sender="b"))
    await run(ActionUnsubscribeAlerts(), unsubscribe_tracker(sender="a"))
    assert active(kb, "a") == set()
    assert active(kb, "b") == {("KE", None, None)}


async def test_nothing_to_remove_creates_no_user(kb: Engine) -> None:
    messages, _ = await run(ActionUnsubscribeAlerts(), unsubscribe_tracker(sender="stranger"))
    assert responses(messages) == ["utter_alerts_none_to_remove"]
    with Session(kb) as session:
        assert session.scalars(select(User).where(User.channel_user_id == "stranger")).all() == []
    assert_rendered(messages, "fr")


@pytest.mark.usefixtures("db_down")
@pytest.mark.parametrize("action", [ActionSubscribeAlerts, ActionUnsubscribeAlerts])
async def test_database_down_alerts(action: type) -> None:
    messages, events = await run(action(), subscribe_tracker(("country", "KE")))
    assert responses(messages) == ["utter_db_unavailable"]
    assert events == []


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
async def test_subscribing_keeps_the_conversation_language_for_the_alerts(
    kb: Engine, lang: str
) -> None:
    await run(ActionSubscribeAlerts(), subscribe_tracker(("country", "KE"), lang=lang))
    with Session(kb) as session:
        user = session.scalars(select(User).where(User.channel_user_id == "user-1")).one()
    assert user.language_hint == lang
