"""Whole conversations over the REST channel, with the action server and the knowledge base.

A registration in French and one in Darija (Arabic script), each after the member's consent,
end in the database; the other capabilities get a short conversation each in French and
Arabic. Expected replies are the domain's responses for the reply language (their fixed
wording, placeholders left out), so a reply in the wrong language or the wrong response fails.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.alerts import list_alert_subscriptions
from kb.models import User
from kb.registrations import list_all_registrations
from kb.views import AlertSubscriptionView, RegistrationView
from tests.e2e.conftest import Stack
from tests.e2e.servers import Servers

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[2]
DAKAR = "sample-dakar-b2b-mission-2026"
ABIDJAN = "sample-abidjan-b2b-mission-2027"
_PLACEHOLDER_RE = re.compile(r"\{[^{}]*\}")


# --- the domain's responses ----------------------------------------------------------------------


@cache
def _responses() -> dict[str, list[dict[str, Any]]]:
    """Responses of domain.yml (and of a domain/ directory, if the domain is split)."""
    files = [ROOT / "domain.yml"] if (ROOT / "domain.yml").is_file() else []
    if (ROOT / "domain").is_dir():
        files += sorted((ROOT / "domain").rglob("*.yml"))
    responses: dict[str, list[dict[str, Any]]] = {}
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        responses.update(data.get("responses") or {})
    return responses


def _variation(name: str, lang: str) -> str:
    """Text of the response's variation for a reply language (fr: the one without condition)."""
    variations = _responses().get(name)
    assert variations, f"response {name} is not in the domain"
    for variation in variations:
        if variation.get("channel"):
            continue
        languages = [
            c.get("value")
            for c in variation.get("condition") or []
            if c.get("type") == "slot" and c.get("name") == "language"
        ]
        if (lang in languages) or (lang == "fr" and not variation.get("condition")):
            return str(variation.get("text") or "")
    raise AssertionError(f"response {name} has no variation for {lang}")


def fragments(name: str, lang: str) -> list[str]:
    """The fixed parts of a response's text in a language (what any rendering contains)."""
    parts = (p.strip() for p in _PLACEHOLDER_RE.split(_variation(name, lang)))
    return [p for p in parts if len(p) >= 3]


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(r.get("text") or "") for r in replies)


def payloads(replies: list[dict[str, Any]]) -> list[str]:
    return [str(b.get("payload")) for r in replies for b in r.get("buttons") or []]


def said(replies: list[dict[str, Any]], name: str, lang: str) -> bool:
    """The replies contain the response ``name`` in ``lang``."""
    text = texts(replies)
    return all(part in text for part in fragments(name, lang))


def assert_said(replies: list[dict[str, Any]], *names: str, lang: str) -> None:
    """One of the responses ``names`` (in ``lang``) is among the replies."""
    assert any(said(replies, name, lang) for name in names), (
        f"expected {' or '.join(names)} in {lang}, got:\n{texts(replies)}"
    )


# --- helpers -------------------------------------------------------------------------------------


@dataclass
class Chat:
    """One user's conversation; every message must get at least one reply."""

    servers: Servers
    sender: str
    log: list[tuple[str, str]] = field(default_factory=list)

    def say(self, text: str) -> list[dict[str, Any]]:
        replies = self.servers.send(self.sender, text)
        self.log.append((text, texts(replies)))
        assert replies, f"no reply to {text!r} ({self.sender})"
        assert all(r.get("recipient_id") == self.sender for r in replies)
        return replies


def valid_ice(base: str) -> str:
    """A 15-digit ICE: 13 digits and the mod-97 key that makes stdnum.ma.ice accept it."""
    from stdnum.ma import ice

    number = f"{base}{(-int(base) * 100) % 97:02d}"
    assert ice.is_valid(number)
    return number


def invalid_ice(number: str) -> str:
    """The same 15 digits with a wrong check key."""
    from stdnum.ma import ice

    wrong = f"{number[:13]}{(int(number[13:]) + 1) % 97:02d}"
    assert len(wrong) == 15 and not ice.is_valid(wrong)
    return wrong


def to_arabic_indic(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))


