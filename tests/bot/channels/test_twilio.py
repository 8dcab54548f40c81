"""Twilio WhatsApp channel: webhooks signed like Twilio signs them, REST replies to a local fake."""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.channels.choices import beyond
from bot.channels.texts import TEXTS
from bot.channels.twilio import TwilioWhatsAppInput, TwilioWhatsAppOutput
from core.settings import SettingsError
from kb.migrate import upgrade_to_head
from kb.models import User
from kb.session import make_engine
from outbound.message import (
    Button,
    DeliveryError,
    OutboundMessage,
    RateLimited,
    TemplateCall,
    TransientError,
)
from outbound.twilio import TwilioClient, TwilioNotifier, TwilioSettings
from tests.support.fake_platforms import (
    FakeApi,
    FakeTrackerStore,
    serve_channel,
    twilio_form,
    twilio_signature,
)

SID = "AC" + "1" * 32
AUTH = "twilio-auth-token-0123"
NUMBER = "+14155238886"
USER = "+212612345678"
PATH = "/webhooks/twilio_whatsapp/webhook"
PUBLIC_URL = "https://bot.asmex.example/webhooks/twilio_whatsapp/webhook"


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database migrated to head, copied by each test (migrating takes a while)."""
    path = tmp_path_factory.mktemp("twilio") / "template.db"
    upgrade_to_head(f"sqlite:///{path}")
    return path


@pytest.fixture()
def db(migrated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    path = tmp_path / "kb.db"
    shutil.copy(migrated, path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture()
async def api() -> AsyncIterator[FakeApi]:
    async with FakeApi() as fake:
        yield fake


def settings_for(api: FakeApi, webhook_url: str = "") -> TwilioSettings:
    return TwilioSettings(
        account_sid=SID,
        auth_token=AUTH,
        whatsapp_number=NUMBER,
        webhook_url=webhook_url,
        api_url=api.url,
    )


@dataclass
class FakeRasa:
    """Stands in for Rasa's agent: records messages, answers each with ``replies``."""

    received: list[UserMessage] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=list)

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        for reply in self.replies:
            await message.output_channel.send_response(message.sender_id, dict(reply))


@dataclass
class Webhook:
    channel: TwilioWhatsAppInput
    url: str
    http: httpx.AsyncClient
    rasa: FakeRasa
    agent: SimpleNamespace

    async def post(
        self, form: dict[str, str], sign_url: str | None = None, signature: str | None = None
    ) -> httpx.Response:
        """POST ``form`` signed for ``sign_url`` (default: the URL posted to)."""
        url = self.url + PATH
        sig = twilio_signature(AUTH, sign_url or url, form) if signature is None else signature
        headers = {"X-Twilio-Signature": sig} if sig else {}
        answer = await self.http.post(url, data=form, headers=headers)
        await self.channel.drain(timeout=10)
        return answer


async def _serve(channel: TwilioWhatsAppInput) -> AsyncIterator[Webhook]:
    rasa = FakeRasa()
    agent = SimpleNamespace(tracker_store=FakeTrackerStore())
    async with serve_channel(channel, rasa, agent) as url, httpx.AsyncClient() as http:
        yield Webhook(channel, url, http, rasa, agent)


@pytest.fixture()
async def hook(db: Engine, api: FakeApi) -> AsyncIterator[Webhook]:
    async for served in _serve(TwilioWhatsAppInput(settings_for(api))):
        yield served


def sent(api: FakeApi) -> list[str]:
    return [m["Body"] for m in api.twilio_messages(f"whatsapp:{USER}") if "Body" in m]


# --- signatures ----------------------------------------------------------------------------------


