"""Right of access (action_send_my_data): what is held about the member, in their language,
and nothing about anyone else; a request not to send is not answered with the data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from actions.my_data import ActionSendMyData, declines
from actions.registration.consent import CONSENT_VERSION, accept
from kb.alerts import subscribe_alerts
from kb.handoff_live import MEMBER_BACK_TO_BOT
from kb.handoffs import ConversationTurn, request_handoff
from kb.models import Handoff, User
from kb.registrations import cancel_registration, create_registration
from kb.users import get_or_create_user
from tests.actions.info_support import assert_rendered, responses, run, tracker
from tests.conftest import Clock

TODAY = date(2026, 11, 22)
DAKAR = "sample-dakar-b2b-mission-2026"
ABIDJAN = "sample-abidjan-b2b-mission-2027"


@dataclass(frozen=True)
class Member:
    """One person on one channel, and what they gave the assistant."""

    channel: str
    user: str
    company: str
    ice: str
    contact: str
    email: str
    phone: str

    @property
    def sender(self) -> str:
        return f"{self.channel}:{self.user}"

    @property
    def personal(self) -> tuple[str, ...]:
        return (self.company, self.ice, self.contact, self.email, self.phone)


SAMIRA = Member(
    "telegram",
    "5550001",
    "شركة الأطلس للتصدير",
    "001525822000064",
    "سميرة العلوي",
    "samira@atlas-export.ma",
    "+212612345678",
)
#: Another person: another channel, another number.
YOUSSEF = Member(
    "whatsapp",
    "212661234567",
    "Souss Agro SARL",
    "002654321000037",
    "Youssef Bennani",
    "youssef@souss-agro.ma",
    "+212661234567",
)
#: The same platform id as Samira's, on another channel: another person for the assistant.
NAMESAKE = Member(
    "whatsapp",
    "5550001",
    "Namesake Export",
    "001111111000011",
    "Karim Namesake",
    "karim@namesake.ma",
    "+212700000001",
)


@pytest.fixture(autouse=True)
def _today(clock: Clock) -> None:
    clock.set(TODAY)


def seed(engine: Engine, member: Member, *, language: str = "ar") -> None:
    """Consent, a confirmed and a cancelled registration, two alerts and a request for a person."""
    with Session(engine) as session, session.begin():
        accept(session, channel=member.channel, user=member.user, language=language)
        user = get_or_create_user(session, channel=member.channel, channel_user_id=member.user)
        for slug in (DAKAR, ABIDJAN):
            create_registration(
                session,
                event_slug=slug,
                user_id=user.id,
                today=TODAY,
                company_name=member.company,
                ice=member.ice,
                contact_name=member.contact,
                email=member.email,
                phone=member.phone,
                sector="agrifood",
                require_consent=True,
            )
        cancel_registration(session, user_id=user.id, event_slug=ABIDJAN)
        subscribe_alerts(session, user_id=user.id, country="KE", sector="agrifood")
        subscribe_alerts(session, user_id=user.id)
        turns = [ConversationTurn(f"je suis {member.contact}", "inform")]
        request_handoff(
            session, user_id=user.id, language=language, region="souss-massa", turns=turns
        )


def ask(member: Member, text: str, lang: str, intent: str = "send_my_data"):  # noqa: ANN201
    return tracker(intent=intent, text=text, lang=lang, sender=member.sender)


@pytest.mark.parametrize(
    ("text", "lang", "words"),
    [
        ("envoyez-moi mes données", "fr", ("Consentement", "donné le", "confirmée", "annulée")),
        ("أرسل لي بياناتي", "ar", ("الموافقة", "أُعطيت في", "مؤكد", "ملغى")),
        ("عطيني المعلومات ديالي", "ar", ("الموافقة", "سوس ماسة", "مؤكد", "الصناعات الغذائية")),
        ("sifet liya les données dyali", "fr", ("Telegram", "agroalimentaire", "Kenya", "arabe")),
        ("what data do you have on me", "en", ("Consent", "given on", "confirmed", "cancelled")),
    ],
)
async def test_the_member_gets_everything_held_about_them_and_nothing_else(
    kb: Engine, text: str, lang: str, words: tuple[str, ...]
) -> None:
    for member in (SAMIRA, YOUSSEF, NAMESAKE):
        seed(kb, member)
    messages, events = await run(ActionSendMyData(), ask(SAMIRA, text, lang))
    assert events == []
    assert responses(messages) == [
        "utter_my_data_profile",
        "utter_my_data_consent",
        "utter_my_data_registrations",
        "utter_my_data_registration",
        "utter_my_data_registration",
        "utter_my_data_alerts",
        "utter_my_data_handoff",
        "utter_my_data_end",
    ]
    report = "\n".join(assert_rendered(messages, lang))
    for value in (*SAMIRA.personal, CONSENT_VERSION, *words):
        assert value in report, value
    for other in (YOUSSEF, NAMESAKE):
        for value in other.personal:
            assert value not in report, value


async def test_an_unknown_member_is_told_nothing_is_held_and_no_record_is_made(
    kb: Engine,
) -> None:
    seed(kb, YOUSSEF)
    messages, _ = await run(ActionSendMyData(), ask(SAMIRA, "شنو عندكم عليا؟", "ar"))
    assert responses(messages) == ["utter_my_data_nothing"]
    assert assert_rendered(messages, "ar")[0].startswith("🔐")
    with Session(kb) as session:
        assert session.scalars(select(User).where(User.channel == "telegram")).all() == []


async def test_a_member_with_a_profile_only_hears_that_each_part_is_empty(kb: Engine) -> None:
    with Session(kb) as session, session.begin():
        get_or_create_user(session, channel="telegram", channel_user_id="5550001")
    messages, _ = await run(ActionSendMyData(), ask(SAMIRA, "what do you know about me", "en"))
    assert responses(messages) == [
        "utter_my_data_profile",
        "utter_my_data_consent_none",
        "utter_my_data_registrations_none",
        "utter_my_data_alerts_none",
        "utter_my_data_handoffs_none",
        "utter_my_data_end",
    ]
    report = "\n".join(assert_rendered(messages, "en"))
    assert "none recorded" in report and "detected on each message" in report


@pytest.mark.parametrize(
    "text",
    [
        "ne m'envoyez pas mes données",
        "non, n'envoie rien",
        "je ne veux pas recevoir mes infos",
        "pas besoin de m'envoyer mes données",
        "لا ترسل لي بياناتي",
        "لا أريد أن أرى معلوماتي",
        "لست بحاجة إلى بياناتي",
        "ما تصيفطش ليا المعلومات ديالي",
        "ماتعطينيش المعطيات ديالي",
        "ما بغيتش نشوف les données ديالي",
        "ma tsiftch liya les données dyali",
        "matsiftlich les infos dyali",
        "ma bghitch nchof les infos dyali",
        "don't send me my data",
        "I do not want to see my data",
        "no need to show me my info",
    ],
)
async def test_a_request_not_to_send_is_not_answered_with_the_data(text: str, kb: Engine) -> None:
    seed(kb, SAMIRA)
    assert declines(text)
    messages, _ = await run(ActionSendMyData(), ask(SAMIRA, text, "fr"))
    assert responses(messages) == ["utter_my_data_not_sent"]


@pytest.mark.parametrize(
    "text",
    [
        "envoyez-moi mes données",
        "je ne sais pas ce que vous avez sur moi, envoyez-le moi",
        "quelles données avez-vous sur moi ?",
        "أرسل لي بياناتي",
        "عطيني المعلومات ديالي",
        "ما عرفتش شنو عندكم عليا، صيفطو ليا",
        "sifet liya les données dyali",
        "ma3reftch chno 3ndkom 3liya, sift liya",
        "what data do you have on me",
        "I don't know what you keep, send it to me",
    ],
)
def test_a_request_for_the_data_is_not_read_as_a_refusal(text: str) -> None:
    assert not declines(text)


async def test_the_database_down_gets_the_try_again_reply(db_down: None) -> None:
    messages, _ = await run(ActionSendMyData(), ask(SAMIRA, "send me my data", "en"))
    assert responses(messages) == ["utter_db_unavailable"]


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_every_part_of_the_report_is_written_in_each_language(lang: str) -> None:
    texts = assert_rendered(
        [
            {"response": "utter_my_data_nothing"},
            {"response": "utter_my_data_not_sent"},
            {"response": "utter_my_data_end"},
        ],
        lang,
    )
    assert len(set(texts)) == 3


def held_conversation(engine: Engine, member: Member, *, staff_email: str) -> None:
    """Samira's region, and a request a person held: her contact, the transcript, a rating."""
    from kb.handoff_live import add_line, add_staff_reply, set_contact, take
    from kb.handoffs import set_member_region
    from kb.staff import create_staff

    with Session(engine) as session, session.begin():
        staff = create_staff(
            session,
            email=staff_email,
            password="a long enough password 123",
            role="admin",
        )
        user = get_or_create_user(session, channel=member.channel, channel_user_id=member.user)
        handoff = request_handoff(session, user_id=user.id, language="ar", region=None, turns=[])
        set_member_region(
            session, channel=member.channel, channel_user_id=member.user, region="oriental"
        )
        take(session, handoff_id=handoff.handoff.id, staff_id=staff.id)
        add_line(
            session, handoff_id=handoff.handoff.id, direction="member", text="واش كاين شي دعم؟"
        )
        add_staff_reply(
            session, handoff_id=handoff.handoff.id, staff_id=staff.id, text="نعم، برنامج التصدير"
        )
        add_line(
            session, handoff_id=handoff.handoff.id, direction="system", text=MEMBER_BACK_TO_BOT
        )
        set_contact(session, handoff_id=handoff.handoff.id, contact=member.email)
        session.get(Handoff, handoff.handoff.id).rating = 4  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("ar", ("جهتك: الشرق", "تقييمك: 4/5", "أنت : واش كاين شي دعم؟", "مستشار ASMEX : نعم")),
        ("fr", ("votre région : L'Oriental", "votre note : 4/5", "vous : واش", "conseiller ASMEX")),
        ("en", ("your region: Oriental", "your rating: 4/5", "you : واش", "ASMEX adviser")),
    ],
)
async def test_the_region_and_the_conversation_with_an_adviser_are_in_the_report(
    kb: Engine, lang: str, words: tuple[str, ...]
) -> None:
    held_conversation(kb, SAMIRA, staff_email="nadia.adviser@asmex.ma")
    seed(kb, YOUSSEF)
    messages, _ = await run(ActionSendMyData(), ask(SAMIRA, "send me my data", lang))
    assert responses(messages).count("utter_my_data_transcript") == 1
    report = "\n".join(assert_rendered(messages, lang))
    for word in (*words, SAMIRA.email):
        assert word in report, word
    assert "nadia.adviser" not in report  # staff are named by their role only
    assert MEMBER_BACK_TO_BOT not in report  # the staff note, in the member's language
    back = {"ar": "عدت إلى المساعد الآلي", "fr": "vous êtes revenu", "en": "you went back"}[lang]
    assert back in report.replace("&#39;", "'")
    for value in YOUSSEF.personal:
        assert value not in report
