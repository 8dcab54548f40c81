"""Registration to an event (registration_form), the user's registrations and cancelling one."""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Final

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.common import channel_identity, reply_language
from actions.missions import (
    MAX_LISTED,
    all_events,
    event_button,
    event_values,
    latest_entities,
    latest_text,
    listed_slugs,
    names_a_kind_of_event,
    resolve_event,
)
from core import clock
from kb import display
from kb import repositories as repo
from kb.access import DatabaseUnavailable, run_db
from kb.repositories import EventView, RegistrationView
from nlu.normalize import to_ascii_digits
from nlu.vocabulary.canonical import is_sector
from nlu.vocabulary.ordinals import choice_position, ordinal_from_text, pick_listed

logger = logging.getLogger(__name__)

FORM_SLOTS: Final = (
    "event_slug",
    "company_name",
    "ice",
    "contact_name",
    "email",
    "phone",
    "sector",
    "registration_confirmed",
)
#: Slots cleared after the form ends (event_slug is kept: it is the event being discussed).
PERSONAL_SLOTS: Final = FORM_SLOTS[1:]

# --- pure validators ---------------------------------------------------------------------------

_ICE_SEPARATORS_RE: Final = re.compile(r"[\s.\-_/]")
_EMAIL_RE: Final = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}"
)
_LETTER_RE: Final = re.compile(r"[^\W\d_]")
_NAME_FORBIDDEN_RE: Final = re.compile(r"[\d@/\\{}<>#=]")


def normalize_ice(text: str | None) -> str | None:
    """The 15 digits of a valid ICE (checksum checked), or None.

    Arabic-Indic digits and spaces, dots or dashes between digit groups are accepted.
    """
    if not text:
        return None
    from stdnum.ma import ice

    compact = _ICE_SEPARATORS_RE.sub("", to_ascii_digits(str(text)))
    return compact if ice.is_valid(compact) else None


def normalize_phone(text: str | None) -> str | None:
    """The number in E.164 (+212612345678), or None when it is not a valid number.

    Moroccan national numbers (06, 07, 05...) are read with region MA; +212 and 00212 too;
    other countries' numbers need their international prefix.
    """
    if not text:
        return None
    import phonenumbers

    raw = to_ascii_digits(str(text)).strip()
    if not re.search(r"\d", raw) or re.search(r"[A-Za-z\u0600-\u06ff]{2,}", raw):
        return None
    try:
        number = phonenumbers.parse(raw, "MA")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(text: str | None) -> str | None:
    """The lower-cased e-mail address found in the text, or None."""
    if not text:
        return None
    match = _EMAIL_RE.search(str(text).strip())
    return match.group().lower() if match else None


def clean_company_name(text: str | None) -> str | None:
    """A company name: 2 to 120 characters, at least one letter."""
    value = " ".join(str(text or "").split())
    if not 2 <= len(value) <= 120 or not _LETTER_RE.search(value):
        return None
    return value


def clean_person_name(text: str | None) -> str | None:
    """A contact person's name: letters (any script), 2 to 100 characters, no digits."""
    value = " ".join(str(text or "").split())
    if not 2 <= len(value) <= 100 or _NAME_FORBIDDEN_RE.search(value):
        return None
    return value if len(_LETTER_RE.findall(value)) >= 2 else None


def sector_from_text(text: str | None) -> str | None:
    """A canonical sector from a value or a phrase ("agro", "الصناعات الغذائية", "BTP")."""
    if not text:
        return None
    value = str(text).strip()
    if is_sector(value):
        return value
    from nlu.vocabulary.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    found = gazetteer.lookup("sector", value)
    if found:
        return found
    hits = [m.value for m in gazetteer.find_all(value) if m.entity == "sector"]
    return hits[0] if hits else None


# --- database work -----------------------------------------------------------------------------


def _user_id(session: Session, channel: str, user: str, language: str | None = None) -> int:
    return repo.get_or_create_user(
        session, channel=channel, channel_user_id=user, language_hint=language
    ).id


def event_and_registration(
    session: Session, *, slug: str, channel: str, user: str, today: Any
) -> tuple[EventView | None, RegistrationView | None]:
    """The event and the user's active registration to it, if any."""
    event = repo.get_event_by_slug(session, slug=slug, today=today)
    if event is None:
        return None, None
    user_id = _user_id(session, channel, user)
    active = [r for r in repo.list_registrations(session, user_id=user_id) if r.event_slug == slug]
    return event, active[0] if active else None


def register(
    session: Session,
    *,
    channel: str,
    user: str,
    slug: str,
    today: Any,
    details: dict[str, Any],
    language: str | None = None,
) -> tuple[repo.RegistrationOutcome, EventView]:
    """Save the registration (once per user and event) and return it with its event.

    ``language`` (the conversation's reply language) is kept on the user for the reminders.
    """
    user_id = _user_id(session, channel, user, language)
    outcome = repo.create_registration(
        session, event_slug=slug, user_id=user_id, today=today, **details
    )
    event = repo.get_event_by_slug(session, slug=slug, today=today)
    assert event is not None  # create_registration raised NotFoundError otherwise
    return outcome, event


def user_registrations(session: Session, *, channel: str, user: str) -> list[RegistrationView]:
    """The user's active registrations, soonest event first."""
    return repo.list_registrations(session, user_id=_user_id(session, channel, user))