async def test_signed_message_reaches_rasa(hook: Webhook) -> None:
    answer = await hook.post(twilio_form(USER, "SM001", "bonjour"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/xml")
    assert "<Response>" in answer.text
    [message] = hook.rasa.received
    assert (message.text, message.sender_id, message.input_channel, message.message_id) == (
        "bonjour",
        f"twilio_whatsapp:{USER}",
        "twilio_whatsapp",
        "SM001",
    )
    assert isinstance(message.output_channel, TwilioWhatsAppOutput)


@pytest.mark.parametrize("forgery", ["wrong", "missing", "altered", "other-url", "other-token"])
async def test_forged_calls_are_refused(hook: Webhook, api: FakeApi, forgery: str) -> None:
    form = twilio_form(USER, "SM002", "bonjour")
    url = hook.url + PATH
    signature = {
        "wrong": "bm90IGEgc2lnbmF0dXJl",
        "missing": "",
        "altered": twilio_signature(AUTH, url, form),
        "other-url": twilio_signature(AUTH, url + "?x=1", form),
        "other-token": twilio_signature("another-token", url, form),
    }[forgery]
    if forgery == "altered":
        form["Body"] = "je veux supprimer mes données"
    answer = await hook.post(form, signature=signature)
    assert answer.status_code == 403
    assert hook.rasa.received == [] and api.requests == []


async def test_behind_a_proxy_the_public_url_is_signed(db: Engine, api: FakeApi) -> None:
    channel = TwilioWhatsAppInput(settings_for(api, webhook_url=PUBLIC_URL))
    async for hook in _serve(channel):
        form = twilio_form(USER, "SM003", "bonjour")
        assert (await hook.post(form, sign_url=PUBLIC_URL)).status_code == 200
        other = twilio_form(USER, "SM004", "bonjour")
        assert (await hook.post(other)).status_code == 403  # signed for the local URL
        assert [m.message_id for m in hook.rasa.received] == ["SM003"]


# --- what reaches Rasa ---------------------------------------------------------------------------


async def test_a_redelivered_message_sid_gets_one_reply(hook: Webhook, api: FakeApi) -> None:
    hook.rasa.replies = [{"text": "Bonjour !"}]
    for _ in range(3):
        assert (await hook.post(twilio_form(USER, "SM005", "bonjour"))).status_code == 200
    assert len(hook.rasa.received) == 1
    assert sent(api) == ["Bonjour !"]


@pytest.mark.parametrize(
    "extra",
    [
        {
            "NumMedia": "1",
            "MediaUrl0": "https://api.twilio.com/m/1",
            "MediaContentType0": "image/jpeg",
            "MessageType": "image",
        },
        {
            "NumMedia": "1",
            "MediaUrl0": "https://api.twilio.com/m/2",
            "MediaContentType0": "audio/ogg",
            "MessageType": "audio",
        },
        {"Latitude": "33.5731", "Longitude": "-7.5898", "MessageType": "location"},
    ],
)
async def test_media_or_location_only_gets_a_polite_reply(
    hook: Webhook, api: FakeApi, extra: dict[str, str]
) -> None:
    answer = await hook.post(twilio_form(USER, "SM006", "", **extra))
    assert answer.status_code == 200
    assert hook.rasa.received == []
    [body] = sent(api)
    assert all(TEXTS["unsupported"][code] in body for code in ("fr", "ar", "en"))


async def test_polite_reply_in_the_user_s_stored_language(
    hook: Webhook, api: FakeApi, db: Engine
) -> None:
    with Session(db) as session, session.begin():
        session.add(User(channel="twilio_whatsapp", channel_user_id=USER, language="ar"))
    media = {"NumMedia": "1", "MediaUrl0": "https://api.twilio.com/m/1"}
    await hook.post(twilio_form(USER, "SM007", "", **media))
    assert sent(api) == [TEXTS["unsupported"]["ar"]]


async def test_media_with_a_caption_sends_the_caption(hook: Webhook) -> None:
    media = {"NumMedia": "1", "MediaUrl0": "https://api.twilio.com/m/1"}
    await hook.post(twilio_form(USER, "SM008", "voici notre catalogue", **media))
    assert [m.text for m in hook.rasa.received] == ["voici notre catalogue"]


async def test_a_number_picks_the_offered_button(hook: Webhook, api: FakeApi) -> None:
    buttons = [
        {"title": "Mission B2B Dakar", "payload": '/register_mission{"event_slug": "dakar"}'},
        {"title": "Mission Abidjan", "payload": '/register_mission{"event_slug": "abidjan"}'},
    ]
    hook.rasa.replies = [{"text": "Laquelle ?", "buttons": buttons}]
    await hook.post(twilio_form(USER, "SM009", "je veux m'inscrire"))
    assert sent(api) == ["Laquelle ?\n\n1. Mission B2B Dakar\n2. Mission Abidjan"]
    # What Rasa's tracker holds after that turn:
    hook.agent.tracker_store.trackers[f"twilio_whatsapp:{USER}"] = DialogueStateTracker.from_events(
        USER,
        [UserUttered("je veux m'inscrire"), BotUttered("Laquelle ?", {"buttons": buttons})],
        slots=[TextSlot("language", mappings=[{}])],
    )
    hook.rasa.replies = []
    await hook.post(twilio_form(USER, "SM010", "2"))
    await hook.post(twilio_form(USER, "SM011", "7"))  # not offered: an unclear message
    await hook.post(twilio_form(USER, "SM011A", "la 1"))
    assert [m.text for m in hook.rasa.received][1:] == [
        buttons[1]["payload"],
        beyond(2),
        buttons[0]["payload"],
    ]


async def test_a_template_quick_reply_sends_its_payload(hook: Webhook) -> None:
    form = twilio_form(
        USER, "SM012", "Détails", ButtonPayload="/ask_mission_details", ButtonText="Détails"
    )
    await hook.post(form)
    assert [m.text for m in hook.rasa.received] == ["/ask_mission_details"]


async def test_non_whatsapp_senders_are_ignored(hook: Webhook) -> None:
    form = twilio_form(USER, "SM013", "sms")
    form["From"] = USER
    assert (await hook.post(form)).status_code == 200
    assert hook.rasa.received == []


# --- replies through the REST API ----------------------------------------------------------------


async def test_replies_go_to_the_messages_resource_with_basic_auth(
    hook: Webhook, api: FakeApi
) -> None:
    hook.rasa.replies = [{"text": "Bonjour !"}, {"image": "https://asmex.example/logo.png"}]
    await hook.post(twilio_form(USER, "SM014", "bonjour"))
    text, image = api.requests
    assert text.path == f"/2010-04-01/Accounts/{SID}/Messages.json"
    expected = "Basic " + base64.b64encode(f"{SID}:{AUTH}".encode()).decode()
    assert text.headers["Authorization"] == expected
    assert text.form == {
        "From": f"whatsapp:{NUMBER}",
        "To": f"whatsapp:{USER}",
        "Body": "Bonjour !",
    }
    assert image.form["MediaUrl"] == "https://asmex.example/logo.png"


async def test_long_text_is_split_at_1600_characters(hook: Webhook, api: FakeApi) -> None:
    text = "\n".join(f"Ligne {i} " + "z" * 190 for i in range(20))
    hook.rasa.replies = [{"text": text}]
    await hook.post(twilio_form(USER, "SM015", "bonjour"))
    bodies = sent(api)
    assert len(bodies) == 3 and all(len(b) <= 1600 for b in bodies)
    assert "\n".join(bodies) == text


async def test_files_need_a_public_url(hook: Webhook, api: FakeApi) -> None:
    hook.rasa.replies = [
        {"custom": {"type": "ics", "filename": "a.ics", "content": "BEGIN:VCALENDAR"}},
        {"custom": {"type": "ics", "filename": "b.ics", "url": "https://asmex.example/b.ics"}},
    ]
    await hook.post(twilio_form(USER, "SM016", "bonjour"))
    [request] = api.requests
    assert request.form["MediaUrl"] == "https://asmex.example/b.ics"


async def test_rate_limit_is_retried(
    hook: Webhook, api: FakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(TwilioWhatsAppOutput, "retry_delay", 0.01)
    api.queue(429, {"code": 20429, "message": "Too Many Requests"})
    api.queue(400, {"code": 21211, "message": "Invalid 'To' Phone Number"})
    hook.rasa.replies = [{"text": "un"}, {"text": "deux"}, {"text": "trois"}]
    await hook.post(twilio_form(USER, "SM017", "bonjour"))
    assert sent(api) == ["un", "un", "deux", "trois"]


# --- settings ------------------------------------------------------------------------------------


def _credentials(**overrides: str) -> dict[str, str]:
    values = {
        "account_sid": SID,
        "auth_token": AUTH,
        "whatsapp_number": f"whatsapp:{NUMBER}",
        "webhook_url": "",
        "api_url": "",
    }
    return values | overrides


def test_credentials_build_the_settings() -> None:
    channel = TwilioWhatsAppInput.from_credentials(_credentials())
    assert isinstance(channel, TwilioWhatsAppInput) and channel.settings is not None
    assert channel.settings.whatsapp_number == NUMBER
    assert channel.settings.api_url == "https://api.twilio.com"
    assert channel.name() == "twilio_whatsapp"


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"auth_token": "changeme"}, "TWILIO_AUTH_TOKEN"),
        ({"account_sid": ""}, "TWILIO_ACCOUNT_SID"),
        ({"whatsapp_number": ""}, "TWILIO_WHATSAPP_NUMBER"),
    ],
)
def test_placeholders_and_half_settings_fail_fast(overrides: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        TwilioWhatsAppInput.from_credentials(_credentials(**overrides))


async def test_empty_sid_and_token_turn_the_channel_off() -> None:
    channel = TwilioWhatsAppInput.from_credentials(_credentials(account_sid="", auth_token=""))
    assert isinstance(channel, TwilioWhatsAppInput) and channel.settings is None
    rasa = FakeRasa()
    async with serve_channel(channel, rasa) as url, httpx.AsyncClient() as http:
        answer = await http.post(url + PATH, data=twilio_form(USER, "SM1", "bonjour"))
    assert answer.status_code == 503
    assert rasa.received == []


# --- proactive messages --------------------------------------------------------------------------

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)


