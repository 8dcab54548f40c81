"""Reading Telegram updates: what each one asks for, and the text Rasa receives for a command.

Private chats only: in groups and channels the assistant stays silent. Text and button presses
go to Rasa; media and edits get a notice (bot/channels/texts.py); service messages, poll
answers, member changes... are acknowledged and ignored.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Final

from telegram import Bot, Update
from telegram.constants import ChatType

from nlu.vocabulary.canonical import REPLY_LANGUAGES

_COMMAND = re.compile(r"^/(?P<name>[A-Za-z0-9_]+)(?:@[A-Za-z0-9_]+)?(?:\s+(?P<args>.*))?$", re.S)
#: Deep-link payloads of t.me/<bot>?start=mission_<slug> and ?start=register_<slug>.
_START_PAYLOAD = re.compile(r"^(?P<kind>mission|register)_(?P<slug>[a-z0-9][a-z0-9-]*)$")
_START_INTENTS: Final = {"mission": "ask_mission_details", "register": "register_mission"}
#: Commands that stand for one intent of the domain.
COMMANDS: Final = {
    "start": "/greet",
    "missions": "/ask_missions",
    "aide": "/help",
    "help": "/help",
    "stop": "/unsubscribe_alerts",  # no filter: every alert subscription
}
LANGUAGE_COMMANDS: Final = frozenset({"langue", "language", "lang"})
#: What may follow /langue: a language code or a language's name.
LANGUAGE_WORDS: Final = {
    **{code: code for code in REPLY_LANGUAGES},
    "français": "fr",
    "francais": "fr",
    "french": "fr",
    "الفرنسية": "fr",
    "arabe": "ar",
    "arabic": "ar",
    "العربية": "ar",
    "عربية": "ar",
    "anglais": "en",
    "english": "en",
    "الإنجليزية": "en",
    "الانجليزية": "en",
}


def language_payload(language: str) -> str:
    """The payload that switches the reply language (the /langue command, its menu)."""
    return "/change_language" + json.dumps({"language": language})


def command_text(text: str) -> str | None:
    """The text Rasa receives for a message: commands become intents, other text is kept.

    ``/start mission_<slug>`` (a deep link) shows that event, ``/start register_<slug>`` starts
    registering for it; ``/langue ar`` switches language and a bare ``/langue`` returns None
    (the channel shows its language menu). Unknown commands reach Rasa unchanged, without
    their ``@botname``.
    """
    match = _COMMAND.match(text.strip())
    if not match:
        return text
    name, args = match["name"].lower(), (match["args"] or "").strip()
    if name == "start" and (deep_link := _START_PAYLOAD.match(args)):
        intent = _START_INTENTS[deep_link["kind"]]
        return f"/{intent}" + json.dumps({"event_slug": deep_link["slug"]})
    if name in COMMANDS:
        return COMMANDS[name]
    if name in LANGUAGE_COMMANDS:
        language = LANGUAGE_WORDS.get(args.lower())
        return language_payload(language) if language else None
    return f"/{match['name']}" + (f" {args}" if args else "")


@dataclass(frozen=True)
class Incoming:
    """What the channel does with one update."""

    action: str  # "rasa" (text), "button" (callback data), "notice" (a channel text), "ignore"
    chat_id: int | None = None
    user_id: str | None = None
    language_code: str | None = None
    text: str = ""  # the message text, the callback data, or the notice's key
    callback_query_id: str | None = None


IGNORE: Final = Incoming("ignore")


def classify(update: Update) -> Incoming:
    """Sort an update: text and buttons for Rasa, a notice for media and edits, else nothing.

    Ignored: anything outside private chats, service messages, poll answers, member changes...
    """
    query = update.callback_query
    if query is not None:
        chat = query.message.chat if query.message else None
        if chat is None or chat.type != ChatType.PRIVATE or not query.data:
            return Incoming("ignore", callback_query_id=query.id)
        presser = query.from_user
        return Incoming(
            "button", chat.id, str(presser.id), presser.language_code, query.data, query.id
        )
    message = update.message or update.edited_message
    if message is None or message.chat.type != ChatType.PRIVATE:
        return IGNORE
    user = message.from_user
    if user is None or user.is_bot:
        return IGNORE
    who = (message.chat.id, str(user.id), user.language_code)
    if update.edited_message is not None:
        return Incoming("notice", *who, text="edited")
    if message.text:
        return Incoming("rasa", *who, text=message.text)
    if message.effective_attachment is not None:
        return Incoming("notice", *who, text="unsupported")
    return IGNORE  # a service message: nothing the user wrote


def metadata(incoming: Incoming) -> dict[str, Any]:
    """Message metadata for Rasa: the user's Telegram language, read by action_set_language."""
    return {"language_hint": incoming.language_code} if incoming.language_code else {}


def is_update(data: Any) -> bool:
    """A webhook body shaped like an Update: a JSON object with an integer update_id."""
    return isinstance(data, dict) and type(data.get("update_id")) is int


def parse_update(data: dict[str, Any], bot: Bot) -> Update | None:
    """The Update in a webhook body; None when python-telegram-bot cannot read it."""
    try:
        return Update.de_json(data, bot)
    except (TypeError, ValueError, KeyError, AttributeError):
        return None
