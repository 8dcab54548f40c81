"""WhatsApp Cloud API channel: signed Meta webhooks in, Graph API calls out (local fakes)."""

from __future__ import annotations

import asyncio
import json
import logging
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
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.channels.choices import UNANSWERED, beyond
from bot.channels.texts import TEXTS
from bot.channels.whatsapp import WhatsAppInput, WhatsAppOutput
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
from outbound.whatsapp import GraphClient, WhatsAppNotifier, WhatsAppSettings
from tests.support.fake_platforms import (
    MEDIA_CONTENT,
    PHONE_NUMBER_ID,
    FakeApi,
    FakeTrackerStore,
    details_payload,
    event_cards,
    meta_button_reply,
    meta_list_reply,
    meta_media,
    meta_signature,
    meta_status,
    meta_text,
    meta_webhook,
    serve_channel,
)

SECRET = "test-app-secret-1f2e3d"
VERIFY = "verify-me-42"
TOKEN = "EAAG-test-access-token"
WA_ID = "212612345678"
PATH = "/webhooks/whatsapp/webhook"


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database migrated to head, copied by each test (migrating takes a while)."""
    path = tmp_path_factory.mktemp("whatsapp") / "template.db"
    upgrade_to_head(f"sqlite:///{path}")
    return path


@pytest.fixture()
def db(migrated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The knowledge base (inbound de-duplication, users' languages) in a temporary file."""
    path = tmp_path / "kb.db"
    shutil.copy(migrated, path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture()
async def graph() -> AsyncIterator[FakeApi]:
    async with FakeApi() as fake:
        yield fake


def settings_for(graph: FakeApi) -> WhatsAppSettings:
    return WhatsAppSettings(
        verify_token=VERIFY,
        app_secret=SECRET,
        access_token=TOKEN,
        phone_number_id=PHONE_NUMBER_ID,
        api_url=f"{graph.url}/v21.0",
    )


@dataclass
class FakeRasa:
    """Stands in for Rasa's agent: records messages, answers each with ``replies``."""

    received: list[UserMessage] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=list)
    gate: asyncio.Event | None = None

    async def __call__(self, message: UserMessage) -> None:
        if self.gate is not None:
            await self.gate.wait()
        self.received.append(message)
        for reply in self.replies:
            await message.output_channel.send_response(message.sender_id, dict(reply))


@dataclass
class Webhook:
    """The served channel, its base URL and an HTTP client."""

    channel: WhatsAppInput
    url: str
    http: httpx.AsyncClient
    rasa: FakeRasa

    async def post(
        self, body: Any, signature: str | None = None, raw: bytes | None = None
    ) -> httpx.Response:
        """POST ``body`` signed with the app secret (or with ``signature``)."""
        data = raw if raw is not None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        sig = meta_signature(data, SECRET) if signature is None else signature
        if sig:
            headers["X-Hub-Signature-256"] = sig
        answer = await self.http.post(self.url + PATH, content=data, headers=headers)
        await self.channel.drain(timeout=10)
        return answer


@pytest.fixture()
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture()
def agent() -> SimpleNamespace:
    """Rasa's agent as the channel sees it: a tracker store (empty unless a test fills it)."""
    return SimpleNamespace(tracker_store=FakeTrackerStore())


@pytest.fixture()
async def hook(
    db: Engine, graph: FakeApi, rasa: FakeRasa, agent: SimpleNamespace
) -> AsyncIterator[Webhook]:
    channel = WhatsAppInput(settings_for(graph))
    async with serve_channel(channel, rasa, agent) as url, httpx.AsyncClient() as http:
        yield Webhook(channel, url, http, rasa)


def tracker(sender: str, events: list[Any]) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        sender, events, slots=[TextSlot("language", mappings=[{}])]
    )


# --- verification handshake ----------------------------------------------------------------------


async def test_verification_answers_the_challenge_with_the_right_token(hook: Webhook) -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    answer = await hook.http.get(hook.url + PATH, params=params)
    assert answer.status_code == 200
    assert answer.text == "1158201444"
    assert answer.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY, "hub.challenge": "1"},
        {},
    ],
)
async def test_verification_refused_otherwise(hook: Webhook, params: dict[str, str]) -> None:
    answer = await hook.http.get(hook.url + PATH, params=params)
    assert answer.status_code == 403
    assert "1" not in answer.text


