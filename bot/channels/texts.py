"""What a channel says by itself, without Rasa, in the user's language.

Media the assistant cannot read, edited messages, an expired button, a message too long, a
message over the rate limit, a technical failure and the language menu never reach Rasa, so
their wording cannot live in domain.yml: it lives here, once, in French, Arabic and English.
The user's language for them comes from the conversation's `language` slot, else the users
table (``user_language``).
"""

from __future__ import annotations

import logging
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.identity import conversation_id
from core.redact import user_ref
from kb.access import DatabaseUnavailable, run_db
from kb.models import User
from nlu.vocabulary.canonical import DEFAULT_LANGUAGE, REPLY_LANGUAGES, language_from_hint

logger = logging.getLogger(__name__)

TEXTS: Final[dict[str, dict[str, str]]] = {
    "unsupported": {
        "fr": (
            "Désolé, je ne sais lire que les messages écrits : pas les photos, les messages "
            "vocaux, les fichiers ni les positions. Écrivez-moi votre question, par exemple "
            "« prochaines missions »."
        ),
        "ar": (
            "عذرًا، لا أستطيع قراءة سوى الرسائل المكتوبة، وليس الصور أو الرسائل الصوتية أو "
            "الملفات أو المواقع. اكتب لي سؤالك من فضلك، مثلًا: «البعثات القادمة»."
        ),
        "en": (
            "Sorry, I can only read written messages, not photos, voice notes, files or "
            "locations. Please type your question, for example “upcoming missions”."
        ),
    },
    "edited": {
        "fr": (
            "Je ne tiens pas compte des messages modifiés. Envoyez-moi plutôt le texte "
            "corrigé dans un nouveau message."
        ),
        "ar": "لا آخذ الرسائل المعدلة بعين الاعتبار. المرجو إرسال النص المصحح في رسالة جديدة.",
        "en": (
            "I don't take edited messages into account. Please send the corrected text "
            "as a new message."
        ),
    },
    "expired_button": {
        "fr": "Ce bouton n'est plus valable. Posez-moi à nouveau votre question, ou envoyez /aide.",
        "ar": "هذا الزر لم يعد صالحا. اطرح سؤالك من جديد، أو أرسل /help.",
        "en": "This button is no longer valid. Please ask again, or send /help.",
    },
    "error": {
        "fr": (
            "Désolé, un problème technique m'empêche de vous répondre. Réessayez dans un instant."
        ),
        "ar": "عذرا، هناك مشكل تقني يمنعني من الرد عليك. حاول مرة أخرى بعد قليل.",
        "en": "Sorry, a technical problem keeps me from answering. Please try again in a moment.",
    },
    "too_long": {
        "fr": (
            "Votre message est trop long pour moi (plus de 4096 caractères). Envoyez-moi "
            "l'essentiel de votre question en quelques phrases."
        ),
        "ar": "رسالتك طويلة جدا (أكثر من 4096 حرفا). أرسل لي جوهر سؤالك في بضع جمل من فضلك.",
        "en": (
            "Your message is too long for me (over 4096 characters). Please send me the gist "
            "of your question in a few sentences."
        ),
    },
    "rate_limited": {
        "fr": (
            "Vous m'écrivez plus vite que je ne peux répondre. Patientez quelques secondes, "
            "puis renvoyez votre message."
        ),
        "ar": "أنت ترسل الرسائل أسرع مما أستطيع الرد عليها. انتظر بضع ثوان ثم أعد إرسال رسالتك.",
        "en": (
            "You are writing faster than I can answer. Please wait a few seconds, then send "
            "your message again."
        ),
    },
    "choose_language": {
        "fr": "Dans quelle langue voulez-vous que je vous réponde ?",
        "ar": "بأي لغة تريد أن أجيبك؟",
        "en": "Which language would you like me to answer in?",
    },
}

#: Each reply language named in itself, for the language menu.
LANGUAGE_NAMES: Final[dict[str, str]] = {"fr": "Français", "ar": "العربية", "en": "English"}


def channel_text(key: str, language: str) -> str:
    """The text ``key`` in ``language`` (French when the language is not one of ours)."""
    versions = TEXTS[key]
    return versions.get(language) or versions[DEFAULT_LANGUAGE]


def in_every_language(key: str) -> str:
    """The text ``key`` in French, Arabic and English, for a user whose language is unknown."""
    return "\n\n".join(TEXTS[key][code] for code in ("fr", "ar", "en"))


def language_from_code(language_code: str | None) -> str:
    """Reply language for a platform language code: ar -> Arabic, en -> English, else French."""
    return language_from_hint(language_code) or DEFAULT_LANGUAGE


def _chosen_language(session: Session, channel: str, channel_user_id: str) -> str | None:
    return session.scalars(
        select(User.language).where(
            User.channel == channel, User.channel_user_id == channel_user_id
        )
    ).first()


async def chosen_language(channel: str, channel_user_id: str) -> str | None:
    """The reply language the user chose in the assistant (users table), or None."""
    try:
        chosen = await run_db(_chosen_language, channel, channel_user_id)
    except DatabaseUnavailable:
        return None
    return str(chosen) if chosen in REPLY_LANGUAGES else None


async def chosen_or_platform_language(
    channel: str, channel_user_id: str, language_code: str | None
) -> str:
    """The language the user chose in the assistant if any, else the platform's language code."""
    return await chosen_language(channel, channel_user_id) or language_from_code(language_code)


def localized_text(key: str, language: str | None) -> str:
    """The text ``key`` in ``language``, or in all three languages when it is unknown."""
    if language in REPLY_LANGUAGES:
        return channel_text(key, str(language))
    return in_every_language(key)


# --- what the conversation knows -----------------------------------------------------------------


async def conversation_tracker(agent: Any, sender: str) -> Any:
    """The conversation tracker of ``sender`` (a conversation id) from Rasa's tracker store,
    or None."""
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return None
    try:
        return await store.retrieve(sender)
    except Exception as exc:  # noqa: BLE001 - any store failure: the caller does without
        # The error's type only: a database error's text may quote the id (a phone number).
        logger.warning("tracker of %s unavailable (%s)", user_ref(sender), type(exc).__name__)
        return None


async def user_language(agent: Any, channel: str, user_id: str) -> str | None:
    """The reply language of ``user_id`` on ``channel``: their conversation's ``language``
    slot, else the language stored in the users table, else None (unknown)."""
    tracker = await conversation_tracker(agent, conversation_id(channel, user_id))
    if tracker is not None:
        slot = tracker.get_slot("language")
        if slot in REPLY_LANGUAGES:
            return str(slot)
    return await chosen_language(channel, user_id)
