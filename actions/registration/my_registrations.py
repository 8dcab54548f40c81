"""The user's registrations ("my registrations") and cancelling one."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import channel_identity, reply_language
from actions.event_search import latest_entities, latest_text, listed_slugs
from actions.registration.database import cancel, user_registrations
from kb import display
from kb.access import DatabaseUnavailable, run_db
from kb.views import RegistrationView
from nlu.vocabulary.ordinals import named_position, pick_listed


def registration_values(registration: RegistrationView, lang: str) -> dict[str, Any]:
    """Placeholders of the registration responses."""
    return {
        "slug": registration.event_slug,
        "title": registration.event_title.get(lang),
        "dates": display.format_date(registration.event_start_date, lang),
        "company_name": registration.company_name,
    }


async def _registrations_or_why_not(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[RegistrationView]:
    """The user's active registrations; when there are none to show, says why (none, or the
    database failed) and returns an empty list."""
    channel, user = channel_identity(tracker)
    try:
        registrations = await run_db(user_registrations, channel=channel, user=user)
    except DatabaseUnavailable:
        dispatcher.utter_message(response="utter_db_unavailable")
        return []
    if not registrations:
        dispatcher.utter_message(response="utter_registrations_none")
    return registrations


class ActionListRegistrations(Action):
    """The user's active registrations, each with a cancel button."""

    def name(self) -> str:
        return "action_list_registrations"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = reply_language(tracker)
        registrations = await _registrations_or_why_not(dispatcher, tracker)
        if not registrations:
            return []
        dispatcher.utter_message(response="utter_registrations_found", count=len(registrations))
        for registration in registrations:
            dispatcher.utter_message(
                response="utter_registrations_item", **registration_values(registration, lang)
            )
        return [SlotSet("listed_events", [r.event_slug for r in registrations])]


def choose_registration(
    registrations: list[RegistrationView],
    *,
    text: str,
    entities: dict[str, str],
    listed: list[str],
) -> list[RegistrationView]:
    """The registrations a cancel request may mean (one when it is clear)."""
    if len(registrations) <= 1:
        return registrations
    by_slug = {r.event_slug: r for r in registrations}
    if entities.get("event_slug") in by_slug:
        return [by_slug[entities["event_slug"]]]
    picked = pick_listed(listed, named_position(text))
    if picked in by_slug:
        return [by_slug[picked]]
    picked = pick_listed([r.event_slug for r in registrations], named_position(text))
    if picked in by_slug:
        return [by_slug[picked]]
    return registrations


class ActionCancelRegistrationStart(Action):
    """Find which registration to cancel and ask for confirmation."""

    def name(self) -> str:
        return "action_cancel_registration_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = reply_language(tracker)
        registrations = await _registrations_or_why_not(dispatcher, tracker)
        if not registrations:
            return [SlotSet("cancel_slug", None)]
        chosen = choose_registration(
            registrations,
            text=latest_text(tracker),
            entities=latest_entities(tracker),
            listed=listed_slugs(tracker),
        )
        if len(chosen) > 1:
            buttons = [
                {
                    "title": f"{r.event_title.get(lang)} "
                    f"({display.format_date(r.event_start_date, lang)})",
                    "payload": "/cancel_registration" + json.dumps({"event_slug": r.event_slug}),
                }
                for r in chosen
            ]
            dispatcher.utter_message(response="utter_cancel_which", buttons=buttons)
            return [
                SlotSet("cancel_slug", None),
                SlotSet("listed_events", [r.event_slug for r in chosen]),
            ]
        registration = chosen[0]
        dispatcher.utter_message(
            response="utter_cancel_confirm", **registration_values(registration, lang)
        )
        return [SlotSet("cancel_slug", registration.event_slug)]


class ActionCancelRegistrationConfirm(Action):
    """Cancel the registration the user confirmed."""

    def name(self) -> str:
        return "action_cancel_registration_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = reply_language(tracker)
        slug = tracker.get_slot("cancel_slug")
        if not slug:
            dispatcher.utter_message(response="utter_registrations_none")
            return []
        channel, user = channel_identity(tracker)
        try:
            cancelled = await run_db(cancel, channel=channel, user=user, slug=str(slug))
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_db_unavailable")
            return []  # cancel_slug kept: "oui" again retries
        if cancelled is None:
            dispatcher.utter_message(response="utter_cancel_not_found")
        else:
            dispatcher.utter_message(
                response="utter_cancel_done", **registration_values(cancelled, lang)
            )
        return [SlotSet("cancel_slug", None)]


class ActionCancelRegistrationKeep(Action):
    """The user did not confirm: the registration is kept."""

    def name(self) -> str:
        return "action_cancel_registration_keep"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_cancel_kept")
        return [SlotSet("cancel_slug", None)]
