"""What a channel says by itself, without Rasa, in the user's language.

Media the assistant cannot read, edited messages, an expired button, a technical failure and
the language menu never reach Rasa, so their wording cannot live in domain.yml: it lives here,
once, in French, Arabic and English.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.canonical import DEFAULT_LANGUAGE, REPLY_LANGUAGES
from actions.common import DatabaseUnavailable, run_db
from actions.db.models import User
from actions.language import language_from_hint

TEXTS: Final[dict[str, dict[str, str]]] = {
    "unsupported": {
        "fr": (
            "Je ne sais lire que les messages écrits pour l'instant. Écrivez-moi votre "
            "question, ou envoyez /aide pour voir ce que je peux faire pour vous."
        ),
        "ar": (
            "لا أستطيع حاليا قراءة إلا الرسائل المكتوبة. اكتب لي سؤالك، "
            "أو أرسل /help لتعرف كيف يمكنني مساعدتك."
        ),
        "en": (
            "For now I can only read written messages. Please type your question, "
            "or send /help to see what I can do for you."
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


def language_from_code(language_code: str | None) -> str:
    """Reply language for a platform language code: ar -> Arabic, en -> English, else French."""
    return language_from_hint(language_code) or DEFAULT_LANGUAGE


def _chosen_language(session: Session, channel: str, channel_user_id: str) -> str | None:
    return session.scalars(
        select(User.language).where(
            User.channel == channel, User.channel_user_id == channel_user_id
        )
    ).one_or_none()


async def reply_language(channel: str, channel_user_id: str, language_code: str | None) -> str:
    """The language the user chose in the assistant if any, else the platform's language code."""
    try:
        chosen = await run_db(_chosen_language, channel, channel_user_id)
    except DatabaseUnavailable:
        chosen = None
    if chosen in REPLY_LANGUAGES:
        return str(chosen)
    return language_from_code(language_code)