# --- signatures ----------------------------------------------------------------------------------


def _hello(wamid: str = "wamid.HBgM1") -> dict[str, Any]:
    return meta_webhook([meta_text(WA_ID, wamid, "bonjour")])


async def test_signed_text_reaches_rasa_with_sender_and_text(hook: Webhook) -> None:
    answer = await hook.post(_hello())
    assert answer.status_code == 200
    [message] = hook.rasa.received
    assert (message.text, message.sender_id, message.input_channel) == (
        "bonjour",
        f"whatsapp:{WA_ID}",
        "whatsapp",
    )
    assert message.message_id == "wamid.HBgM1"
    assert isinstance(message.output_channel, WhatsAppOutput)


@pytest.mark.parametrize(
    ("signature", "tamper"),
    [
        ("sha256=" + "0" * 64, False),  # wrong signature
        ("", False),  # no header
        (None, True),  # signed, then the body changed
        ("sha1=abcdef", False),  # not the SHA-256 scheme
    ],
)
async def test_forged_calls_are_refused(
    hook: Webhook, graph: FakeApi, signature: str | None, tamper: bool
) -> None:
    body = json.dumps(_hello()).encode()
    if tamper:
        signature = meta_signature(body, SECRET)
        body = body.replace(b"bonjour", b"BONJOUR")
    answer = await hook.post(None, signature=signature, raw=body)
    assert answer.status_code == 403
    assert hook.rasa.received == []
    assert graph.requests == []


async def test_signature_with_another_secret_is_refused(hook: Webhook) -> None:
    body = json.dumps(_hello()).encode()
    answer = await hook.post(None, signature=meta_signature(body, "another-secret"), raw=body)
    assert answer.status_code == 403
    assert hook.rasa.received == []


@pytest.mark.parametrize("raw", [b"{not json", b"", b"[1, 2]", "\u00e9".encode("latin-1")])
async def test_malformed_body_after_a_valid_signature_is_400(hook: Webhook, raw: bytes) -> None:
    answer = await hook.post(None, raw=raw)
    assert answer.status_code == 400
    assert hook.rasa.received == []


# --- what reaches Rasa ---------------------------------------------------------------------------


async def test_button_and_list_replies_reach_rasa_as_their_payload(hook: Webhook) -> None:
    payload_a = '/register_mission{"event_slug": "sample-dakar-b2b-mission-2026"}'
    payload_b = '/inform{"sector": "agrifood"}'
    await hook.post(meta_webhook([meta_button_reply(WA_ID, "wamid.B1", payload_a, "Dakar")]))
    await hook.post(meta_webhook([meta_list_reply(WA_ID, "wamid.L1", payload_b, "Agro")]))
    assert [m.text for m in hook.rasa.received] == [payload_a, payload_b]
    assert {m.sender_id for m in hook.rasa.received} == {f"whatsapp:{WA_ID}"}


async def test_statuses_are_answered_200_and_ignored(
    hook: Webhook, graph: FakeApi, caplog: pytest.LogCaptureFixture
) -> None:
    body = meta_webhook(
        statuses=[
            meta_status("wamid.out.1", WA_ID, "sent"),
            meta_status("wamid.out.1", WA_ID, "read"),
            meta_status("wamid.out.2", WA_ID, "failed"),
        ]
    )
    with caplog.at_level(logging.WARNING, logger="bot.channels.whatsapp"):
        answer = await hook.post(body)
    assert answer.status_code == 200
    assert hook.rasa.received == [] and graph.requests == []
    assert "131026" in caplog.text  # a failed delivery is logged with its error


async def test_a_redelivered_message_gets_one_reply(hook: Webhook, graph: FakeApi) -> None:
    hook.rasa.replies = [{"text": "Bonjour !"}]
    for _ in range(3):
        assert (await hook.post(_hello("wamid.SAME"))).status_code == 200
    assert len(hook.rasa.received) == 1
    assert len(graph.messages(WA_ID)) == 1


async def test_several_messages_in_one_call_are_handled_in_order(hook: Webhook) -> None:
    texts = ["un", "deux", "trois"]
    body = meta_webhook([meta_text(WA_ID, f"wamid.M{i}", t) for i, t in enumerate(texts)])
    await hook.post(body)
    assert [m.text for m in hook.rasa.received] == texts


