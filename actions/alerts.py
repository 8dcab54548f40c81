"""Alerts on new events (subscribe_alerts, unsubscribe_alerts), stored per user."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import product
from typing import Any, Final, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.common import (
    apologise,
    canonical_countries,
    channel_identity,
    entity_values,
    reply_language,
)
from kb import display
from kb.access import DatabaseUnavailable, run_db
from kb.alerts import list_alert_subscriptions, subscribe_alerts, unsubscribe_alerts
from kb.display import bullets
from kb.markets import get_market
from kb.privacy import find_user_id
from kb.users import get_or_create_user
from kb.views import Texts
from nlu.vocabulary.canonical import is_country, is_event_type, is_sector

#: At most this many filter combinations from one message.
MAX_COMBINATIONS: Final = 6

_Outcome = TypeVar("_Outcome")


@dataclass(frozen=True)
class Filters:
    """One alert subscription's filters; None = any."""

    country: str | None = None
    sector: str | None = None
    event_type: str | None = None

    @property
    def any(self) -> bool:
        """True when at least one filter is set."""
        return any((self.country, self.sector, self.event_type))


async def requested_filters(tracker: Tracker) -> list[Filters]:
    """Every combination of the countries, sectors and event types the message names."""
    countries: list[str | None] = [
        c
        for c in await canonical_countries(entity_values(tracker, "country"))
        if len(c) == 2 and is_country(c)
    ]
    sectors: list[str | None] = [s for s in entity_values(tracker, "sector") if is_sector(s)]
    types: list[str | None] = [t for t in entity_values(tracker, "event_type") if is_event_type(t)]
    combos = product(countries or [None], sectors or [None], types or [None])
    return [Filters(c, s, t) for c, s, t in combos][:MAX_COMBINATIONS]


# --- database work (run in a worker thread by run_db) ---------------------------------------


@dataclass(frozen=True)
class SubscribeOutcome:
    """Subscriptions made now, those already active, and the names of their countries."""

    created: tuple[Filters, ...]
    already: tuple[Filters, ...]
    country_names: dict[str, Texts]


def _country_names(session: Session, filters: list[Filters]) -> dict[str, Texts]:
    names = {}
    for code in {f.country for f in filters if f.country}:
        market = get_market(session, country=code)
        if market is not None:
            names[code] = market.name
    return names


def subscribe(
    session: Session,
    *,
    channel: str,
    channel_user_id: str,
    filters: list[Filters],
    language: str | None = None,
) -> SubscribeOutcome:
    """Subscribe the user to each filter combination not already active.

    ``language`` (the conversation's reply language) is kept on the user: alerts use it.
    """
    user = get_or_create_user(
        session, channel=channel, channel_user_id=channel_user_id, language_hint=language
    )
    active = {
        Filters(s.country, s.sector, s.event_type)
        for s in list_alert_subscriptions(session, user_id=user.id)
    }
    created, already = [], []
    for wanted in filters:
        if wanted in active:
            already.append(wanted)
            continue
        subscribe_alerts(
            session,
            user_id=user.id,
            country=wanted.country,
            sector=wanted.sector,
            event_type=wanted.event_type,
        )
        created.append(wanted)
    return SubscribeOutcome(tuple(created), tuple(already), _country_names(session, filters))


@dataclass(frozen=True)
class UnsubscribeOutcome:
    """How many subscriptions were stopped, and the names of the filters' countries."""

    removed: int
    country_names: dict[str, Texts]


def unsubscribe(
    session: Session, *, channel: str, channel_user_id: str, filters: list[Filters]
) -> UnsubscribeOutcome:
    """Stop the subscriptions matching the filters (none given: all of them)."""
    user_id = find_user_id(session, channel=channel, channel_user_id=channel_user_id)
    names = _country_names(session, filters)
    if user_id is None:
        return UnsubscribeOutcome(0, names)
    removed = sum(
        unsubscribe_alerts(
            session, user_id=user_id, country=f.country, sector=f.sector, event_type=f.event_type
        )
        for f in filters
    )
    return UnsubscribeOutcome(removed, names)


# --- actions ---------------------------------------------------------------------------------


def describe(filters: Filters, lang: str, country_names: dict[str, Texts]) -> str:
    """The filters in the reply language: "Kenya · agrifood · trade missions"."""
    parts = []
    if filters.country:
        known = country_names.get(filters.country)
        parts.append(known.get(lang) if known else display.country_name(filters.country, lang))
    if filters.sector:
        parts.append(display.sector_name(filters.sector, lang))
    if filters.event_type:
        parts.append(display.event_type_name(filters.event_type, lang))
    return " · ".join(parts)


async def _change_subscriptions(
    change: Callable[..., _Outcome], tracker: Tracker, **options: Any
) -> tuple[list[Filters], _Outcome]:
    """Run ``change`` (subscribe or unsubscribe) on the user's subscriptions with the filters
    the latest message names; returns those filters and the outcome."""
    channel, user = channel_identity(tracker)
    filters = await requested_filters(tracker)
    outcome = await run_db(
        change, channel=channel, channel_user_id=user, filters=filters, **options
    )
    return filters, outcome


def _utter_group(
    dispatcher: CollectingDispatcher,
    response: str,
    group: tuple[Filters, ...],
    lang: str,
    names: dict[str, Texts],
) -> None:
    if not group:
        return
    specific = [f for f in group if f.any]
    if specific:
        dispatcher.utter_message(
            response=response, filters=bullets(describe(f, lang, names) for f in specific)
        )
    else:
        dispatcher.utter_message(response=f"{response}_all")


class ActionSubscribeAlerts(Action):
    """Subscribe the user to alerts with the filters the message names, and confirm."""

    def name(self) -> str:
        return "action_subscribe_alerts"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = reply_language(tracker)
        try:
            _, outcome = await _change_subscriptions(subscribe, tracker, language=lang)
        except DatabaseUnavailable:
            return apologise(dispatcher, self.name())
        names = outcome.country_names
        _utter_group(dispatcher, "utter_alerts_subscribed", outcome.created, lang, names)
        _utter_group(dispatcher, "utter_alerts_already_subscribed", outcome.already, lang, names)
        return []


class ActionUnsubscribeAlerts(Action):
    """Stop the alerts the message names (or all of them), and confirm."""

    def name(self) -> str:
        return "action_unsubscribe_alerts"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = reply_language(tracker)
        try:
            filters, outcome = await _change_subscriptions(unsubscribe, tracker)
        except DatabaseUnavailable:
            return apologise(dispatcher, self.name())
        specific = [f for f in filters if f.any]
        if outcome.removed == 0:
            dispatcher.utter_message(response="utter_alerts_none_to_remove")
        elif specific:
            dispatcher.utter_message(
                response="utter_alerts_unsubscribed",
                filters=bullets(describe(f, lang, outcome.country_names) for f in specific),
                count=str(outcome.removed),
            )
        else:
            dispatcher.utter_message(
                response="utter_alerts_unsubscribed_all", count=str(outcome.removed)
            )
        return []
