"""Wording of the proactive messages (alerts, reminders, registration status notices) in
French, Arabic and English.

Replies in a conversation live in domain.yml; these messages are sent outside any conversation,
so their wording lives here. Values (dates, places, types) are rendered by kb.display.
"""

from __future__ import annotations

from typing import Final

from nlu.vocabulary.canonical import DEFAULT_LANGUAGE, REPLY_LANGUAGES

ALERT: Final[dict[str, str]] = {
    "fr": "🔔 Nouvel événement ASMEX pour vos alertes :\n{title}\n{type} · {place}\n📅 {dates}",
    "ar": "🔔 حدث جديد من ASMEX يوافق تنبيهاتك:\n{title}\n{type} · {place}\n📅 {dates}",
    "en": "🔔 New ASMEX event matching your alerts:\n{title}\n{type} · {place}\n📅 {dates}",
}

DEADLINE: Final[dict[str, str]] = {
    "fr": "Inscriptions jusqu'au {deadline}.",
    "ar": "آخر أجل للتسجيل: {deadline}.",
    "en": "Registration closes on {deadline}.",
}

#: The same notice as the domain's utter_mission_sample_notice.
SAMPLE: Final[dict[str, str]] = {
    "fr": (
        "🧪 Attention : cet événement est un EXEMPLE de démonstration, pas une annonce de l'ASMEX."
    ),
    "ar": "🧪 تنبيه: هذا الحدث مثال تجريبي للعرض فقط، وليس إعلانا صادرا عن ASMEX.",
    "en": "🧪 Note: this event is a demo SAMPLE, not an ASMEX announcement.",
}

#: How to stop alerts: phrases the NLU knows as unsubscribe_alerts.
STOP_ALERTS: Final[dict[str, str]] = {
    "fr": "Pour ne plus recevoir d'alertes, écrivez « stop alertes ».",
    "ar": "لإيقاف التنبيهات، اكتب «أوقف التنبيهات».",
    "en": "To stop alerts, write “stop alerts”.",
}

REMINDER: Final[dict[str, str]] = {
    "fr": "⏰ Rappel de votre inscription : « {title} » commence {when} ({dates}), {place}.",
    "ar": "⏰ تذكير بتسجيلك: يبدأ «{title}» {when} ({dates})، {place}.",
    "en": "⏰ Reminder of your registration: “{title}” starts {when} ({dates}), {place}.",
}

#: A registration's new status, set by staff (console), per status then language.
REGISTRATION_STATUS: Final[dict[str, dict[str, str]]] = {
    "confirmed": {
        "fr": "✅ Votre inscription à « {title} » ({dates}, {place}) est confirmée.",
        "ar": "✅ تم تأكيد تسجيلك في «{title}» ({dates}، {place}).",
        "en": "✅ Your registration for “{title}” ({dates}, {place}) is confirmed.",
    },
    "waitlisted": {
        "fr": "⏳ Votre inscription à « {title} » ({dates}) est sur liste d'attente. "
        "Nous vous écrirons si une place se libère.",
        "ar": "⏳ تسجيلك في «{title}» ({dates}) في لائحة الانتظار. سنراسلك إذا توفر مكان.",
        "en": "⏳ Your registration for “{title}” ({dates}) is on the waiting list. "
        "We will write to you if a place opens up.",
    },
    "cancelled": {
        "fr": "❌ Votre inscription à « {title} » ({dates}) a été annulée par l'ASMEX.",
        "ar": "❌ ألغت ASMEX تسجيلك في «{title}» ({dates}).",
        "en": "❌ Your registration for “{title}” ({dates}) was cancelled by ASMEX.",
    },
}

#: The status as one word, for the WhatsApp template outside the 24-hour window.
STATUS_WORD: Final[dict[str, dict[str, str]]] = {
    "confirmed": {"fr": "confirmée", "ar": "مؤكَّد", "en": "confirmed"},
    "waitlisted": {"fr": "sur liste d'attente", "ar": "في لائحة الانتظار", "en": "waitlisted"},
    "cancelled": {"fr": "annulée", "ar": "ملغى", "en": "cancelled"},
}

SEE_EVENT: Final[dict[str, str]] = {
    "fr": "Voir l'événement",
    "ar": "عرض الحدث",
    "en": "See the event",
}


def lang_or_default(lang: str | None) -> str:
    """``lang`` when it is a reply language, else French."""
    return lang if lang in REPLY_LANGUAGES else DEFAULT_LANGUAGE  # type: ignore[return-value]


def in_days(days: int, lang: str) -> str:
    """ "demain" / "dans 5 jours", "غدًا" / "بعد 5 أيام", "tomorrow" / "in 5 days"."""
    code = lang_or_default(lang)
    if code == "ar":
        if days == 1:
            return "غدًا"
        if days == 2:
            return "بعد يومين"
        # Numbers 3-10 take a plural noun, 11-99 a singular accusative one.
        return f"بعد {days} أيام" if 3 <= days <= 10 else f"بعد {days} يومًا"
    if code == "en":
        return "tomorrow" if days == 1 else f"in {days} days"
    return "demain" if days == 1 else f"dans {days} jours"
