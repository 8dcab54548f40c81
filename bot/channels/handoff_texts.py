"""What the assistant tells a member about a live handoff, in French, Arabic and English, and
how a member asks for the assistant back or rates the help.

These are said by the Rasa server itself (bot.extensions.handoff_hold, bot.channels.console)
while a person holds the conversation, without Rasa's dialogue: their wording cannot live in
domain.yml (as bot/channels/texts.py's).
"""

from __future__ import annotations

import json
import re
from typing import Final

from nlu.normalize import normalize_text as normalize
from nlu.vocabulary.canonical import DEFAULT_LANGUAGE, is_region

TEXTS: Final[dict[str, dict[str, str]]] = {
    "taken": {
        "fr": "Un conseiller de l'ASMEX a rejoint la conversation : vous lui écrivez "
        "directement. Écrivez « stop » pour revenir à l'assistant.",
        "ar": "انضم مستشار من ASMEX إلى المحادثة: أنتم تكتبون إليه مباشرة. اكتبوا «stop» أو "
        "«رجعني للمساعد» للعودة إلى المساعد.",
        "en": "An ASMEX adviser has joined the conversation: you are now writing to them "
        "directly. Type “stop” to go back to the assistant.",
    },
    "held_ack": {
        "fr": "Message transmis au conseiller de l'ASMEX, qui vous répond ici.",
        "ar": "تم إرسال رسالتكم إلى مستشار ASMEX، وسيجيبكم هنا.",
        "en": "Message passed to the ASMEX adviser, who will answer you here.",
    },
    "ask_contact": {
        "fr": "Message transmis au conseiller de l'ASMEX. Ce canal ne lui permet pas de vous "
        "répondre : indiquez un téléphone ou un e-mail où il peut vous joindre.",
        "ar": "تم إرسال رسالتكم إلى مستشار ASMEX. هذه القناة لا تسمح له بالرد عليكم: اكتبوا "
        "رقم هاتف أو بريدا إلكترونيا يمكنه التواصل معكم عبره.",
        "en": "Message passed to the ASMEX adviser. This channel does not let them answer you: "
        "please give a phone number or an e-mail address where they can reach you.",
    },
    "contact_kept": {
        "fr": "Merci, le conseiller de l'ASMEX vous contactera à cette adresse.",
        "ar": "شكرا، سيتواصل معكم مستشار ASMEX عبر هذا العنوان.",
        "en": "Thank you, the ASMEX adviser will contact you there.",
    },
    "handed_back": {
        "fr": "Le conseiller vous a rendu à l'assistant de l'ASMEX : posez-moi vos questions.",
        "ar": "أعادكم المستشار إلى مساعد ASMEX: اطرحوا علي أسئلتكم.",
        "en": "The adviser has handed you back to the ASMEX assistant: ask me anything.",
    },
    "member_left": {
        "fr": "C'est noté : vous êtes de retour avec l'assistant de l'ASMEX.",
        "ar": "حسنا: رجعتم إلى مساعد ASMEX.",
        "en": "Done: you are back with the ASMEX assistant.",
    },
    "region_kept": {
        "fr": "Merci : votre demande est transmise au délégué de votre région.",
        "ar": "شكرا: تمت إحالة طلبكم إلى مندوب جهتكم.",
        "en": "Thank you: your request goes to your region's delegate.",
    },
    "rate": {
        "fr": "Comment évaluez-vous l'aide reçue ? (1 = mauvaise, 5 = excellente)",
        "ar": "كيف تقيمون المساعدة التي تلقيتموها؟ (1 = سيئة، 5 = ممتازة)",
        "en": "How would you rate the help you received? (1 = poor, 5 = excellent)",
    },
    "rated": {
        "fr": "Merci pour votre évaluation !",
        "ar": "شكرا على تقييمكم!",
        "en": "Thank you for your rating!",
    },
}

#: The payload of a rating button: ``/handoff_rating{"rating": 4}``; never reaches the NLU.
RATING_PAYLOAD: Final = re.compile(r'^/handoff_rating\{"rating":\s*([1-5])\}$')

#: The payload of a region button offered with a request for a person:
#: ``/handoff_region{"region": "oriental"}``; never reaches the NLU.
REGION_PAYLOAD: Final = re.compile(r"^/handoff_region(\{.*\})$")

#: What a member writes to leave the person and get the assistant back, normalised
#: (nlu.normalize): French, English, Arabic, Darija in Arabic script and in Latin script.
STOP_PHRASES: Final = frozenset(
    normalize(phrase)
    for phrase in (
        "stop",
        "/stop",
        "arrêter",
        "arrête",
        "je veux le bot",
        "retour au bot",
        "retour à l'assistant",
        "revenir à l'assistant",
        "back to the bot",
        "back to the assistant",
        "i want the bot",
        "bot please",
        "توقف",
        "قف",
        "ستوب",
        "أريد المساعد",
        "ارجع إلى المساعد",
        "العودة إلى المساعد",
        "رجعني للمساعد",
        "بغيت الروبو",
        "بغيت البوت",
        "رجعني للبوت",
        "safi",
        "safi baraka",
        "baraka",
        "bghit robot",
        "bghit lbot",
        "rj3ni lbot",
        "صافي",
        "صافي بركة",
        "بركة",
    )
)


def handoff_text(key: str, language: str | None) -> str:
    """The text ``key`` in ``language`` (French when it is not one of ours)."""
    versions = TEXTS[key]
    return versions.get(language or "") or versions[DEFAULT_LANGUAGE]


def asks_for_the_bot(text: str) -> bool:
    """True when the member asks to leave the person and have the assistant back."""
    cleaned = normalize(text.strip().strip("!.؟?،,")).strip()
    return cleaned in STOP_PHRASES


def rating_of(text: str) -> int | None:
    """The rating a rating button's payload carries, or None."""
    found = RATING_PAYLOAD.match(text.strip())
    return int(found.group(1)) if found else None


def region_of(text: str) -> str | None:
    """The region code a region button's payload carries (a known region), or None."""
    found = REGION_PAYLOAD.match(text.strip())
    if not found:
        return None
    try:
        region = json.loads(found.group(1)).get("region")
    except (ValueError, AttributeError):
        return None
    return region if isinstance(region, str) and is_region(region) else None


def rating_buttons() -> list[dict[str, str]]:
    """The one-tap rating: five buttons, 1 (poor) to 5 (excellent)."""
    return [
        {"title": "⭐" * value, "payload": "/handoff_rating" + json.dumps({"rating": value})}
        for value in range(1, 6)
    ]
