"""Wording of the staff alerts about handoffs (e-mail and staff chat) in French, Arabic and
English: the region, the member's language and channel, since when they wait, a link to the
console; never the member's phone, e-mail, name or messages."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from core.settings import TIMEZONE
from kb.handoff_alerts import HandoffAlert

SUBJECT: Final = {
    "new": {
        "fr": "ASMEX : nouvelle demande de contact n°{id} ({region})",
        "ar": "ASMEX: طلب تواصل جديد رقم {id} ({region})",
        "en": "ASMEX: new contact request #{id} ({region})",
    },
    "escalation": {
        "fr": "ASMEX : demande n°{id} sans réponse depuis {minutes} min ({region})",
        "ar": "ASMEX: الطلب رقم {id} دون رد منذ {minutes} دقيقة ({region})",
        "en": "ASMEX: request #{id} unanswered for {minutes} min ({region})",
    },
}
INTRO: Final = {
    "new": {
        "fr": "Un membre demande à parler à une personne de l'ASMEX.",
        "ar": "عضو يطلب التحدث إلى شخص من ASMEX.",
        "en": "A member asks to talk to a person at ASMEX.",
    },
    "escalation": {
        "fr": "Personne n'a encore pris cette demande : elle est transmise au siège.",
        "ar": "لم يتكفل أحد بهذا الطلب بعد: تمت إحالته إلى المقر.",
        "en": "Nobody has taken this request yet: it is passed on to the head office.",
    },
}
LABELS: Final = {
    "region": {"fr": "Région", "ar": "الجهة", "en": "Region"},
    "language": {"fr": "Langue du membre", "ar": "لغة العضو", "en": "Member's language"},
    "channel": {"fr": "Canal", "ar": "القناة", "en": "Channel"},
    "since": {"fr": "En attente depuis", "ar": "في الانتظار منذ", "en": "Waiting since"},
    "open": {
        "fr": "Ouvrir dans la console",
        "ar": "افتحه في لوحة التحكم",
        "en": "Open it in the console",
    },
}
NO_REGION: Final = {"fr": "région inconnue", "ar": "جهة غير معروفة", "en": "unknown region"}
LANGUAGE_NAMES: Final = {
    "fr": {"fr": "français", "ar": "arabe", "en": "anglais"},
    "ar": {"fr": "الفرنسية", "ar": "العربية", "en": "الإنجليزية"},
    "en": {"fr": "French", "ar": "Arabic", "en": "English"},
}
CHANNEL_NAMES: Final = {
    "telegram": "Telegram",
    "whatsapp": "WhatsApp",
    "twilio": "WhatsApp (Twilio)",
    "rest": "REST",
}


def _pick(table: dict[str, str], language: str) -> str:
    return table.get(language) or table["fr"]


def region_label(alert: HandoffAlert, language: str) -> str:
    """The region's name in ``language`` (its code when unknown to the knowledge base)."""
    if alert.region_name is not None:
        return alert.region_name.get(language)
    return alert.region or _pick(NO_REGION, language)


def waiting_since(moment: datetime) -> str:
    """A moment as staff in Morocco read it: ``2026-01-15 10:00 (Africa/Casablanca)``."""
    return f"{moment.astimezone(TIMEZONE):%Y-%m-%d %H:%M} (Africa/Casablanca)"


def subject(alert: HandoffAlert, *, kind: str, language: str, minutes: int) -> str:
    """The e-mail's subject line."""
    return _pick(SUBJECT[kind], language).format(
        id=alert.handoff_id, region=region_label(alert, language), minutes=minutes
    )


def body(alert: HandoffAlert, *, kind: str, language: str, link: str) -> str:
    """The alert's text (the e-mail's body, the staff chat's message)."""
    rows = [
        (LABELS["region"], region_label(alert, language)),
        (LABELS["language"], _pick(LANGUAGE_NAMES[language], alert.language)),
        (LABELS["channel"], CHANNEL_NAMES.get(alert.channel, alert.channel or "REST")),
        (LABELS["since"], waiting_since(alert.created_at)),
    ]
    lines = [_pick(INTRO[kind], language), ""]
    colon = " : " if language == "fr" else ": "
    lines += [f"{_pick(label, language)}{colon}{value}" for label, value in rows]
    lines += ["", f"{_pick(LABELS['open'], language)}{colon}{link}"]
    return "\n".join(lines)
