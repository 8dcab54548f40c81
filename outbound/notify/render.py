"""An alert, a reminder or a registration's status notice as the message a user receives:
text in their language, a button to see the event, and the WhatsApp template that carries it
outside the 24-hour window.

The wording lives in outbound/notify/texts.py; dates, places and types come from kb.display.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Final

from kb import display
from kb.notifications import ALERT, STATUS_KINDS, DueNotification
from outbound.message import Button, OutboundMessage, TemplateCall
from outbound.notify import texts

#: The intent and entity of the event details action (domain.yml, actions/missions.py).
DETAILS_INTENT: Final = "ask_mission_details"
#: WhatsApp templates (to be approved in Meta's manager) for messages outside the 24-hour window.
ALERT_TEMPLATE: Final = "asmex_event_alert"  # parameters: title, type, place, dates
REMINDER_TEMPLATE: Final = "asmex_event_reminder"  # parameters: title, when, dates, place
STATUS_TEMPLATE: Final = "asmex_registration_status"  # parameters: title, status, dates


def details_payload(slug: str) -> str:
    """The button payload that opens the event's details: Rasa's ``/intent{json}`` shortcut."""
    return f"/{DETAILS_INTENT}{json.dumps({'event_slug': slug})}"


def alert_text(due: DueNotification) -> str:
    """The alert for a new event, in the user's language."""
    lang, event = due.language, due.event
    parts = [texts.ALERT[lang].format(**_values(due))]
    if event.registration_deadline:
        deadline = display.format_date(event.registration_deadline, lang)
        parts.append(texts.DEADLINE[lang].format(deadline=deadline))
    if event.sample:
        parts.append(texts.SAMPLE[lang])
    parts.append(texts.STOP_ALERTS[lang])
    return "\n".join(parts)


def reminder_text(due: DueNotification) -> str:
    """The reminder of a registered event, in the user's language."""
    text = texts.REMINDER[due.language].format(**_values(due))
    return f"{text}\n{texts.SAMPLE[due.language]}" if due.event.sample else text


def status_of(due: DueNotification) -> str:
    """The registration status a status notice tells (``registration_<status>``)."""
    return due.kind.removeprefix("registration_")


def status_text(due: DueNotification) -> str:
    """The notice of a registration's new status, in the user's language."""
    text = texts.REGISTRATION_STATUS[status_of(due)][due.language].format(**_values(due))
    return f"{text}\n{texts.SAMPLE[due.language]}" if due.event.sample else text


def _values(due: DueNotification) -> dict[str, str]:
    lang, event = due.language, due.event
    return {
        "title": event.title.get(lang),
        "type": display.event_type_name(event.type, lang).capitalize(),
        "place": display.place(event.city, event.country, event.type, lang),
        "dates": display.format_period(event.start_date, event.end_date, lang),
        "when": texts.in_days(due.days_left, lang),
    }


def render(due: DueNotification) -> OutboundMessage:
    """The message for one due notification, with a button to see the event."""
    lang = texts.lang_or_default(due.language)
    if lang != due.language:
        due = replace(due, language=lang)
    values = _values(due)
    if due.kind == ALERT:
        text = alert_text(due)
        parameters = (values["title"], values["type"], values["place"], values["dates"])
        template = TemplateCall(ALERT_TEMPLATE, lang, parameters)
    elif due.kind in STATUS_KINDS:
        text = status_text(due)
        word = texts.STATUS_WORD[status_of(due)][lang]
        template = TemplateCall(STATUS_TEMPLATE, lang, (values["title"], word, values["dates"]))
    else:
        text = reminder_text(due)
        parameters = (values["title"], values["when"], values["dates"], values["place"])
        template = TemplateCall(REMINDER_TEMPLATE, lang, parameters)
    return OutboundMessage(
        recipient=due.channel_user_id,
        text=text,
        language=lang,
        buttons=(Button(texts.SEE_EVENT[lang], details_payload(due.event.slug)),),
        last_inbound_at=due.last_inbound_at,
        template=template,
        key=due.key,
    )