@pytest.fixture()
async def notifier(api: FakeApi) -> AsyncIterator[TwilioNotifier]:
    found = TwilioNotifier(
        TwilioClient(settings_for(api)),
        content_sids={"fr": "HXfr", "ar": "HXar", "en": "HXen"},
        now=lambda: NOW,
    )
    yield found
    await found.close()


def alert(**fields: Any) -> OutboundMessage:
    values: dict[str, Any] = {
        "recipient": USER,
        "text": "بعثة جديدة: داكار",
        "language": "ar",
        "buttons": (Button("التفاصيل", "/ask_mission_details"),),
    }
    return OutboundMessage(**(values | fields))


@pytest.mark.parametrize("last_inbound_at", [None, NOW - timedelta(days=2)])
async def test_outside_the_window_the_content_template_is_sent(
    notifier: TwilioNotifier, api: FakeApi, last_inbound_at: datetime | None
) -> None:
    await notifier.send(alert(last_inbound_at=last_inbound_at))
    [form] = api.twilio_messages()
    assert form["ContentSid"] == "HXar"
    assert json.loads(form["ContentVariables"]) == {"1": "بعثة جديدة: داكار"}
    assert "Body" not in form


async def test_within_the_window_the_text_is_sent_with_its_buttons(
    notifier: TwilioNotifier, api: FakeApi
) -> None:
    await notifier.send(alert(last_inbound_at=NOW - timedelta(hours=2)))
    [form] = api.twilio_messages()
    assert form["Body"] == "بعثة جديدة: داكار\n\n• التفاصيل"
    assert (form["To"], form["From"]) == (f"whatsapp:{USER}", f"whatsapp:{NUMBER}")