def cancel(session: Session, *, channel: str, user: str, slug: str) -> RegistrationView | None:
    """Cancel the user's registration to the event; None when there was none."""
    return repo.cancel_registration(
        session, user_id=_user_id(session, channel, user), event_slug=slug
    )


def open_events(session: Session, *, today: Any) -> list[EventView]:
    """Upcoming events that take registrations, soonest first."""
    return [e for e in repo.list_events(session, today=today, limit=None) if e.registration_open]


# --- form ------------------------------------------------------------------------------------


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

    def name(self) -> str:
        return "validate_registration_form"

    def domain_slots(self, domain: DomainDict) -> list[str]:
        """The form's questions, in order: FORM_SLOTS, domain.yml's required_slots.

        rasa_sdk reads them from the domain it is sent, but the Rasa server sends its domain
        (104 KB of JSON, mostly responses) only to actions marked `send_domain`: sent on every
        form turn, it cost 0.8 ms to encode there and 0.7 ms to decode here
        (docs/benchmarks.md, profile 6). tests/actions/test_registration.py checks that both
        lists are the same.
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
        picked = pick_listed(listed, ordinal_from_text(text))
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
        resolution = resolve_event(
            text=text, entities=entities, listed=listed_slugs(tracker), events=events
        )
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
            event, existing = await run_db(
                event_and_registration,
                slug=str(value),
                channel=channel,
                user=user,
                today=clock.today(),
            )
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_db_unavailable")
            return {"event_slug": None}
        if event is None:
            dispatcher.utter_message(response="utter_registration_event_unknown")
            return {"event_slug": None}
        if existing is not None:
            dispatcher.utter_message(
                response="utter_registration_already", **event_values(event, lang)
            )
            return {"event_slug": None}
        refusal = _refusal(event)
        if refusal:
            dispatcher.utter_message(response=refusal, **event_values(event, lang))
            return {"event_slug": None}
        return {"event_slug": event.slug}

    async def validate_company_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """2 to 120 characters with a letter."""
        cleaned = clean_company_name(value)
        if cleaned is None:
            dispatcher.utter_message(response="utter_registration_invalid_company_name")
        return {"company_name": cleaned}

    async def validate_ice(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """15 digits with a valid checksum."""
        cleaned = normalize_ice(value)
        if cleaned is None:
            dispatcher.utter_message(response="utter_registration_invalid_ice")
        return {"ice": cleaned}

    async def validate_contact_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A person's name, without digits."""
        cleaned = clean_person_name(value)
        if cleaned is None:
            dispatcher.utter_message(response="utter_registration_invalid_contact_name")
        return {"contact_name": cleaned}

    async def validate_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """name@domain.tld."""
        cleaned = normalize_email(value)
        if cleaned is None:
            dispatcher.utter_message(response="utter_registration_invalid_email")
        return {"email": cleaned}

    async def validate_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A valid number, stored in E.164."""
        cleaned = normalize_phone(value)
        if cleaned is None:
            dispatcher.utter_message(response="utter_registration_invalid_phone")
        return {"phone": cleaned}

    async def validate_sector(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A canonical sector, from the value or the words used."""
        cleaned = sector_from_text(value)
        if cleaned is None:
            dispatcher.utter_message(response="utter_registration_invalid_sector")
        return {"sector": cleaned}


def _asked_before(tracker: Tracker) -> bool:
    """Whether the latest user message answered the form's event question."""
    requested = None
    seen_user = False
    for event in reversed(tracker.events):
        if not seen_user:
            seen_user = event.get("event") == "user"
        elif event.get("event") == "slot" and event.get("name") == "requested_slot":
            requested = event.get("value")
            break
    return requested == "event_slug"


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
        resolution = resolve_event(
            text=latest_text(tracker),
            entities=latest_entities(tracker),
            listed=listed_slugs(tracker),
            events=known,
        )
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
            event = await run_db(repo.get_event_by_slug, slug=slug, today=clock.today())
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
        except (repo.RegistrationClosedError, repo.NotFoundError):
            dispatcher.utter_message(response="utter_registration_not_possible")
            return [SlotSet("event_slug", None), *_clear_personal_slots()]
        values = event_values(event, lang)
        if outcome.created:
            logger.info("registration %s to %s saved", outcome.registration.id, slug)
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


# --- my registrations and cancelling ------------------------------------------------------------


def registration_values(registration: RegistrationView, lang: str) -> dict[str, Any]:
    """Placeholders of the registration responses."""
    return {
        "slug": registration.event_slug,
        "title": registration.event_title.get(lang),
        "dates": display.format_date(registration.event_start_date, lang),
        "company_name": registration.company_name,
    }


class ActionListRegistrations(Action):
    """The user's active registrations, each with a cancel button."""

    def name(self) -> str:
        return "action_list_registrations"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = reply_language(tracker)
        channel, user = channel_identity(tracker)
        try:
            registrations = await run_db(user_registrations, channel=channel, user=user)
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_db_unavailable")
            return []
        if not registrations:
            dispatcher.utter_message(response="utter_registrations_none")
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
    picked = pick_listed(listed, ordinal_from_text(text))
    if picked in by_slug:
        return [by_slug[picked]]
    picked = pick_listed([r.event_slug for r in registrations], ordinal_from_text(text))
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
        channel, user = channel_identity(tracker)
        try:
            registrations = await run_db(user_registrations, channel=channel, user=user)
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_db_unavailable")
            return [SlotSet("cancel_slug", None)]
        if not registrations:
            dispatcher.utter_message(response="utter_registrations_none")
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
