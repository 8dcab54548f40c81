"""The registration form's actions: which event, the summary to confirm, submitting, stopping."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import channel_identity, reply_language, slot_before_latest_message
from actions.event_search import MAX_LISTED, all_events, listed_slugs, resolve_message
from actions.missions import event_button, event_values
from actions.registration.answers import FORM_SLOTS, PERSONAL_SLOTS
from actions.registration.database import open_events, register
from core import clock
from core.redact import user_ref
from kb import display
from kb.access import DatabaseUnavailable, run_db
from kb.events import get_event_by_slug
from kb.registrations import ConsentRequiredError
from kb.views import NotFoundError, RegistrationClosedError

logger = logging.getLogger(__name__)


def _asked_before(tracker: Tracker) -> bool:
    """Whether the latest user message answered the form's event question."""
    return slot_before_latest_message(tracker, "requested_slot") == "event_slug"


class ActionAskEventSlug(Action):
    """Ask which event: buttons of the matching (or all) events open to registration."""

    def name(self) -> str:
        return "action_ask_event_slug"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = reply_language(tracker)
        today = clock.today()
        try:
            events = await run_db(open_events, today=today)
            known = await run_db(all_events, today=today)
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_db_unavailable")
            return []
        resolution = resolve_message(tracker, known)
        open_events_by_slug = {e.slug: e for e in events}
        candidates = [e for e in resolution.candidates if e.slug in open_events_by_slug]
        if not candidates and _asked_before(tracker):
            # An answer naming no event ("euh", a rephrase): the same choices again, not others.
            shown = (open_events_by_slug.get(slug) for slug in listed_slugs(tracker))
            candidates = [e for e in shown if e is not None]
        candidates = (candidates or events)[:MAX_LISTED]
        if not candidates:
            dispatcher.utter_message(response="utter_registration_no_open_event")
            return []
        dispatcher.utter_message(
            response="utter_ask_event_slug",
            buttons=[event_button(e, lang, "register_mission") for e in candidates],
        )
        return [SlotSet("listed_events", [e.slug for e in candidates])]


class ActionAskRegistrationConfirmed(Action):
    """Show the summary of the registration and ask to confirm it."""

    def name(self) -> str:
        return "action_ask_registration_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = reply_language(tracker)
        slug = tracker.get_slot("event_slug")
        try:
            event = await run_db(get_event_by_slug, slug=slug, today=clock.today())
        except DatabaseUnavailable:
            event = None
        title = event.title.get(lang) if event else slug
        dates = display.format_period(event.start_date, event.end_date, lang) if event else ""
        dispatcher.utter_message(
            response="utter_ask_registration_confirmed",
            title=title,
            dates=dates,
            sector_label=display.sector_name(tracker.get_slot("sector") or "", lang),
        )
        return []


def _details(tracker: Tracker) -> dict[str, Any]:
    return {
        "company_name": tracker.get_slot("company_name"),
        "ice": tracker.get_slot("ice"),
        "contact_name": tracker.get_slot("contact_name"),
        "email": tracker.get_slot("email"),
        "phone": tracker.get_slot("phone"),
        "sector": tracker.get_slot("sector"),
    }


def _clear_personal_slots() -> list[EventType]:
    return [SlotSet(slot, None) for slot in PERSONAL_SLOTS]


class ActionSubmitRegistration(Action):
    """Save the confirmed registration once and give the registration link."""

    def name(self) -> str:
        return "action_submit_registration"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = reply_language(tracker)
        if tracker.get_slot("consent") is not True:
            dispatcher.utter_message(response="utter_consent_refused")
            return _clear_personal_slots()
        if not tracker.get_slot("registration_confirmed"):
            dispatcher.utter_message(response="utter_registration_cancelled")
            return _clear_personal_slots()
        channel, user = channel_identity(tracker)
        slug = str(tracker.get_slot("event_slug"))
        try:
            outcome, event = await run_db(
                register,
                channel=channel,
                user=user,
                slug=slug,
                today=clock.today(),
                details=_details(tracker),
                language=reply_language(tracker),
            )
        except DatabaseUnavailable:
            # Keep every answer; the form asks for the confirmation again.
            dispatcher.utter_message(response="utter_db_unavailable")
            return [SlotSet("registration_confirmed", None), FollowupAction("registration_form")]
        except ConsentRequiredError:
            # No consent on record (erased meanwhile): the form asks for it, then the summary.
            return [
                SlotSet("consent", None),
                SlotSet("registration_confirmed", None),
                FollowupAction("registration_form"),
            ]
        except (RegistrationClosedError, NotFoundError):
            dispatcher.utter_message(response="utter_registration_not_possible")
            return [SlotSet("event_slug", None), *_clear_personal_slots()]
        values = event_values(event, lang)
        if outcome.created:
            logger.info(
                "registration %s to %s saved for %s",
                outcome.registration.id,
                slug,
                user_ref(tracker.sender_id),
            )
            dispatcher.utter_message(response="utter_registration_done", **values)
        else:
            dispatcher.utter_message(response="utter_registration_already", **values)
        return _clear_personal_slots()


class ActionStopRegistration(Action):
    """The user stopped the form: nothing is saved, the answers are forgotten."""

    def name(self) -> str:
        return "action_stop_registration"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_registration_stopped")
        return [SlotSet("requested_slot", None), *_clear_personal_slots()]


class ActionRegistrationDontKnow(Action):
    """ "Je sais pas" during the form: what the current question asks for; the form then asks it
    again (for the event, with the buttons of the events open to registration)."""

    def name(self) -> str:
        return "action_registration_dont_know"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        slot = tracker.get_slot("requested_slot")
        if slot in FORM_SLOTS:
            dispatcher.utter_message(response=f"utter_dont_know_{slot}")
        return []
