"""The live handoff pages: the inbox and one handoff, Take / Reply / Hand back through the
Rasa server's console channel (served here on a local port, with its token), the member told
on a fake Telegram Bot API; delegates confined to their region; CSRF and audit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.channels.console import ConsoleInput
from console.app import create_app
from kb.handoff_live import MEMBER_BACK_TO_BOT, add_line
from kb.handoffs import ConversationTurn, request_handoff
from kb.models import AuditEntry, Handoff
from kb.users import get_or_create_user
from tests.console.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    DELEGATE_EMAIL,
    DELEGATE_PASSWORD,
    Browser,
    Now,
    console_settings,
    page_token,
    sign_in,
)
from tests.support.fake_platforms import channel_in_thread
from tests.support.fake_telegram import TOKEN, ThreadedFakeTelegram, fake_telegram_in_thread

RASA_TOKEN = "console-rasa-token-for-the-tests_0123"
CHAT = 777


@pytest.fixture()
def telegram(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadedFakeTelegram]:
    with fake_telegram_in_thread() as fake:
        monkeypatch.setenv("TELEGRAM_TOKEN", TOKEN)
        monkeypatch.setenv("TELEGRAM_BASE_URL", fake.base_url)
        yield fake


@pytest.fixture()
def rasa(
    db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch, telegram: ThreadedFakeTelegram
) -> Iterator[str]:
    """The Rasa server's console channel, on the test's database."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    with channel_in_thread(ConsoleInput(RASA_TOKEN)) as url:
        yield url


@pytest.fixture()
def app(db_url: str, engine: Engine, accounts: object, now: Now, rasa: str) -> Starlette:
    config = console_settings(db_url, CONSOLE_RASA_URL=rasa, CONSOLE_RASA_TOKEN=RASA_TOKEN)
    return create_app(config, now=now, watch_every=None)


def new_handoff(engine: Engine, region: str | None, user: str = str(CHAT)) -> int:
    with Session(engine) as session, session.begin():
        member = get_or_create_user(session, channel="telegram", channel_user_id=user)
        outcome = request_handoff(
            session,
            user_id=member.id,
            language="ar",
            region=region,
            turns=[ConversationTurn("بغيت نتسجل فمعرض دبي", "register_mission", 0.93)],
            slots={"company_name": "Atlas Argan"},
        )
        return outcome.handoff.id


@pytest.fixture()
def admin(browser: Browser) -> TestClient:
    client = browser()
    assert sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 303
    return client


@pytest.fixture()
def delegate(browser: Browser) -> TestClient:
    client = browser()
    assert sign_in(client, DELEGATE_EMAIL, DELEGATE_PASSWORD).status_code == 303
    return client


def post(client: TestClient, handoff_id: int, action: str, **data: str) -> object:
    token = page_token(client, f"/handoffs/{handoff_id}")
    return client.post(f"/handoffs/{handoff_id}/{action}", data={"csrf_token": token, **data})