async def test_the_message_s_own_template_names_the_content_sid(
    notifier: TwilioNotifier, api: FakeApi
) -> None:
    await notifier.send(alert(template=TemplateCall("HXreminder", "ar", ("داكار", "١٥ مارس"))))
    [form] = api.twilio_messages()
    assert form["ContentSid"] == "HXreminder"
    assert json.loads(form["ContentVariables"]) == {"1": "داكار", "2": "١٥ مارس"}


async def test_a_meta_template_name_falls_back_to_the_configured_content_sid(
    notifier: TwilioNotifier, api: FakeApi
) -> None:
    meta = TemplateCall("asmex_event_alert", "fr", ("Dakar", "Mission", "Dakar", "mars"))
    await notifier.send(alert(template=meta, language="fr", text="Nouvelle mission"))
    [form] = api.twilio_messages()
    assert form["ContentSid"] == "HXfr"
    assert json.loads(form["ContentVariables"]) == {"1": "Nouvelle mission"}


async def test_no_content_sid_outside_the_window_is_a_delivery_error(api: FakeApi) -> None:
    bare = TwilioNotifier(TwilioClient(settings_for(api)), now=lambda: NOW)
    with pytest.raises(DeliveryError):
        await bare.send(alert())
    assert api.requests == []
    await bare.close()


@pytest.mark.parametrize(
    ("status", "headers", "error"),
    [
        (429, {"Retry-After": "3"}, RateLimited),
        (500, {}, TransientError),
        (503, {}, TransientError),
        (400, {}, DeliveryError),
        (401, {}, DeliveryError),
    ],
)
async def test_rest_errors_are_mapped(
    notifier: TwilioNotifier,
    api: FakeApi,
    status: int,
    headers: dict[str, str],
    error: type[Exception],
) -> None:
    api.queue(status, {"code": 20000 + status, "message": "no"}, headers)
    with pytest.raises(error) as raised:
        await notifier.send(alert(last_inbound_at=NOW))
    if error is RateLimited:
        assert raised.value.retry_after == 3  # type: ignore[attr-defined]


def test_notifier_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "TWILIO_ACCOUNT_SID": SID,
        "TWILIO_AUTH_TOKEN": AUTH,
        "TWILIO_WHATSAPP_NUMBER": NUMBER,
        "TWILIO_WEBHOOK_URL": "",
        "TWILIO_API_URL": "",
        "TWILIO_CONTENT_SID": "fr=HX1,ar=HX2,en=HX3",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    notifier = TwilioNotifier.from_env()
    assert notifier.content_sids == {"fr": "HX1", "ar": "HX2", "en": "HX3"}
    assert notifier.client.settings.api_url == "https://api.twilio.com"
    assert (notifier.channel, notifier.max_rate_per_second) == ("twilio_whatsapp", 80.0)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "")
    with pytest.raises(SettingsError):
        TwilioNotifier.from_env()