def registrations(engine: Any, **filters: Any) -> list[RegistrationView]:
    """Registrations whose fields equal ``filters``."""
    with Session(engine) as session:
        rows = list_all_registrations(session, include_cancelled=True)
    return [r for r in rows if all(getattr(r, k) == v for k, v in filters.items())]


def subscriptions(engine: Any, sender: str) -> list[AlertSubscriptionView]:
    """The alert subscriptions of the REST user ``sender``."""
    with Session(engine) as session:
        user_ids = list(session.scalars(select(User.id).where(User.channel_user_id == sender)))
        return [s for uid in user_ids for s in list_alert_subscriptions(session, user_id=uid)]


def consent_of(engine: Any, sender: str) -> tuple[str, str] | None:
    """(text version, language) of the consent the REST user ``sender`` gave, or None."""
    with Session(engine) as session:
        user = session.scalars(
            select(User).where(User.channel == "rest", User.channel_user_id == sender)
        ).one_or_none()
    if user is None or not user.consent:
        return None
    return user.consent_version, user.consent_language


def register_payload(slug: str) -> str:
    return "/register_mission" + json.dumps({"event_slug": slug})


# --- registration --------------------------------------------------------------------------------


def test_registration_in_french(servers: Servers, database: Any) -> None:
    chat, lang = Chat(servers, "e2e-register-fr"), "fr"
    ice = valid_ice("0015258220001")

    assert_said(chat.say("bonjour"), "utter_greet", lang=lang)
    replies = chat.say("je veux m'inscrire à une mission")
    assert_said(replies, "utter_ask_event_slug", lang=lang)
    assert register_payload(DAKAR) in payloads(replies)
    # Not a "no": the question explained, the same events offered again.
    replies = chat.say("euh je sais pas du tout")
    assert_said(replies, "utter_dont_know_event_slug", lang=lang)
    assert_said(replies, "utter_ask_event_slug", lang=lang)
    assert register_payload(DAKAR) in payloads(replies)

    # Consent first (law 09-08), recorded before any personal question.
    consent = chat.say(register_payload(DAKAR))
    assert_said(consent, "utter_ask_consent", lang=lang)
    assert payloads(consent)[-2:] == ["/affirm", "/deny"]
    assert consent_of(database, chat.sender) is None
    assert_said(chat.say("d'accord, j'accepte"), "utter_ask_company_name", lang=lang)
    assert consent_of(database, chat.sender) == ("registration-2026-12", "fr")
    assert_said(chat.say("Atlas Export SARL"), "utter_ask_ice", lang=lang)
    replies = chat.say("hmm aucune idée")
    assert_said(replies, "utter_dont_know_ice", lang=lang)
    assert_said(replies, "utter_ask_ice", lang=lang)
    replies = chat.say(invalid_ice(ice))
    assert_said(replies, "utter_registration_invalid_ice", lang=lang)
    assert_said(replies, "utter_ask_ice", lang=lang)
    assert_said(chat.say(ice), "utter_ask_contact_name", lang=lang)
    assert_said(chat.say("Samira Alaoui"), "utter_ask_email", lang=lang)
    assert_said(chat.say("Samira@Atlas-Export.ma"), "utter_ask_phone", lang=lang)
    assert_said(chat.say("0612345678"), "utter_ask_sector", lang=lang)

    summary = chat.say("agroalimentaire")
    assert_said(summary, "utter_ask_registration_confirmed", lang=lang)
    for value in (
        "Atlas Export SARL",
        ice,
        "Samira Alaoui",
        "samira@atlas-export.ma",
        "+212612345678",
        "Dakar",
    ):
        assert value in texts(summary)
    assert "/affirm" in payloads(summary)
    assert registrations(database, event_slug=DAKAR, phone="+212612345678") == []

    done = chat.say("oui")
    assert_said(done, "utter_registration_done", lang=lang)
    assert f"https://example.org/asmex/{DAKAR}" in texts(done)

    saved = registrations(database, phone="+212612345678")
    assert len(saved) == 1, saved
    row = saved[0]
    assert (
        row.event_slug,
        row.company_name,
        row.ice,
        row.contact_name,
        row.email,
        row.sector,
        row.status,
    ) == (
        DAKAR,
        "Atlas Export SARL",
        ice,
        "Samira Alaoui",
        "samira@atlas-export.ma",
        "agrifood",
        "confirmed",
    )

    # Asking again: told they are registered already, and nothing new is saved.
    confirmed = len(registrations(database, event_slug=DAKAR, status="confirmed"))
    assert_said(chat.say(register_payload(DAKAR)), "utter_registration_already", lang=lang)
    assert len(registrations(database, phone="+212612345678")) == 1
    assert len(registrations(database, event_slug=DAKAR, status="confirmed")) == confirmed


