"""Privacy over the REST channel, with the real servers: the registration form's consent
(accepted once, refused, "je sais pas"), the right of access in five varieties, and /restart
and /session_start typed by a member."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from actions.registration.consent import accept
from core.identity import conversation_id
from kb.registrations import create_registration
from kb.users import get_or_create_user
from tests.e2e.conftest import E2E_TODAY
from tests.e2e.servers import Servers
from tests.e2e.test_conversations import (
    ABIDJAN,
    DAKAR,
    Chat,
    assert_said,
    consent_of,
    register_payload,
    registrations,
    said,
    texts,
    valid_ice,
)

pytestmark = pytest.mark.model

TODAY = date.fromisoformat(E2E_TODAY)


# --- consent -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "hello", "no", "sender"),
    [
        # Darija in Latin letters (Arabizi) is answered in French.
        ("fr", "salam labas", "la, ma bghitch", "e2e-consent-no-ary"),
        ("fr", "bonjour", "euh je sais pas", "e2e-consent-jsp-fr"),
        ("ar", "السلام عليكم", "لا، أرفض", "e2e-consent-no-ar"),
    ],
)
def test_without_consent_the_form_ends_and_nothing_is_stored(
    servers: Servers, database: Any, lang: str, hello: str, no: str, sender: str
) -> None:
    chat = Chat(servers, sender)
    chat.say(hello)
    assert_said(chat.say(register_payload(DAKAR)), "utter_ask_consent", lang=lang)
    replies = chat.say(no)
    assert_said(replies, "utter_consent_refused", lang=lang)
    assert not said(replies, "utter_ask_company_name", lang=lang)
    assert consent_of(database, sender) is None
    # The next answer is not taken for a company name: the form is over.
    replies = chat.say("Atlas Export SARL")
    assert not said(replies, "utter_ask_ice", lang=lang)
    assert [r for r in registrations(database) if r.company_name == "Atlas Export SARL"] == []


def test_consent_given_once_is_not_asked_again(servers: Servers, database: Any) -> None:
    sender, lang = "e2e-consent-once-en", "en"
    chat = Chat(servers, sender)
    chat.say("hello")
    assert_said(chat.say(register_payload(DAKAR)), "utter_ask_consent", lang=lang)
    assert_said(chat.say("yes, I agree to that"), "utter_ask_company_name", lang=lang)
    assert consent_of(database, sender) == ("registration-2026-12", "en")
    assert_said(chat.say("stop"), "utter_registration_stopped", lang=lang)
    # Another event later: the same text was accepted, so the form asks its first question.
    replies = chat.say(register_payload(ABIDJAN))
    assert_said(replies, "utter_ask_company_name", lang=lang)
    assert not said(replies, "utter_ask_consent", lang=lang)


# --- right of access ------------------------------------------------------------------------------

SAMIRA = {
    "company_name": "Atlas Export Unique SARL",
    "ice": valid_ice("0015258220009"),
    "contact_name": "Samira Oubella",
    "email": "samira.oubella@atlas-unique.example",
    "phone": "+212612349876",
}
OTHER = {
    "company_name": "Autre Exportateur SA",
    "ice": valid_ice("0026543210009"),
    "contact_name": "Karim Autre",
    "email": "karim@autre.example",
    "phone": "+212700009999",
}


def seed(engine: Any, sender: str, person: dict[str, str]) -> None:
    """A REST member who consented and registered to Dakar."""
    with Session(engine) as session, session.begin():
        accept(session, channel="rest", user=sender, language="fr")
        user = get_or_create_user(session, channel="rest", channel_user_id=sender)
        create_registration(
            session,
            event_slug=DAKAR,
            user_id=user.id,
            today=TODAY,
            sector="textile",
            require_consent=True,
            **person,
        )


@pytest.mark.parametrize(
    ("variety", "lang", "ask", "sector"),
    [
        ("fr", "fr", "envoyez-moi mes données", "textile"),
        ("ar", "ar", "أرسل لي بياناتي", "النسيج"),
        ("ary_ar", "ar", "عطيني المعلومات ديالي", "النسيج"),
        ("ary_lat", "fr", "sifet liya les données dyali", "textile"),  # Arabizi: French
        ("en", "en", "what data do you have on me", "textile"),
    ],
)
def test_send_me_my_data_in_five_varieties(
    servers: Servers, database: Any, variety: str, lang: str, ask: str, sector: str
) -> None:
    sender = f"e2e-access-{variety}"
    seed(database, sender, SAMIRA)
    seed(database, f"e2e-access-other-{variety}", OTHER)
    replies = Chat(servers, sender).say(ask)
    assert_said(replies, "utter_my_data_profile", lang=lang)
    assert_said(replies, "utter_my_data_registration", lang=lang)
    assert_said(replies, "utter_my_data_end", lang=lang)
    report = texts(replies)
    for value in (*SAMIRA.values(), sector, "registration-2026-12"):
        assert value in report, value
    for value in OTHER.values():
        assert value not in report, value


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "non, ne m'envoyez surtout pas mes données"),
        ("ar", "ما تصيفطش ليا حتى شي معلومات"),
        ("en", "please don't send me my data"),
    ],
)
def test_a_request_not_to_send_gets_no_data(
    servers: Servers, database: Any, lang: str, text: str
) -> None:
    sender = f"e2e-access-no-{lang}"
    seed(database, sender, SAMIRA)
    replies = Chat(servers, sender).say(text)
    assert_said(replies, "utter_my_data_not_sent", "utter_ok", lang=lang)
    for value in SAMIRA.values():
        assert value not in texts(replies)


def test_a_rest_client_naming_a_members_id_gets_only_its_own_data(
    servers: Servers, database: Any
) -> None:
    """The member's data is under telegram:7123; a REST client posting that id is another
    person (rest:7123, rest:telegram:7123) and hears that nothing is held."""
    with Session(database) as session, session.begin():
        accept(session, channel="telegram", user="7123", language="fr")
        user = get_or_create_user(session, channel="telegram", channel_user_id="7123")
        create_registration(
            session,
            event_slug=DAKAR,
            user_id=user.id,
            today=TODAY,
            require_consent=True,
            **OTHER,
        )
    for forged in ("7123", conversation_id("telegram", "7123")):
        replies = Chat(servers, forged).say("envoyez-moi mes données")
        assert_said(replies, "utter_my_data_nothing", "utter_my_data_profile", lang="fr")
        for value in OTHER.values():
            assert value not in texts(replies)


# --- /restart and /session_start ----------------------------------------------------------------


@pytest.mark.parametrize(("lang", "hello"), [("ar", "السلام عليكم"), ("fr", "bonjour")])
def test_session_start_and_restart_typed_by_a_member_are_answered(
    servers: Servers, lang: str, hello: str
) -> None:
    chat = Chat(servers, f"e2e-session-{lang}")
    assert_said(chat.say(hello), "utter_greet", lang=lang)
    assert_said(chat.say("/session_start"), "utter_session_started", lang=lang)
    assert_said(chat.say("/restart"), "utter_restart", lang=lang)
    assert_said(chat.say(hello), "utter_greet", lang=lang)  # the conversation goes on