async def test_messages_to_another_phone_number_are_ignored(hook: Webhook) -> None:
    body = meta_webhook([meta_text(WA_ID, "wamid.X", "bonjour")], phone_number_id="999")
    assert (await hook.post(body)).status_code == 200
    assert hook.rasa.received == []


async def test_unexpected_shapes_are_200_not_500(hook: Webhook) -> None:
    for body in (
        {"object": "whatsapp_business_account", "entry": "nope"},
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": []}]}]},
        {"entry": [{"changes": [{"value": {"messages": [{"type": "text"}, 42]}}]}]},
        {},
    ):
        assert (await hook.post(body)).status_code == 200
    assert hook.rasa.received == []


async def test_webhook_answers_before_the_message_is_handled(hook: Webhook) -> None:
    hook.rasa.gate = asyncio.Event()
    data = json.dumps(_hello("wamid.SLOW")).encode()
    headers = {"X-Hub-Signature-256": meta_signature(data, SECRET)}
    answer = await hook.http.post(hook.url + PATH, content=data, headers=headers)
    assert answer.status_code == 200
    assert hook.rasa.received == []  # still waiting for Rasa
    hook.rasa.gate.set()
    assert await hook.channel.drain(timeout=5)
    assert [m.text for m in hook.rasa.received] == ["bonjour"]


async def test_a_bare_number_picks_the_button_the_bot_offered(
    hook: Webhook, agent: SimpleNamespace
) -> None:
    buttons = [
        {"title": f"Secteur {i}", "payload": f'/inform{{"sector": "s{i}"}}'} for i in range(1, 13)
    ]
    agent.tracker_store.trackers[f"whatsapp:{WA_ID}"] = tracker(
        WA_ID, [UserUttered("secteur"), BotUttered("Lequel ?", {"buttons": buttons})]
    )
    await hook.post(meta_webhook([meta_text(WA_ID, "wamid.N1", "11")]))
    await hook.post(meta_webhook([meta_text(WA_ID, "wamid.N2", "٢")]))
    await hook.post(meta_webhook([meta_text(WA_ID, "wamid.N3", "13")]))  # out of range
    await hook.post(meta_webhook([meta_text(WA_ID, "wamid.N4", "la 3")]))
    assert [m.text for m in hook.rasa.received] == [
        buttons[10]["payload"],
        buttons[1]["payload"],
        beyond(12),
        buttons[2]["payload"],
    ]


async def test_a_number_picks_the_event_of_a_list_not_the_last_events_button(
    hook: Webhook, agent: SimpleNamespace
) -> None:
    """Each event of a list is its own message with [Détails] [M'inscrire] reply buttons, which
    WhatsApp does not number: "2" is the second event, not the last event's second button."""
    cards = event_cards("dakar", "abidjan", "lagos")
    agent.tracker_store.trackers[f"whatsapp:{WA_ID}"] = tracker(
        WA_ID, [UserUttered("missions"), *cards]
    )
    await hook.post(meta_webhook([meta_text(WA_ID, "wamid.L1", "2")]))
    await hook.post(meta_webhook([meta_text(WA_ID, "wamid.L2", "التانية")]))
    assert [m.text for m in hook.rasa.received] == [details_payload("abidjan")] * 2


async def test_a_number_after_a_turn_without_choices_is_an_unclear_message(
    hook: Webhook, agent: SimpleNamespace
) -> None:
    agent.tracker_store.trackers[f"whatsapp:{WA_ID}"] = tracker(
        WA_ID,
        [
            BotUttered("Secteur ?", {"buttons": [{"title": "A", "payload": "/a"}]}),
            UserUttered("/a"),
            BotUttered("Votre téléphone ?"),
        ],
    )
    await hook.post(meta_webhook([meta_text(WA_ID, "wamid.P1", "1")]))
    await hook.post(meta_webhook([meta_text(WA_ID, "wamid.P2", "0612345678")]))
    assert [m.text for m in hook.rasa.received] == [UNANSWERED, "0612345678"]


