"""Right of access (law 09-08): "send me my data" answers, on the member's channel and in their
language, with everything the assistant holds about them, and about nobody else."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Final

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.alerts import Filters, describe
from actions.common import apologise, channel_identity, reply_language
from core import settings
from core.redact import user_ref
from kb import display
from kb.access import DatabaseUnavailable, run_db
from kb.alerts import list_alert_subscriptions
from kb.handoff_live import MEMBER_BACK_TO_BOT
from kb.registrations import list_registrations
from kb.services import get_region
from kb.users import HandoffRequest, UserRecord, find_user_record, user_handoffs
from kb.views import AlertSubscriptionView, RegistrationView, Texts
from nlu.normalize import normalize_text

logger = logging.getLogger(__name__)

#: Channels by the name members know them by.
CHANNEL_NAMES: Final = {
    "telegram": "Telegram",
    "whatsapp": "WhatsApp",
    "twilio_whatsapp": "WhatsApp",
    "rest": "web (REST)",
}

#: A request not to send ("ne m'envoyez pas mes données", "don't send me my data",
#: "لا ترسل لي بياناتي", "ما تصيفطش ليا المعلومات", "ma tsiftch liya les donnees"), read on
#: text normalised by nlu.normalize (lower case, no accents, bare alef). The negation must
#: bear on sending, showing or wanting: "je ne sais pas ce que vous avez, envoyez-le" asks.
_DECLINE_PATTERNS: Final = (
    # French: ne/n' ... (envoyer, transmettre, montrer, donner, vouloir...) ... pas/rien/jamais
    r"\bn(?:e\b|')\s*(?:[\w']+\s+){0,3}?[\w']*(?:envo|transm|montr|donn|communiq|affich"
    r"|partag|veu|voul|souhait)\w*\s+(?:pas|jamais|rien|plus)\b",
    r"\b(?:pas|plus)\s+(?:besoin|la peine)\b|\bsurtout\s+pas\b",
    # English: don't / do not / never / no need to (send, show, give, want...)
    r"\b(?:don'?t|do\s+not|never|no\s+need\s+to)\s+(?:\w+\s+){0,2}?"
    r"(?:send|show|give|share|want|need|mail|email|display|forward)\b",
    # Arabic: لا / لن / لم / لست, then (ترسل، ارسل، تبعث، تعرض، تعط، اريد، ارغب، اطلب، حاجة،
    # داعي، بحاجة)
    "(?:^|\\s)(?:\u0644\u0627|\u0644\u0646|\u0644\u0645|\u0644\u0633\u062a)\\s+(?:\\S+\\s+)?(?:\u062a?\u0631\u0633\u0644"
    "|\u0627\u0631\u0633\u0644|\u062a\u0628\u0639\u062b|\u062a\u0639\u0631\u0636|\u062a\u0639\u0637"
    "|\u0627\u0631\u064a\u062f|\u0627\u0631\u063a\u0628|\u0627\u0637\u0644\u0628|\u062d\u0627\u062c"
    "|\u062f\u0627\u0639|\u0628\u062d\u0627\u062c)",
    # Darija, Arabic script: ما...ش around (صيفط، سيفط، رسل، بعث، عط، ور، بغي، خاص), ماشي ضروري
    "(?:^|\\s)\u0645\u0627\\s?\\S*(?:\u0635\u064a\u0641\u0637|\u0633\u064a\u0641\u0637|\u0631\u0633\u0644"
    "|\u0628\u0639\u062b|\u0639\u0637|\u0648\u0631|\u0628\u063a\u064a|\u062e\u0627\u0635)\\S*\u0634(?:\\s|$)",
    "(?:^|\\s)\u0645\u0627\u0634\u064a\\s+\u0636\u0631\u0648\u0631\u064a",
    # Darija, Latin script: ma...ch around (sift, rsel, b3at, 3ti, wri, bghi, khas), machi daruri
    r"\bma\s?\w*(?:sift|seft|sayft|rsl|rsel|b3at|b3t|3ti|3at|wri|werr|bghi|khas)\w*(?:ch|sh)\b",
    r"\bmachi\s+(?:daruri|darori|dharori|mohim)\b",
)
_DECLINE_RES: Final = tuple(re.compile(pattern) for pattern in _DECLINE_PATTERNS)


def declines(text: str) -> bool:
    """Whether the message asks *not* to be sent their data."""
    normalised = normalize_text(text)
    return any(pattern.search(normalised) for pattern in _DECLINE_RES)


# --- database work (run in a worker thread by run_db) ---------------------------------------


@dataclass(frozen=True)
class HeldData:
    """Everything the knowledge base holds about one person on one channel."""

    user: UserRecord
    registrations: list[RegistrationView]
    subscriptions: list[AlertSubscriptionView]
    handoffs: list[HandoffRequest]
    region_names: dict[str, Texts]


def held_data(session: Session, *, channel: str, user: str) -> HeldData | None:
    """What is held about this channel identity, or None when nothing is (none is created)."""
    record = find_user_record(session, channel=channel, channel_user_id=user)
    if record is None:
        return None
    handoffs = user_handoffs(session, user_id=record.id)
    regions = {code for code in (record.region, *(h.region for h in handoffs)) if code}
    found = {code: get_region(session, code=code) for code in regions}
    return HeldData(
        user=record,
        registrations=list_registrations(session, user_id=record.id, include_cancelled=True),
        subscriptions=list_alert_subscriptions(session, user_id=record.id),
        handoffs=handoffs,
        region_names={code: region.name for code, region in found.items() if region},
    )


# --- the report --------------------------------------------------------------------------------


def _day(moment: datetime | date | None, lang: str) -> str:
    """A stored time as a date in Morocco ("12 novembre 2026"), or "—"."""
    if moment is None:
        return display.NONE
    if isinstance(moment, datetime):
        aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
        moment = aware.astimezone(settings.TIMEZONE).date()
    return display.format_date(moment, lang)


def _value(value: str | None) -> str:
    return value or display.NONE


def profile_values(
    user: UserRecord, lang: str, names: dict[str, Texts] | None = None
) -> dict[str, str]:
    """Placeholders of utter_my_data_profile."""
    if user.language in display.LABELS:
        language = display.label(user.language, lang)
    elif user.language_hint in ("fr", "ar", "en"):
        language = f"{display.label(user.language_hint, lang)} ({display.label('detected', lang)})"
    else:
        language = display.label("detected", lang)
    return {
        "channel": CHANNEL_NAMES.get(user.channel, user.channel),
        "since": _day(user.created_at, lang),
        "language": language,
        "region": _region_name(user.region, names or {}, lang),
    }


def _region_name(code: str | None, names: dict[str, Texts], lang: str) -> str:
    found = names.get(code or "")
    return found.get(lang) if found else (code or display.NONE)


def registration_values(registration: RegistrationView, lang: str) -> dict[str, str]:
    """Placeholders of utter_my_data_registration: every field the registration holds."""
    return {
        "title": registration.event_title.get(lang),
        "dates": display.format_date(registration.event_start_date, lang),
        "company_name": _value(registration.company_name),
        "ice": _value(registration.ice),
        "contact_name": _value(registration.contact_name),
        "email": _value(registration.email),
        "phone": _value(registration.phone),
        "sector": display.sector_name(registration.sector, lang)
        if registration.sector
        else display.NONE,
        "status": display.label(registration.status, lang)
        if registration.status in display.LABELS
        else registration.status,
        "registered_on": _day(registration.created_at, lang),
    }


def alert_lines(subscriptions: list[AlertSubscriptionView], lang: str) -> str:
    """One bullet per alert subscription ("Kenya · agroalimentaire"; no filter: all events)."""
    lines = []
    for s in subscriptions:
        filters = Filters(s.country, s.sector, s.event_type)
        lines.append(
            describe(filters, lang, {}) if filters.any else display.label("all_events", lang)
        )
    return display.bullets(lines)


def handoff_values(handoff: HandoffRequest, names: dict[str, Texts], lang: str) -> dict[str, str]:
    """Placeholders of utter_my_data_handoff."""
    region = names.get(handoff.region or "")
    return {
        "date": _day(handoff.created_at, lang),
        "routed_to": region.get(lang) if region else display.label("head_office", lang),
        "status": display.label(handoff.status, lang)
        if handoff.status in display.LABELS
        else handoff.status,
        "messages": str(handoff.messages_kept),
        "contact": _value(handoff.contact),
        "rating": f"{handoff.rating}/5" if handoff.rating else display.NONE,
    }


#: Who wrote a transcript line, as the member reads it.
SPEAKERS: Final[dict[str, Texts]] = {
    "member": Texts(fr="vous", ar="أنت", en="you"),
    "staff": Texts(fr="conseiller ASMEX", ar="مستشار ASMEX", en="ASMEX adviser"),
    "system": Texts(fr="message automatique", ar="رسالة آلية", en="automatic message"),
}


#: The transcript's notes for staff (kb.handoff_live.STAFF_NOTES), as the member reads them.
NOTES: Final[dict[str, Texts]] = {
    MEMBER_BACK_TO_BOT: Texts(
        fr="vous êtes revenu à l'assistant",
        ar="عدت إلى المساعد الآلي",
        en="you went back to the assistant",
    ),
}


def transcript_lines(handoff: HandoffRequest, lang: str) -> str:
    """The conversation with the adviser, one bullet per line ("12/11 14:03 · vous : ...");
    staff are named by their role only, staff notes are in the member's language."""
    lines = []
    for direction, text, moment in handoff.transcript:
        local = moment.astimezone(settings.TIMEZONE)
        speaker = SPEAKERS.get(direction, SPEAKERS["system"]).get(lang)
        note = NOTES.get(text) if direction == "system" else None
        lines.append(f"{local:%d/%m %H:%M} · {speaker} : {note.get(lang) if note else text}")
    return display.bullets(lines)