def test_take_reply_hand_back_reach_the_member_on_telegram(
    admin: TestClient, engine: Engine, telegram: ThreadedFakeTelegram, now: Now
) -> None:
    handoff_id = new_handoff(engine, "souss-massa")
    with Session(engine) as session, session.begin():  # asked 7 minutes before the console's now
        session.get(Handoff, handoff_id).created_at = now() - timedelta(minutes=7)  # type: ignore[union-attr]
    inbox = admin.get("/handoffs")
    assert inbox.status_code == 200 and f'href="/handoffs/{handoff_id}"' in inbox.text
    assert ">7</span> min" in inbox.text  # how long the member has waited
    page = admin.get(f"/handoffs/{handoff_id}")
    for shown in ("بغيت نتسجل فمعرض دبي", "register_mission (0.93)", "Atlas Argan", "souss-massa"):
        assert shown in page.text

    taken = post(admin, handoff_id, "take")
    assert taken.status_code == 303  # type: ignore[attr-defined]
    assert taken.headers["location"] == f"/handoffs/{handoff_id}?done=take&delivery=sent"  # type: ignore[attr-defined]
    telegram.wait_until(lambda: len(telegram.calls_to("sendMessage")) == 1)
    assert str(telegram.calls_to("sendMessage")[0].params["text"]).startswith("انضم مستشار")

    # A canned reply in the member's language fills the textarea, edited before sending.
    page = admin.get(f"/handoffs/{handoff_id}?canned=1")
    assert "مرحبا، أنا مستشار لدى ASMEX" in page.text
    sent = post(admin, handoff_id, "reply", text="مرحبا، أنا مستشار لدى ASMEX. التسجيل مفتوح.")
    assert sent.headers["location"].endswith("done=reply&delivery=sent")  # type: ignore[attr-defined]
    last = telegram.calls_to("sendMessage")[-1]
    assert (
        last.params["text"] == "مرحبا، أنا مستشار لدى ASMEX. التسجيل مفتوح."
        and last.chat_id == CHAT
    )
    page = admin.get(f"/handoffs/{handoff_id}")
    assert "التسجيل مفتوح." in page.text and "delivery-sent" in page.text

    back = post(admin, handoff_id, "hand-back")
    assert back.headers["location"].endswith("done=hand-back&delivery=sent")  # type: ignore[attr-defined]
    with Session(engine) as session:
        row = session.get(Handoff, handoff_id)
        assert row is not None and row.status == "closed" and row.first_reply_at is not None
        audited = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    handoff_entries = [(e.action, e.target_id) for e in audited if e.action.startswith("handoff")]
    assert handoff_entries == [
        ("handoff.take", str(handoff_id)),
        ("handoff.reply", str(handoff_id)),
        ("handoff.hand_back", str(handoff_id)),
    ]
    assert all("التسجيل" not in (e.details or "") for e in audited)  # no message text
    assert post(admin, handoff_id, "reply", text="encore").status_code == 409  # type: ignore[attr-defined]
    closed = admin.get("/handoffs?status=closed")
    assert f'href="/handoffs/{handoff_id}"' in closed.text


def test_without_a_session_pages_redirect_and_posts_are_refused(
    browser: Browser, engine: Engine
) -> None:
    handoff_id = new_handoff(engine, "souss-massa")
    anonymous = browser()
    for path in ("/handoffs", f"/handoffs/{handoff_id}"):
        answer = anonymous.get(path)
        assert answer.status_code in (302, 303) and "/login" in answer.headers["location"]
    token = page_token(anonymous)
    answer = anonymous.post(f"/handoffs/{handoff_id}/take", data={"csrf_token": token})
    assert answer.status_code in (302, 303, 401)
    with Session(engine) as session:
        assert session.get(Handoff, handoff_id).status == "open"  # type: ignore[union-attr]


def test_a_delegate_sees_only_their_region(delegate: TestClient, engine: Engine) -> None:
    theirs = new_handoff(engine, "souss-massa", user="1")
    other = new_handoff(engine, "oriental", user="2")
    unknown = new_handoff(engine, None, user="3")
    inbox = delegate.get("/handoffs").text
    assert f'href="/handoffs/{theirs}"' in inbox
    assert f'href="/handoffs/{other}"' not in inbox and f'href="/handoffs/{unknown}"' not in inbox
    assert delegate.get(f"/handoffs/{theirs}").status_code == 200
    assert '<strong dir="ltr">1</strong>' in delegate.get("/").text  # their region's only
    for refused in (other, unknown):
        assert delegate.get(f"/handoffs/{refused}").status_code == 403
        token = page_token(delegate, f"/handoffs/{theirs}")
        answer = delegate.post(f"/handoffs/{refused}/take", data={"csrf_token": token})
        assert answer.status_code == 403
    with Session(engine) as session:
        assert session.get(Handoff, other).status == "open"  # type: ignore[union-attr]


def test_a_post_without_a_valid_csrf_token_is_refused(admin: TestClient, engine: Engine) -> None:
    handoff_id = new_handoff(engine, "souss-massa")
    for data in ({}, {"csrf_token": "0" * 64}):
        assert admin.post(f"/handoffs/{handoff_id}/take", data=data).status_code == 403
    with Session(engine) as session:
        assert session.get(Handoff, handoff_id).status == "open"  # type: ignore[union-attr]


def test_unknown_handoffs_statuses_and_empty_replies(admin: TestClient, engine: Engine) -> None:
    handoff_id = new_handoff(engine, "souss-massa")
    assert admin.get("/handoffs/999999").status_code == 404
    assert admin.get("/handoffs/abc").status_code == 404
    assert admin.get("/handoffs?status=lost").status_code == 400
    post(admin, handoff_id, "take")
    assert post(admin, handoff_id, "reply", text="   ").status_code == 400  # type: ignore[attr-defined]