# --- unsupported messages ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(MEDIA_CONTENT))
async def test_unsupported_types_get_a_polite_reply_in_every_language(
    hook: Webhook, graph: FakeApi, kind: str
) -> None:
    answer = await hook.post(meta_webhook([meta_media(WA_ID, f"wamid.{kind}", kind)]))
    assert answer.status_code == 200
    assert hook.rasa.received == []
    [sent] = graph.messages(WA_ID)
    body = sent["text"]["body"]
    assert all(TEXTS["unsupported"][code] in body for code in ("fr", "ar", "en"))


async def test_polite_reply_in_the_language_stored_for_the_user(
    hook: Webhook, graph: FakeApi, db: Engine
) -> None:
    with Session(db) as session, session.begin():
        session.add(User(channel="whatsapp", channel_user_id=WA_ID, language="ar"))
    await hook.post(meta_webhook([meta_media(WA_ID, "wamid.IMG", "image")]))
    [sent] = graph.messages(WA_ID)
    assert sent["text"]["body"] == TEXTS["unsupported"]["ar"]


async def test_polite_reply_in_the_conversation_language(
    hook: Webhook, graph: FakeApi, agent: SimpleNamespace
) -> None:
    agent.tracker_store.trackers[f"whatsapp:{WA_ID}"] = tracker(
        WA_ID, [UserUttered("hello"), SlotSet("language", "en")]
    )
    await hook.post(meta_webhook([meta_media(WA_ID, "wamid.VOICE", "audio")]))
    [sent] = graph.messages(WA_ID)
    assert sent["text"]["body"] == TEXTS["unsupported"]["en"]


async def test_redelivered_image_gets_one_polite_reply(hook: Webhook, graph: FakeApi) -> None:
    for _ in range(2):
        await hook.post(meta_webhook([meta_media(WA_ID, "wamid.STICKER", "sticker")]))
    assert len(graph.messages(WA_ID)) == 1


# --- replies through the Graph API ---------------------------------------------------------------


async def test_replies_are_posted_to_the_graph_api_with_the_token(
    hook: Webhook, graph: FakeApi
) -> None:
    hook.rasa.replies = [{"text": "Bonjour ! Voir https://asmex.org"}]
    await hook.post(_hello())
    [request] = graph.requests
    assert request.path == f"/v21.0/{PHONE_NUMBER_ID}/messages"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA_ID,
        "type": "text",
        "text": {"body": "Bonjour ! Voir https://asmex.org", "preview_url": True},
    }


async def test_long_text_is_split_at_4096_characters(hook: Webhook, graph: FakeApi) -> None:
    paragraphs = [f"Paragraphe {i} " + "x" * 990 for i in range(6)]
    hook.rasa.replies = [{"text": "\n".join(paragraphs)}]
    await hook.post(_hello())
    bodies = [m["text"]["body"] for m in graph.messages(WA_ID)]
    assert len(bodies) == 2
    assert all(len(b) <= 4096 for b in bodies)
    assert "\n".join(bodies) == "\n".join(paragraphs)


async def test_up_to_three_buttons_are_reply_buttons(hook: Webhook, graph: FakeApi) -> None:
    buttons = [
        {"title": "Oui", "payload": "/affirm"},
        {"title": "Non", "payload": "/deny"},
        {"title": "Mission B2B à Dakar (15-18 mars)", "payload": '/ask{"event_slug": "dakar"}'},
    ]
    hook.rasa.replies = [{"text": "Confirmez-vous ?", "buttons": buttons}]
    await hook.post(_hello())
    [sent] = graph.messages(WA_ID)
    assert sent["type"] == "interactive"
    interactive = sent["interactive"]
    assert interactive["type"] == "button"
    assert interactive["body"] == {"text": "Confirmez-vous ?"}
    replies = [b["reply"] for b in interactive["action"]["buttons"]]
    assert [r["id"] for r in replies] == [b["payload"] for b in buttons]
    assert [r["title"] for r in replies][:2] == ["Oui", "Non"]
    assert len(replies[2]["title"]) <= 20 and replies[2]["title"].endswith("…")
    assert all(b["type"] == "reply" for b in interactive["action"]["buttons"])


