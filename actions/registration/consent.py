"""Consent before the registration form's personal data (law 09-08, CNDP): the text's version,
the language it was shown in, recording an acceptance, and reading one given before."""

from __future__ import annotations

from typing import Final

from rasa_sdk import Tracker
from sqlalchemy.orm import Session

from kb.users import find_consent, record_consent
from nlu.vocabulary.canonical import DEFAULT_LANGUAGE, REPLY_LANGUAGES

#: Version id of the consent question (domain.yml ``utter_ask_consent``): what a member
#: accepts is recorded under it, and a member who accepted this version is not asked again.
#: Change it whenever the question's wording changes (CONSENT_TEXT_SHA256 says when).
CONSENT_VERSION: Final = "registration-2026-12"
#: SHA-256 of ``utter_ask_consent``'s variations (texts and buttons, as
#: tests/actions/test_consent.py reads them): a changed text without a new version fails it.
CONSENT_TEXT_SHA256: Final = "a58bf9fa9072e625b1d466af4b14572a42d25d491e3567d2df75dddaae81b153"


def language_shown(tracker: Tracker) -> str:
    """The language the question was shown in: the ``language`` slot before the member's
    latest message (their answer may switch it); unset, the French default variation."""
    events = tracker.events
    answer = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=0)
    shown = None
    for event in events[:answer]:
        if event.get("event") in ("restart", "session_started"):
            shown = None  # a session's slots are set again after it starts
        elif event.get("event") == "slot" and event.get("name") == "language":
            shown = event.get("value")
    return shown if shown in REPLY_LANGUAGES else DEFAULT_LANGUAGE


def accept(session: Session, *, channel: str, user: str, language: str) -> None:
    """Record the user's acceptance of the current consent text, shown in ``language``."""
    record_consent(
        session, channel=channel, channel_user_id=user, version=CONSENT_VERSION, language=language
    )


def accepted_before(session: Session, *, channel: str, user: str) -> bool:
    """Whether the user accepted the current consent text before."""
    record = find_consent(session, channel=channel, channel_user_id=user)
    return record is not None and record.version == CONSENT_VERSION
