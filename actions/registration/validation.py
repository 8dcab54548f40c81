"""The registration form's validation: the event asked for, then each answer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import channel_identity, reply_language
from actions.event_search import (
    all_events,
    latest_entities,
    latest_text,
    listed_slugs,
    names_a_kind_of_event,
    resolve_message,
)
from actions.missions import event_values
from actions.registration.answers import (
    FORM_SLOTS,
    clean_company_name,
    clean_person_name,
    sector_from_text,
)
from actions.registration.consent import CONSENT_VERSION, accept, language_shown
from actions.registration.database import check_event
from core import clock
from core.redact import user_ref
from kb.access import DatabaseUnavailable, run_db
from kb.views import EventView
from nlu.vocabulary.contacts import normalize_email, normalize_ice, normalize_phone
from nlu.vocabulary.ordinals import choice_position, named_position, pick_listed

logger = logging.getLogger(__name__)


class AnswerCheck:
    """A form's ``validate_<slot>`` method: the answer as ``clean`` returns it; an invalid one
    (None) is said so with ``utter_registration_invalid_<slot>`` and the form asks again."""

    def __init__(self, clean: Callable[[Any], str | None]) -> None:
        self.clean = clean
        self.slot = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = name.removeprefix("validate_")

    async def __call__(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The cleaned answer, or None after saying it is not valid."""
        cleaned = self.clean(value)
        if cleaned is None:
            dispatcher.utter_message(response=f"utter_registration_invalid_{self.slot}")
        return {self.slot: cleaned}


def _refusal(event: EventView) -> str | None:
    """The response refusing a registration to this event, or None when it is open."""
    if event.status == "cancelled":
        return "utter_registration_event_cancelled"
    if event.past or event.ongoing:
        return "utter_registration_event_past"
    if not event.registration_open:
        return "utter_registration_event_closed"
    return None


class ValidateRegistrationForm(FormValidationAction):
    """Resolve the event, then check each answer; invalid ones are asked again."""

    # rasa_sdk calls validate_<slot> for each answer: the function that cleans it says what
    # is valid (answers.py).
    validate_company_name = AnswerCheck(clean_company_name)
    validate_ice = AnswerCheck(normalize_ice)
    validate_contact_name = AnswerCheck(clean_person_name)
    validate_email = AnswerCheck(normalize_email)
    validate_phone = AnswerCheck(normalize_phone)
    validate_sector = AnswerCheck(sector_from_text)

    def name(self) -> str:
        return "validate_registration_form"

    def domain_slots(self, domain: DomainDict) -> list[str]:
        """The form's questions, in order: FORM_SLOTS, domain.yml's required_slots.

        rasa_sdk reads them from the domain it is sent, but the Rasa server sends its domain
        (mostly responses) only to actions marked `send_domain`, and this one is not, so that
        no form turn encodes and decodes it. tests/actions/test_registration.py checks that
        both lists are the same.
        """
        return list(FORM_SLOTS)

    async def extract_event_slug(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The event named in the message ("la deuxième", "celle de Dakar", a button)."""
        if tracker.get_slot("requested_slot") not in (None, "event_slug"):
            return {}
        entities = latest_entities(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        named = entities.get("event_slug") or names_a_kind_of_event(entities)
        if intent == "dont_know" and not named:
            return {}  # "je sais pas" names no event, however loosely it matches a title
        if entities.get("event_slug"):
            return {"event_slug": entities["event_slug"]}
        text = latest_text(tracker)
        listed = listed_slugs(tracker)
        picked = pick_listed(listed, named_position(text))
        if picked:
            return {"event_slug": picked}
        if len(listed) >= 2 and choice_position(text) is not None:
            # "8" under four events: how many there are, then the question again.
            dispatcher.utter_message(response="utter_choice_beyond_list", choice_count=len(listed))
            return {"event_slug": None}
        if not names_a_kind_of_event(entities) and not text:
            return {}
        try:
            events = await run_db(all_events, today=clock.today())
        except DatabaseUnavailable:
            return {}
        resolution = resolve_message(tracker, events)
        if resolution.event is not None:
            return {"event_slug": resolution.event.slug}
        if resolution.past and not resolution.candidates:
            return {"event_slug": resolution.past[0].slug}  # refused with a reason below
        return {}

    async def validate_event_slug(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Refuse unknown, past, cancelled and closed events and second registrations."""
        if not value:
            return {"event_slug": None}
        lang = reply_language(tracker)
        channel, user = channel_identity(tracker)
        try:
            check = await run_db(
                check_event, slug=str(value), channel=channel, user=user, today=clock.today()
            )
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_db_unavailable")
            return {"event_slug": None}
        event = check.event
        if event is None:
            dispatcher.utter_message(response="utter_registration_event_unknown")
            return {"event_slug": None}
        if check.registration is not None:
            dispatcher.utter_message(
                response="utter_registration_already", **event_values(event, lang)
            )
            return {"event_slug": None}
        refusal = _refusal(event)
        if refusal:
            dispatcher.utter_message(response=refusal, **event_values(event, lang))
            return {"event_slug": None}
        if check.consented:
            # The current consent text was accepted before: not asked again.
            return {"event_slug": event.slug, "consent": True}
        return {"event_slug": event.slug}

    async def validate_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """An acceptance is recorded (which text, when, in which language) before the form
        asks anything personal; a refusal (no, "je sais pas") ends the form (required_slots)."""
        if value is not True:
            return {"consent": False if value is False else None}
        channel, user = channel_identity(tracker)
        try:
            await run_db(accept, channel=channel, user=user, language=language_shown(tracker))
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_db_unavailable")
            return {"consent": None}  # asked again
        logger.info("consent %s recorded for %s", CONSENT_VERSION, user_ref(tracker.sender_id))
        return {"consent": True}

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """Every question; after a refused consent none is left, so the form ends there and
        action_submit_registration says that nothing was stored."""
        if tracker.get_slot("consent") is False:
            return domain_slots[: domain_slots.index("consent") + 1]
        return domain_slots