async def test_four_to_ten_buttons_are_a_list(hook: Webhook, graph: FakeApi) -> None:
    buttons = [
        {"title": f"Salon international de l'agroalimentaire {i}", "payload": f'/e{{"n": {i}}}'}
        for i in range(8)
    ]
    buttons[0]["title"] = "Court"
    hook.rasa.replies = [{"text": "ما هو قطاع نشاطك؟", "buttons": buttons}]
    await hook.post(_hello())
    [sent] = graph.messages(WA_ID)
    interactive = sent["interactive"]
    assert interactive["type"] == "list"
    assert interactive["body"] == {"text": "ما هو قطاع نشاطك؟"}
    assert 0 < len(interactive["action"]["button"]) <= 20
    [section] = interactive["action"]["sections"]
    rows = section["rows"]
    assert [r["id"] for r in rows] == [b["payload"] for b in buttons]
    assert rows[0] == {"id": buttons[0]["payload"], "title": "Court"}
    for row in rows[1:]:
        assert len(row["title"]) <= 24 and len(row["description"]) <= 72
        assert row["description"].startswith("Salon international de l'agroalimentaire")


async def test_more_than_ten_buttons_are_a_numbered_text(hook: Webhook, graph: FakeApi) -> None:
    buttons = [{"title": f"Pays {i}", "payload": f"/c{i}"} for i in range(1, 13)]
    hook.rasa.replies = [{"text": "Quel pays ?", "buttons": buttons}]
    await hook.post(_hello())
    [sent] = graph.messages(WA_ID)
    body = sent["text"]["body"]
    assert body.startswith("Quel pays ?\n\n1. Pays 1\n2. Pays 2\n")
    assert body.endswith("12. Pays 12")


async def test_long_text_with_buttons_keeps_the_body_within_the_limit(
    hook: Webhook, graph: FakeApi
) -> None:
    text = "\n".join(f"Ligne {i} " + "y" * 90 for i in range(30))  # about 3000 characters
    hook.rasa.replies = [{"text": text, "buttons": [{"title": "Oui", "payload": "/affirm"}]}]
    await hook.post(_hello())
    *leading, last = graph.messages(WA_ID)
    assert leading and all(m["type"] == "text" for m in leading)
    assert last["type"] == "interactive"
    assert len(last["interactive"]["body"]["text"]) <= 1024
    joined = "\n".join([*(m["text"]["body"] for m in leading), last["interactive"]["body"]["text"]])
    assert joined == text


async def test_ics_payload_is_uploaded_and_sent_as_a_document(
    hook: Webhook, graph: FakeApi
) -> None:
    ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    hook.rasa.replies = [
        {
            "custom": {
                "type": "ics",
                "filename": "dakar.ics",
                "mime_type": "text/calendar",
                "content": ics,
            }
        }
    ]
    await hook.post(_hello())
    upload, send = graph.requests
    assert upload.path == f"/v21.0/{PHONE_NUMBER_ID}/media"
    assert upload.headers["Authorization"] == f"Bearer {TOKEN}"
    assert upload.form["messaging_product"] == "whatsapp"
    filename, content_type, content = upload.files["file"]
    assert (filename, content.decode()) == ("dakar.ics", ics)
    assert content_type == upload.form["type"] == "text/plain"
    assert send.json["type"] == "document"
    assert send.json["document"] == {"id": "media-1", "filename": "dakar.ics"}


async def test_custom_with_a_link_and_images_are_sent_by_link(
    hook: Webhook, graph: FakeApi
) -> None:
    hook.rasa.replies = [
        {"custom": {"type": "ics", "filename": "a.ics", "link": "https://asmex.org/a.ics"}},
        {"image": "https://asmex.org/logo.png"},
        {"custom": {"anything": "else"}},  # not shown on WhatsApp
    ]
    await hook.post(_hello())
    document, image = graph.messages(WA_ID)
    assert document["document"] == {"link": "https://asmex.org/a.ics", "filename": "a.ics"}
    assert image["type"] == "image" and image["image"] == {"link": "https://asmex.org/logo.png"}


