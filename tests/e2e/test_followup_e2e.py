"""Follow-ups over the REST channel with the trained model and the action server: after a "non
merci" / "merci" / "no thanks", and inside the registration form, where the follow-up is
answered, fills no answer of the form, and the form asks its question again."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.servers import Servers
from tests.e2e.test_conversations import (
    DAKAR,
    Chat,
    assert_said,
    payloads,
    register_payload,
    registrations,
    said,
    texts,
    valid_ice,
)

pytestmark = pytest.mark.model


NAIROBI = "sample-nairobi-east-africa-forum-2027"
ABIDJAN = "sample-abidjan-b2b-mission-2027"
LAGOS = "sample-lagos-b2b-mission-2027"


def listed(replies: list[dict[str, Any]], slug: str) -> bool:
    """The event is among the replies' buttons (its details or its registration)."""
    return any(f'"{slug}"' in payload for payload in payloads(replies))


def test_after_no_thanks_a_follow_up_keeps_the_question_fr(servers: Servers) -> None:
    chat, lang = Chat(servers, "e2e-follow-up-fr"), "fr"
    assert listed(chat.say("quelles sont les prochaines missions au Kenya ?"), NAIROBI)
    chat.say("non merci")
    replies = chat.say("et en Tanzanie ?")
    assert_said(replies, "utter_missions_none", lang=lang)
    assert not listed(replies, NAIROBI)
    assert not said(replies, "utter_market_profile", lang) and '"TZ"' in str(payloads(replies))
    chat.say("merci")
    replies = chat.say("et au Sénégal ?")
    assert_said(replies, "utter_missions_found", lang=lang)
    assert listed(replies, DAKAR) and not listed(replies, NAIROBI)


def test_after_no_thanks_a_follow_up_keeps_the_question_en(servers: Servers) -> None:
    chat = Chat(servers, "e2e-follow-up-en")
    assert listed(chat.say("upcoming missions in Senegal"), DAKAR)
    chat.say("no thanks")
    replies = chat.say("what about Ivory Coast?")
    assert_said(replies, "utter_missions_found", lang="en")
    assert listed(replies, ABIDJAN) and not listed(replies, DAKAR)


def test_a_follow_up_inside_the_registration_form_darija(servers: Servers) -> None:
    chat, lang = Chat(servers, "e2e-follow-up-form-ar"), "ar"
    assert listed(chat.say("شنو هي البعثات الجاية فالسنغال؟"), DAKAR)
    assert_said(chat.say("بغيت نتسجل"), "utter_ask_event_slug", lang=lang)
    assert_said(chat.say(register_payload(DAKAR)), "utter_ask_consent", lang=lang)
    # Answered from the question before the form, then the consent is asked again.
    replies = chat.say("و ف كوت ديفوار؟")
    assert listed(replies, ABIDJAN) and not listed(replies, DAKAR)
    assert_said(replies, "utter_ask_consent", lang=lang)
    assert_said(chat.say("أوافق"), "utter_ask_company_name", lang=lang)
    assert_said(chat.say("شركة الأطلس للتصدير"), "utter_ask_ice", lang=lang)
    # Not taken as the ICE (no "invalid ICE"): Nigeria's events, then the ICE question again.
    replies = chat.say("و ف نيجيريا؟")
    assert listed(replies, LAGOS)
    assert not said(replies, "utter_registration_invalid_ice", lang)
    assert_said(replies, "utter_ask_ice", lang=lang)


def test_another_events_details_inside_the_form_keep_the_forms_event(
    servers: Servers, database: Any
) -> None:
    chat, lang = Chat(servers, "e2e-details-in-form-fr"), "fr"
    assert_said(chat.say(register_payload(DAKAR)), "utter_ask_consent", lang=lang)
    assert_said(chat.say("j'accepte"), "utter_ask_company_name", lang=lang)
    # The Abidjan mission's details button, pressed while registering for Dakar: answered,
    # then the form's question again, and the registration stays Dakar's.
    replies = chat.say("/ask_mission_details" + json.dumps({"event_slug": ABIDJAN}))
    assert_said(replies, "utter_mission_details", lang=lang)
    assert f"https://example.org/asmex/{ABIDJAN}" in texts(replies)
    assert_said(replies, "utter_ask_company_name", lang=lang)
    assert_said(chat.say("Sahel Conserves SARL"), "utter_ask_ice", lang=lang)
    ice = valid_ice("0019876540001")
    assert_said(chat.say(ice), "utter_ask_contact_name", lang=lang)
    assert_said(chat.say("Karim Tazi"), "utter_ask_email", lang=lang)
    assert_said(chat.say("karim@sahel-conserves.ma"), "utter_ask_phone", lang=lang)
    assert_said(chat.say("0677889900"), "utter_ask_sector", lang=lang)
    summary = chat.say("agroalimentaire")
    assert_said(summary, "utter_ask_registration_confirmed", lang=lang)
    assert "Dakar" in texts(summary) and "Abidjan" not in texts(summary)
    assert_said(chat.say("oui"), "utter_registration_done", lang=lang)
    saved = registrations(database, phone="+212677889900")
    assert [row.event_slug for row in saved] == [DAKAR]