def test_registration_in_darija(servers: Servers, database: Any) -> None:
    chat, lang = Chat(servers, "e2e-register-ary"), "ar"
    ice = valid_ice("0024681357000")

    replies = chat.say("بغيت نتسجل فشي بعثة")
    assert_said(replies, "utter_ask_event_slug", lang=lang)
    assert register_payload(ABIDJAN) in payloads(replies)

    assert_said(chat.say(register_payload(ABIDJAN)), "utter_ask_consent", lang=lang)
    assert_said(chat.say("واخا أنا موافق"), "utter_ask_company_name", lang=lang)
    assert consent_of(database, chat.sender) == ("registration-2026-12", "ar")
    assert_said(chat.say("شركة سوس للتصدير"), "utter_ask_ice", lang=lang)
    replies = chat.say("ما عرفت والو")  # "I don't know at all": explained, asked again
    assert_said(replies, "utter_dont_know_ice", lang=lang)
    assert_said(replies, "utter_ask_ice", lang=lang)
    replies = chat.say(to_arabic_indic(invalid_ice(ice)))
    assert_said(replies, "utter_registration_invalid_ice", lang=lang)
    assert_said(replies, "utter_ask_ice", lang=lang)
    assert_said(chat.say(to_arabic_indic(ice)), "utter_ask_contact_name", lang=lang)
    assert_said(chat.say("يوسف البناني"), "utter_ask_email", lang=lang)
    assert_said(chat.say("youssef@souss-export.ma"), "utter_ask_phone", lang=lang)
    assert_said(chat.say("٠٦٦١٢٣٤٥٦٧"), "utter_ask_sector", lang=lang)

    summary = chat.say("الصناعات الغذائية")
    assert_said(summary, "utter_ask_registration_confirmed", lang=lang)
    for value in ("شركة سوس للتصدير", ice, "يوسف البناني", "+212661234567", "أبيدجان"):
        assert value in texts(summary)

    assert_said(chat.say("إيه واخا"), "utter_registration_done", lang=lang)
    saved = registrations(database, phone="+212661234567")
    assert len(saved) == 1, saved
    row = saved[0]
    assert (row.event_slug, row.company_name, row.ice, row.contact_name, row.email, row.sector) == (
        ABIDJAN,
        "شركة سوس للتصدير",
        ice,
        "يوسف البناني",
        "youssef@souss-export.ma",
        "agrifood",
    )

    assert_said(chat.say(register_payload(ABIDJAN)), "utter_registration_already", lang=lang)
    assert len(registrations(database, phone="+212661234567")) == 1


# --- the other capabilities ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "message", "content"),
    [
        ("fr", "quelles sont les prochaines missions ?", "EXEMPLE"),
        ("ar", "ما هي البعثات القادمة؟", "بيانات تجريبية"),
    ],
)
def test_missions_list_with_buttons(
    servers: Servers, lang: str, message: str, content: str
) -> None:
    replies = Chat(servers, f"e2e-missions-{lang}").say(message)
    assert_said(replies, "utter_missions_found", lang=lang)
    assert content in texts(replies)  # sample events say they are demo data
    buttons = payloads(replies)
    assert "/ask_mission_details" + json.dumps({"event_slug": DAKAR}) in buttons
    assert register_payload(DAKAR) in buttons


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fr", "je ne sais pas quelle mission choisir"),
        ("ar", "ما عرفتش شمن بعثة نختار"),  # Darija, Arabic script
    ],
)
def test_not_knowing_which_mission_to_choose_lists_them(
    servers: Servers, lang: str, message: str
) -> None:
    replies = Chat(servers, f"e2e-dont-know-{lang}").say(message)
    assert_said(replies, "utter_missions_found", lang=lang)
    assert register_payload(DAKAR) in payloads(replies)