async def test_rate_limit_is_retried_and_a_refused_reply_does_not_stop_the_next(
    hook: Webhook, graph: FakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(WhatsAppOutput, "retry_delay", 0.01)
    graph.queue(429, {"error": {"code": 130429, "message": "throughput"}}, {"Retry-After": "0"})
    graph.queue(400, {"error": {"code": 131009, "message": "Parameter value is not valid"}})
    hook.rasa.replies = [{"text": "un"}, {"text": "deux"}, {"text": "trois"}]
    await hook.post(_hello())
    bodies = [m["text"]["body"] for m in graph.messages(WA_ID)]
    assert bodies == ["un", "un", "deux", "trois"]  # "un" retried, "deux" refused, "trois" sent


# --- settings ------------------------------------------------------------------------------------


def _credentials(**overrides: str) -> dict[str, str]:
    values = {
        "verify_token": VERIFY,
        "app_secret": SECRET,
        "access_token": TOKEN,
        "phone_number_id": PHONE_NUMBER_ID,
        "api_url": "",
    }
    return values | overrides


def test_credentials_build_the_settings_with_the_default_api_url() -> None:
    channel = WhatsAppInput.from_credentials(_credentials())
    assert isinstance(channel, WhatsAppInput) and channel.settings is not None
    assert channel.settings.api_url == "https://graph.facebook.com/v21.0"
    assert channel.name() == "whatsapp"


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"access_token": "changeme"}, "WHATSAPP_ACCESS_TOKEN"),
        ({"app_secret": ""}, "WHATSAPP_APP_SECRET"),
        ({"verify_token": "xxx"}, "WHATSAPP_VERIFY_TOKEN"),
        ({"phone_number_id": " "}, "WHATSAPP_PHONE_NUMBER_ID"),
    ],
)
def test_placeholders_and_half_settings_fail_fast(overrides: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        WhatsAppInput.from_credentials(_credentials(**overrides))


async def test_empty_token_and_secret_turn_the_channel_off(
    rasa: FakeRasa, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.channels.whatsapp"):
        channel = WhatsAppInput.from_credentials(_credentials(access_token="", app_secret=""))
    assert isinstance(channel, WhatsAppInput) and channel.settings is None
    assert "WhatsApp channel off" in caplog.text
    assert channel.get_output_channel() is None
    async with serve_channel(channel, rasa) as url, httpx.AsyncClient() as http:
        posted = await http.post(url + PATH, content=json.dumps(_hello()).encode())
        verified = await http.get(url + PATH, params={"hub.mode": "subscribe"})
        health = await http.get(url + "/webhooks/whatsapp/")
    assert posted.status_code == verified.status_code == 503
    assert health.json() == {"status": "off"}
    assert rasa.received == []


# --- proactive messages --------------------------------------------------------------------------

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)


@pytest.fixture()
async def notifier(graph: FakeApi) -> AsyncIterator[WhatsAppNotifier]:
    found = WhatsAppNotifier(
        GraphClient(settings_for(graph)),
        template_name="asmex_alert",
        template_languages={"fr": "fr", "ar": "ar", "en": "en_US"},
        now=lambda: NOW,
    )
    yield found
    await found.close()


def alert(**fields: Any) -> OutboundMessage:
    values: dict[str, Any] = {
        "recipient": WA_ID,
        "text": "Nouvelle mission : Dakar\n\n15-18 mars 2027",
        "language": "fr",
        "buttons": (Button("Détails", '/ask_mission_details{"event_slug": "dakar"}'),),
    }
    return OutboundMessage(**(values | fields))


@pytest.mark.parametrize("last_inbound_at", [None, NOW - timedelta(hours=24, minutes=1)])
async def test_outside_the_24_hour_window_the_template_is_sent(
    notifier: WhatsAppNotifier, graph: FakeApi, last_inbound_at: datetime | None
) -> None:
    await notifier.send(alert(last_inbound_at=last_inbound_at, language="en"))
    [sent] = graph.messages(WA_ID)
    assert sent["type"] == "template"
    assert sent["template"] == {
        "name": "asmex_alert",
        "language": {"code": "en_US"},
        "components": [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "Nouvelle mission : Dakar · 15-18 mars 2027"}
                ],
            }
        ],
    }


async def test_within_the_window_free_text_and_buttons_are_sent(
    notifier: WhatsAppNotifier, graph: FakeApi
) -> None:
    await notifier.send(alert(last_inbound_at=NOW - timedelta(hours=23)))
    [sent] = graph.messages(WA_ID)
    assert sent["type"] == "interactive"
    assert sent["interactive"]["body"]["text"] == "Nouvelle mission : Dakar\n\n15-18 mars 2027"
    assert sent["interactive"]["action"]["buttons"][0]["reply"] == {
        "id": '/ask_mission_details{"event_slug": "dakar"}',
        "title": "Détails",
    }
    await notifier.send(alert(last_inbound_at=NOW - timedelta(minutes=5), buttons=()))
    assert graph.messages(WA_ID)[-1]["type"] == "text"