def test_the_back_to_the_assistant_note_is_in_the_readers_language(
    admin: TestClient, delegate: TestClient, engine: Engine
) -> None:
    handoff_id = new_handoff(engine, "souss-massa")
    with Session(engine) as session, session.begin():
        add_line(session, handoff_id=handoff_id, direction="system", text=MEMBER_BACK_TO_BOT)
        add_line(session, handoff_id=handoff_id, direction="member", text=MEMBER_BACK_TO_BOT)
    french = admin.get(f"/handoffs/{handoff_id}").text  # the admin reads French
    arabic = delegate.get(f"/handoffs/{handoff_id}").text  # the delegate reads Arabic
    assert "le membre est revenu à l'assistant" in french.replace("&#39;", "'")
    assert "عاد العضو إلى المساعد الآلي" in arabic
    # only the staff note is translated: a member who typed the same words is shown verbatim
    assert french.count(MEMBER_BACK_TO_BOT) == 1 and arabic.count(MEMBER_BACK_TO_BOT) == 1


def test_the_arabic_inbox_reads_right_to_left(delegate: TestClient, engine: Engine) -> None:
    new_handoff(engine, "souss-massa")
    page = delegate.get("/handoffs").text  # the delegate's interface language is Arabic
    assert 'dir="rtl"' in page and "طلبات التحدث مع مستشار" in page


def test_the_rasa_server_down_changes_nothing(
    browser: Browser, db_url: str, engine: Engine, accounts: object, now: Now
) -> None:
    config = console_settings(
        db_url, CONSOLE_RASA_URL="http://127.0.0.1:9", CONSOLE_RASA_TOKEN=RASA_TOKEN
    )
    client = browser(target=create_app(config, now=now, watch_every=None))
    assert sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 303
    handoff_id = new_handoff(engine, "souss-massa")
    assert post(client, handoff_id, "take").status_code == 502  # type: ignore[attr-defined]
    with Session(engine) as session:
        assert session.get(Handoff, handoff_id).status == "open"  # type: ignore[union-attr]
        assert not [e for e in session.scalars(select(AuditEntry)) if e.action == "handoff.take"]


def test_the_wrong_token_is_refused_by_the_rasa_server(
    browser: Browser, db_url: str, engine: Engine, accounts: object, now: Now, rasa: str
) -> None:
    config = console_settings(db_url, CONSOLE_RASA_URL=rasa, CONSOLE_RASA_TOKEN="not-the-token")
    client = browser(target=create_app(config, now=now, watch_every=None))
    assert sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 303
    handoff_id = new_handoff(engine, "souss-massa")
    assert post(client, handoff_id, "take").status_code == 502  # type: ignore[attr-defined]
    with Session(engine) as session:
        assert session.get(Handoff, handoff_id).status == "open"  # type: ignore[union-attr]


class _LiveParts(HTMLParser):
    """The ids of a page's data-live elements, and the tags each one contains."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: dict[str, list[str]] = {}
        self._open: list[tuple[str, str | None]] = []  # (tag, live id) of the open elements

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        live = names.get("id") if "data-live" in names else None
        for _, inside in self._open:
            if inside is not None:
                self.parts[inside].append(tag)
        if live is not None:
            self.parts[live] = []
        if tag not in ("br", "input", "meta", "link", "img", "hr"):
            self._open.append((tag, live))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop()[0] == tag:
                break


def live_parts(html: str) -> dict[str, list[str]]:
    parser = _LiveParts()
    parser.feed(html)
    return parser.parts


def test_the_inbox_and_a_handoffs_page_refresh_themselves_and_the_reply_form_does_not(
    admin: TestClient, engine: Engine
) -> None:
    handoff_id = new_handoff(engine, "souss-massa")
    inbox = admin.get("/handoffs").text
    page = admin.get(f"/handoffs/{handoff_id}").text
    assert '<script src="/static/live.js" defer></script>' in inbox
    assert 'data-live-seconds="10"' in inbox and set(live_parts(inbox)) == {"inbox"}
    assert 'data-live-seconds="10"' in page
    # status, who took it, slots, registrations and transcript follow the member and the other
    # staff; a refresh never replaces a form, so never what staff are typing
    parts = live_parts(page)
    assert set(parts) == {"handoff-title", "facts", "slots", "registrations", "transcript"}
    assert all("form" not in tags and "input" not in tags for tags in parts.values())
    assert f'action="/handoffs/{handoff_id}/take"' in page
    script = admin.get("/static/live.js")
    assert script.status_code == 200 and "data-live-seconds" in script.text
    assert "data-live" not in admin.get("/events").text