@pytest.mark.parametrize(
    ("lang", "message", "second", "last"),
    [
        ("fr", "quelles sont les prochaines missions ?", "2", "la dernière"),
        ("ar", "ما هي البعثات القادمة؟", "رقم ٢", "الأخيرة"),
        ("fr", "chno homa lmissions jayin ?", "tania", "lkhra"),  # Arabizi: answered in French
        ("en", "what are the upcoming trade missions?", "the second one", "the last one"),
    ],
)
def test_a_typed_position_opens_that_event_of_the_list(
    servers: Servers, lang: str, message: str, second: str, last: str
) -> None:
    """Telegram and REST show no numbers on buttons; people type them anyway."""
    chat = Chat(servers, f"e2e-pick-{lang}-{second}")
    listed = [
        json.loads(p.removeprefix("/ask_mission_details"))["event_slug"]
        for p in payloads(chat.say(message))
        if p.startswith("/ask_mission_details")
    ]
    assert len(listed) >= 3, listed
    for text, slug in ((second, listed[1]), (last, listed[-1])):
        replies = chat.say(text)
        assert f"https://example.org/asmex/{slug}" in texts(replies), (text, texts(replies))
        assert_said(replies, "utter_mission_details", lang=lang)
    # With no list in the latest turn (an event's details), a position still means the list;
    # beyond it, the reply says how many choices it has.
    assert_said(chat.say("2"), "utter_mission_details", lang=lang)
    beyond_list = chat.say("9")
    assert_said(beyond_list, "utter_choice_beyond_list", lang=lang)
    assert str(len(listed)) in texts(beyond_list)


@pytest.mark.parametrize(
    ("lang", "message", "second"),
    [("fr", "je veux m'inscrire à une mission", "la 2"), ("ar", "بغيت نتسجل فشي بعثة", "التانية")],
)
def test_a_typed_position_answers_the_forms_question(
    servers: Servers, lang: str, message: str, second: str
) -> None:
    """ "la 2" once read as a Darija "no" and stopped the registration."""
    chat = Chat(servers, f"e2e-pick-form-{lang}")
    offered = [
        str(b.get("title"))
        for r in chat.say(message)
        for b in r.get("buttons") or []
        if str(b.get("payload")).startswith("/register_mission")
    ]
    assert len(offered) >= 2, offered
    beyond_list = chat.say("9")  # how many events there are, and the same ones again
    assert_said(beyond_list, "utter_choice_beyond_list", lang=lang)
    assert str(len(offered)) in texts(beyond_list)
    assert not said(beyond_list, "utter_please_rephrase", lang=lang)
    again = [str(b.get("title")) for r in beyond_list for b in r.get("buttons") or []]
    assert again == offered
    assert_said(chat.say(second), "utter_ask_consent", lang=lang)
    assert_said(chat.say("oui" if lang == "fr" else "إيه"), "utter_ask_company_name", lang=lang)
    replies = chat.say("3")  # this question offers no list: the form's own check
    assert_said(replies, "utter_registration_invalid_company_name", lang=lang)
    assert_said(replies, "utter_ask_company_name", lang=lang)
    for answer in (
        "Atlas Export SARL",
        valid_ice("0015258220001"),
        "Samira Alaoui",
        "samira@atlas-export.ma",
        "0612345678",
    ):
        chat.say(answer)
    summary = chat.say("agroalimentaire" if lang == "fr" else "الصناعات الغذائية")
    assert_said(summary, "utter_ask_registration_confirmed", lang=lang)
    assert offered[1] in texts(summary)  # the event picked, its title and dates


@pytest.mark.parametrize(
    ("lang", "message", "content"),
    [
        ("fr", "quelles sont les opportunités d'export au Kenya ?", ["Kenya", "Silicon Savannah"]),
        ("ar", "كيف أصدر منتجاتي إلى كينيا؟", ["كينيا"]),
    ],
)
def test_market_kenya(servers: Servers, lang: str, message: str, content: list[str]) -> None:
    replies = Chat(servers, f"e2e-market-{lang}").say(message)
    assert_said(replies, "utter_market_profile", lang=lang)
    for value in content:
        assert value in texts(replies)