async def test_the_message_s_own_template_wins(notifier: WhatsAppNotifier, graph: FakeApi) -> None:
    template = TemplateCall("event_reminder", "ar", ("بعثة داكار", "١٥ مارس"))
    await notifier.send(alert(template=template, language="ar"))
    [sent] = graph.messages(WA_ID)
    assert sent["template"]["name"] == "event_reminder"
    assert sent["template"]["language"] == {"code": "ar"}
    parameters = sent["template"]["components"][0]["parameters"]
    assert [p["text"] for p in parameters] == ["بعثة داكار", "١٥ مارس"]


async def test_no_template_outside_the_window_is_a_delivery_error(graph: FakeApi) -> None:
    bare = WhatsAppNotifier(GraphClient(settings_for(graph)), now=lambda: NOW)
    with pytest.raises(DeliveryError):
        await bare.send(alert())
    assert graph.requests == []
    await bare.close()


async def test_re_engagement_error_falls_back_to_the_template(
    notifier: WhatsAppNotifier, graph: FakeApi
) -> None:
    graph.queue(400, {"error": {"code": 131047, "message": "Re-engagement message"}})
    await notifier.send(alert(last_inbound_at=NOW - timedelta(hours=1)))
    first, second = graph.messages(WA_ID)
    assert first["type"] == "interactive" and second["type"] == "template"


@pytest.mark.parametrize(
    ("status", "body", "headers", "error", "retry_after"),
    [
        (429, {"error": {"code": 4, "message": "slow down"}}, {"Retry-After": "7"}, RateLimited, 7),
        (400, {"error": {"code": 130429, "message": "throughput"}}, {}, RateLimited, None),
        (400, {"error": {"code": 131056, "message": "pair rate limit"}}, {}, RateLimited, None),
        (403, {"error": {"code": 80007, "message": "rate limit"}}, {}, RateLimited, None),
        (
            500,
            {"error": {"code": 131000, "message": "Something went wrong"}},
            {},
            TransientError,
            None,
        ),
        (503, {}, {}, TransientError, None),
        (400, {"error": {"code": 131026, "message": "undeliverable"}}, {}, DeliveryError, None),
        (401, {"error": {"code": 190, "message": "token expired"}}, {}, DeliveryError, None),
    ],
)
async def test_graph_errors_are_mapped(
    notifier: WhatsAppNotifier,
    graph: FakeApi,
    status: int,
    body: dict[str, Any],
    headers: dict[str, str],
    error: type[Exception],
    retry_after: float | None,
) -> None:
    graph.queue(status, body, headers)
    with pytest.raises(error) as raised:
        await notifier.send(alert())
    if error is RateLimited:
        assert raised.value.retry_after == retry_after  # type: ignore[attr-defined]


async def test_unreachable_api_is_transient(graph: FakeApi) -> None:
    settings = settings_for(graph)
    await graph.stop()
    notifier = WhatsAppNotifier(GraphClient(settings), template_name="t", now=lambda: NOW)
    with pytest.raises(TransientError):
        await notifier.send(alert())
    await notifier.close()


def test_notifier_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "WHATSAPP_VERIFY_TOKEN": VERIFY,
        "WHATSAPP_APP_SECRET": SECRET,
        "WHATSAPP_ACCESS_TOKEN": TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_API_URL": "",
        "WHATSAPP_TEMPLATE_NAME": "asmex_alert",
        "WHATSAPP_TEMPLATE_LANGUAGES": "en=en_GB",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    notifier = WhatsAppNotifier.from_env()
    assert notifier.graph.settings.api_url == "https://graph.facebook.com/v21.0"
    assert notifier.template_name == "asmex_alert"
    assert notifier.template_languages == {"fr": "fr", "ar": "ar", "en": "en_GB"}
    assert (notifier.channel, notifier.max_rate_per_second) == ("whatsapp", 80.0)
    assert 0 < notifier.per_recipient_interval <= 10
    monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", "")
    monkeypatch.setenv("WHATSAPP_APP_SECRET", "")
    with pytest.raises(SettingsError):
        WhatsAppNotifier.from_env()