def send_report(dispatcher: CollectingDispatcher, data: HeldData, lang: str) -> None:
    """The held data, one message per part: profile, consent, registrations, alerts, requests."""
    profile = profile_values(data.user, lang, data.region_names)
    dispatcher.utter_message(response="utter_my_data_profile", **profile)
    consent = data.user.consent
    if consent is None:
        dispatcher.utter_message(response="utter_my_data_consent_none")
    else:
        dispatcher.utter_message(
            response="utter_my_data_consent",
            date=_day(consent.accepted_at, lang),
            version=consent.version,
            consent_language=display.label(consent.language, lang)
            if consent.language in display.LABELS
            else display.NONE,
        )
    if not data.registrations:
        dispatcher.utter_message(response="utter_my_data_registrations_none")
    else:
        count = str(len(data.registrations))
        dispatcher.utter_message(response="utter_my_data_registrations", count=count)
        for registration in data.registrations:
            values = registration_values(registration, lang)
            dispatcher.utter_message(response="utter_my_data_registration", **values)
    if not data.subscriptions:
        dispatcher.utter_message(response="utter_my_data_alerts_none")
    else:
        dispatcher.utter_message(
            response="utter_my_data_alerts",
            count=str(len(data.subscriptions)),
            alerts=alert_lines(data.subscriptions, lang),
        )
    if not data.handoffs:
        dispatcher.utter_message(response="utter_my_data_handoffs_none")
    for handoff in data.handoffs:
        values = handoff_values(handoff, data.region_names, lang)
        dispatcher.utter_message(response="utter_my_data_handoff", **values)
        if handoff.transcript:
            lines = transcript_lines(handoff, lang)
            dispatcher.utter_message(response="utter_my_data_transcript", lines=lines)
    dispatcher.utter_message(response="utter_my_data_end")


class ActionSendMyData(Action):
    """Send the member what the assistant holds about them (their channel identity only)."""

    def name(self) -> str:
        return "action_send_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if declines(str(tracker.latest_message.get("text") or "")):
            dispatcher.utter_message(response="utter_my_data_not_sent")
            return []
        channel, user = channel_identity(tracker)
        try:
            data = await run_db(held_data, channel=channel, user=user)
        except DatabaseUnavailable:
            return apologise(dispatcher, self.name())
        if data is None:
            dispatcher.utter_message(response="utter_my_data_nothing")
        else:
            send_report(dispatcher, data, reply_language(tracker))
        logger.info("right of access: data held sent to %s", user_ref(tracker.sender_id))
        return []
