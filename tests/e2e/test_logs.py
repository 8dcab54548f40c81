"""The servers' logs hold no message text and no personal value (name, e-mail, phone, ICE,
company, platform id) of the members who talked to them.

The real servers run here on their own (the SQLite stack: Telegram by webhook, WhatsApp by
Meta's and Twilio's webhooks, REST), with their default log level, so the logs hold only these
conversations: a full registration on REST, Telegram and WhatsApp (consent, company, ICE,
contact, e-mail, phone), a request for a person, "send me my data", "delete my data", and a
Twilio message carrying a name and a number. Once the servers are stopped (their logs
complete), rasa.log and actions.log are searched for every value and every text sent, raw and
JSON-escaped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from kb.session import make_engine
from tests.e2e.conftest import (
    E2E_TODAY,
    TWILIO_PUBLIC_URL,
    TWILIO_TOKEN,
    telegram_env,
    whatsapp_env,
)
from tests.e2e.members import (
    Member,
    Person,
    RestMember,
    TelegramMember,
    WhatsAppMember,
    register,
    turn,
    wait_until,
)
from tests.e2e.servers import running_servers
from tests.e2e.stack import prepare_database
from tests.e2e.test_conversations import ABIDJAN, DAKAR, valid_ice
from tests.support.fake_platforms import FakeApi, twilio_form, twilio_signature
from tests.support.fake_telegram import fake_telegram_in_thread

pytestmark = pytest.mark.model

REST = Person(
    channel_user_id="logs-rest-member-5821",
    display_name="Hicham Berrada",
    company="Berrada Textiles SA",
    ice=valid_ice("0041421356000"),
    contact="Hicham Berrada",
    email="h.berrada@berrada-textiles.example",
    phone_typed="0612903847",
    phone="+212612903847",
    lang="fr",
)
TELEGRAM = Person(
    channel_user_id="7402918365",
    display_name="Khadija Amrani",
    company="تعاونية أركان سوس",
    ice=valid_ice("0052718281000"),
    contact="خديجة العمراني",
    email="khadija@argan-souss.example",
    phone_typed="٠٦٦١٩٠٣٨٤٧",
    phone="+212661903847",
    lang="ar",
)
WHATSAPP = Person(
    channel_user_id="212677384019",
    display_name="Mehdi Lahlou",
    company="Lahlou Conserves SARL",
    ice=valid_ice("0061803398000"),
    contact="Mehdi Lahlou",
    email="mehdi@lahlou-conserves.example",
    phone_typed="0677384019",
    phone="+212677384019",
    lang="fr",
)
#: A Twilio sender who writes their name and number in a message.
TWILIO_NUMBER, TWILIO_NAME = "+212655123987", "Karim Idrissi"
TWILIO_TEXT = "bonjour, je suis Karim Idrissi, mon numéro est 0655123987"


@dataclass(frozen=True)
class Talked:
    """What was said to the servers, and what they logged."""

    members: dict[str, Member]
    logs: dict[str, list[str]]


def converse(members: dict[str, Member]) -> None:
    """Every member's conversation: a registration, then what else their channel tries."""
    rest, telegram, whatsapp = members["rest"], members["telegram"], members["whatsapp"]
    register(rest, DAKAR, "je veux m'inscrire à une mission")
    register(telegram, ABIDJAN, "بغيت نتسجل فشي بعثة")
    register(whatsapp, DAKAR, "je voudrais m'inscrire à la mission de Dakar")
    turn(
        telegram,
        "بغيت نهضر مع شي مستشار على التسجيل ديالي",
        "utter_handoff_asmex",
        "utter_handoff_delegate",
    )
    turn(telegram, "عطيني المعلومات ديالي", "utter_my_data_profile", "utter_my_data_end")
    turn(whatsapp, "envoyez-moi mes données", "utter_my_data_profile", "utter_my_data_end")
    turn(rest, "supprime mes données", "utter_ask_delete_confirm")
    turn(rest, "oui", "utter_delete_done")