@pytest.mark.parametrize(
    ("lang", "message", "region"),
    [
        ("fr", "qui est le délégué ASMEX à Agadir ?", "Souss-Massa"),
        ("ar", "من هو مندوب الجمعية في أكادير؟", "سوس ماسة"),
    ],
)
def test_regional_office_agadir(servers: Servers, lang: str, message: str, region: str) -> None:
    replies = Chat(servers, f"e2e-region-{lang}").say(message)
    assert_said(replies, "utter_regional_office", lang=lang)
    assert "Khalid Bounajma" in texts(replies)
    assert region in texts(replies)


@pytest.mark.parametrize(("lang", "greeting"), [("fr", "bonjour"), ("ar", "السلام عليكم")])
def test_unclear_message_gets_topic_buttons_named_from_the_domain(
    servers: Servers, lang: str, greeting: str
) -> None:
    # action_clarify is the one action the Rasa server sends its domain to (send_domain, with
    # enable_selective_domain in endpoints.yml): the button titles come from its responses.
    chat = Chat(servers, f"e2e-clarify-{lang}")
    chat.say(greeting)
    replies = chat.say("/nlu_fallback")
    buttons = [b for r in replies for b in r.get("buttons") or []]
    assert {"title": _variation("utter_topic_help", lang), "payload": "/help"} in buttons


@pytest.mark.parametrize(
    ("lang", "message", "name"),
    [("fr", "c'est quoi tijaria ?", "Tijaria"), ("ar", "ما هي منصة تجارية؟", "تجارية")],
)
def test_tijaria(servers: Servers, lang: str, message: str, name: str) -> None:
    replies = Chat(servers, f"e2e-tijaria-{lang}").say(message)
    assert_said(replies, "utter_tijaria", "utter_tijaria_no_link", lang=lang)
    assert name in texts(replies)


@pytest.mark.parametrize(
    ("lang", "message", "expected"),
    [
        (
            "fr",
            "préviens-moi des missions au Kenya dans l'agroalimentaire",
            ("KE", "agrifood", "mission"),
        ),
        ("ar", "نبهني بالبعثات الجديدة", (None, None, "mission")),
    ],
)
def test_subscribe_alerts(
    servers: Servers, database: Any, lang: str, message: str, expected: tuple[Any, ...]
) -> None:
    sender = f"e2e-alerts-{lang}"
    replies = Chat(servers, sender).say(message)
    assert_said(replies, "utter_alerts_subscribed", "utter_alerts_subscribed_all", lang=lang)
    stored = [
        (s.country, s.sector, s.event_type) for s in subscriptions(database, sender) if s.active
    ]
    assert stored == [expected]


# --- delete my data ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "personal", "erase", "yes"),
    [
        ("fr", "préviens-moi des missions au Kenya dans le textile", "supprime mes données", "oui"),
        ("ar", "نبهني بالمعارض الجديدة في كينيا", "احذف بياناتي", "نعم"),
    ],
)
def test_delete_my_data_erases_subscriptions_and_the_stored_conversation(
    servers: Servers,
    database: Any,
    stack: Stack,
    lang: str,
    personal: str,
    erase: str,
    yes: str,
) -> None:
    sender = f"e2e-erase-{lang}"
    chat = Chat(servers, sender)
    chat.say(personal)
    assert [s for s in subscriptions(database, sender) if s.active]
    assert json.dumps(personal)[1:-1] in stack.stored_conversation(sender)

    assert_said(chat.say(erase), "utter_ask_delete_confirm", lang=lang)
    assert_said(chat.say(yes), "utter_delete_done", lang=lang)

    assert not [s for s in subscriptions(database, sender) if s.active]
    stored = stack.stored_conversation(sender)
    assert json.dumps(personal)[1:-1] not in stored
    assert json.dumps(erase)[1:-1] not in stored
    # The conversation goes on afterwards, and is stored again from then on.
    hello = "bonjour" if lang == "fr" else "السلام عليكم"
    chat.say(hello)
    assert json.dumps(hello)[1:-1] in stack.stored_conversation(sender)