def twilio_message(rasa_url: str, twilio: FakeApi) -> None:
    form = twilio_form(TWILIO_NUMBER, "SMlogs0001", TWILIO_TEXT, ProfileName=TWILIO_NAME)
    answer = httpx.post(
        f"{rasa_url}/webhooks/twilio_whatsapp/webhook",
        data=form,
        headers={"X-Twilio-Signature": twilio_signature(TWILIO_TOKEN, TWILIO_PUBLIC_URL, form)},
        timeout=30,
    )
    assert answer.status_code == 200
    to = f"whatsapp:{TWILIO_NUMBER}"
    wait_until(lambda: bool(twilio.twilio_messages(to)), lambda: "no reply on Twilio")


@pytest.fixture(scope="module")
def talked(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Talked]:
    """Servers started for these conversations only, stopped before their logs are read."""
    workdir = tmp_path_factory.mktemp("servers-logs")
    database_url = f"sqlite:///{workdir / 'kb.db'}"
    prepare_database(database_url)
    engine = make_engine(database_url)
    with ExitStack() as running:
        graph = running.enter_context(FakeApi().in_thread())
        twilio = running.enter_context(FakeApi().in_thread())
        telegram = running.enter_context(fake_telegram_in_thread())
        env = {
            "ASMEX_TODAY": E2E_TODAY,
            "DATABASE_URL": database_url,
            "PYTHONUNBUFFERED": "1",  # every line in the files, however the servers end
            **whatsapp_env(graph, twilio),
            **telegram_env(telegram),
        }
        with running_servers(trained_model, workdir, env) as servers:
            telegram.wait_until(lambda: bool(telegram.calls_to("setWebhook")), 60, "webhook")
            members: dict[str, Member] = {
                "rest": RestMember(servers, REST),
                "telegram": TelegramMember(servers, telegram, engine, TELEGRAM),
                "whatsapp": WhatsAppMember(servers, graph, WHATSAPP),
            }
            converse(members)
            twilio_message(servers.rasa_url, twilio)
    engine.dispose()
    logs = {
        name: (workdir / name).read_text(encoding="utf-8", errors="replace").splitlines()
        for name in ("rasa.log", "actions.log")
    }
    yield Talked(members, logs)


def secrets_of(member: Member) -> list[str]:
    """The member's personal values and every text they typed (long enough to be theirs)."""
    texts = [t for t in member.sent if len(t) >= 8 and not t.startswith("/")]
    return member.person.values() + texts + [json.dumps(t)[1:-1] for t in texts]


def leaks(talked: Talked, secrets: list[str]) -> list[str]:
    return [
        f"{name}:{number}: {secret!r} in {line.strip()[:160]!r}"
        for name, lines in talked.logs.items()
        for number, line in enumerate(lines, start=1)
        for secret in secrets
        if secret in line
    ]


def test_the_logs_were_captured(talked: Talked) -> None:
    """The search below means something: both servers logged, at INFO, while they ran."""
    assert any("INFO" in line for line in talked.logs["rasa.log"]), talked.logs["rasa.log"][:20]
    assert talked.logs["actions.log"]
    assert sum(len(lines) for lines in talked.logs.values()) > 20


@pytest.mark.parametrize("channel", ["rest", "telegram", "whatsapp"])
def test_no_personal_value_or_message_text_in_the_logs(talked: Talked, channel: str) -> None:
    member = talked.members[channel]
    assert len(member.sent) >= 9  # a whole registration at least
    assert leaks(talked, secrets_of(member)) == []


def test_no_twilio_sender_in_the_logs(talked: Talked) -> None:
    secrets = [TWILIO_NUMBER, TWILIO_NUMBER.lstrip("+"), TWILIO_TEXT, *TWILIO_NAME.split()]
    assert leaks(talked, [s for s in secrets if len(s) >= 4]) == []
