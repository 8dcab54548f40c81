"""The console beside the assistant (the trained model): the console, the action server and
the Rasa server on one knowledge base, members on the REST channel and on Telegram (a fake
Bot API). An event created in the console is answered in chat; a live handoff is taken,
answered and handed back from the console's pages."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from kb.session import make_engine
from tests.browser.conftest import VIEWPORT, shot, sign_in
from tests.browser.console_server import (
    ADMIN,
    Account,
    Console,
    add_staff,
    console_env,
    running_console,
)
from tests.e2e.conftest import CONSOLE_RASA_TOKEN, E2E_TODAY, telegram_env
from tests.e2e.servers import Servers, running_servers
from tests.e2e.stack import prepare_database
from tests.e2e.test_conversations import assert_said
from tests.e2e.test_telegram_e2e import TelegramChat, Webhook
from tests.support.fake_telegram import (
    ThreadedFakeTelegram,
    fake_telegram_in_thread,
    message_update,
)

pytestmark = pytest.mark.model

#: The delegate of Souss-Massa, who reads the console in Arabic.
SOUSS = Account(
    "hassan.souss@asmex.ma", "argan-taroudant-2026", "delegate", "souss-massa", language="ar"
)

EVENT = {
    "slug": "mission-montreal-2027",
    "type": "mission",
    "title_fr": "Mission textile à Montréal",
    "title_ar": "بعثة النسيج إلى مونتريال",
    "title_en": "Textile mission to Montreal",
    "country": "CA",
    "city": "Montréal",
    "start_date": "2027-05-10",
    "end_date": "2027-05-13",
    "sectors": "textile;logistics",
    "organizer": "ASMEX",
}


@dataclass(frozen=True)
class Stack:
    console: Console
    servers: Servers
    telegram: ThreadedFakeTelegram
    webhook: Webhook


@pytest.fixture(scope="module")
def stack(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The demo knowledge base (no event in Canada), its first admin and a delegate, the
    action and Rasa servers (Telegram in webhook mode on a fake Bot API), and the console
    reaching the Rasa server's console channel."""
    workdir = tmp_path_factory.mktemp("chat")
    database_url = f"sqlite:///{workdir / 'kb.db'}"
    prepare_database(database_url)
    with ExitStack() as running:
        telegram = running.enter_context(fake_telegram_in_thread())
        servers = running.enter_context(
            running_servers(
                trained_model,
                workdir,
                {
                    "ASMEX_TODAY": E2E_TODAY,
                    "DATABASE_URL": database_url,
                    "CONSOLE_RASA_TOKEN": CONSOLE_RASA_TOKEN,
                    **telegram_env(telegram),
                },
            )
        )
        env = console_env(
            database_url,
            workdir,
            ASMEX_TODAY=E2E_TODAY,
            CONSOLE_RASA_URL=servers.rasa_url,
            CONSOLE_RASA_TOKEN=CONSOLE_RASA_TOKEN,
            CONSOLE_LIVE_SECONDS="2",
        )
        add_staff(env, ADMIN)
        add_staff(env, SOUSS)
        console = running.enter_context(running_console(env, workdir))
        telegram.wait_until(lambda: bool(telegram.calls_to("setWebhook")), 60, "setWebhook")
        engine = make_engine(database_url)
        running.callback(engine.dispose)
        yield Stack(console, servers, telegram, Webhook(servers, telegram, engine))


def replies_text(servers: Servers, sender: str, text: str) -> str:
    return "\n".join(str(reply.get("text", "")) for reply in servers.send(sender, text))


def signed_in(chromium: Browser, stack: Stack, account: Account) -> Page:
    context = chromium.new_context(viewport=VIEWPORT, locale="fr-FR", base_url=stack.console.url)
    page = context.new_page()
    sign_in(page, account)
    return page


@pytest.fixture()
def admin(chromium: Browser, stack: Stack) -> Iterator[Page]:
    page = signed_in(chromium, stack, ADMIN)
    yield page
    page.context.close()


def test_an_event_created_in_the_console_is_answered_in_chat(admin: Page, stack: Stack) -> None:
    french, darija = "y a-t-il une mission au Canada ?", "واش كاينة شي بعثة لكندا؟"
    before = replies_text(stack.servers, "browser-fr-1", french)
    assert EVENT["title_fr"] not in before
    admin.goto("/events/new")
    for column, value in EVENT.items():
        admin.fill(f"#f-{column}", value)
    admin.click("form button.primary")
    admin.wait_for_load_state()
    assert admin.inner_text(".summary").startswith("créés: 1 ·")
    assert EVENT["title_fr"] in replies_text(stack.servers, "browser-fr-2", french)
    assert EVENT["title_ar"] in replies_text(stack.servers, "browser-ar-1", darija)
    # Cancelled in the console: no longer offered to members.
    admin.goto(f"/events/{EVENT['slug']}/cancel")
    admin.click("main form button")
    admin.wait_for_load_state()
    assert EVENT["title_fr"] not in replies_text(stack.servers, "browser-fr-3", french)


def sent_texts(telegram: ThreadedFakeTelegram, chat_id: int) -> list[str]:
    return [
        str(call.params["text"])
        for call in telegram.calls_to("sendMessage")
        if call.chat_id == chat_id
    ]


def test_a_handoff_from_telegram_is_taken_answered_and_handed_back(
    admin: Page, chromium: Browser, stack: Stack
) -> None:
    chat = TelegramChat(stack.webhook, 7_200_002, "fr")
    chat.say("je veux parler à un conseiller")
    chat.press('/handoff_region{"region": "souss-massa"}')

    # The region's delegate sees it in their inbox, in Arabic, right to left.
    delegate = signed_in(chromium, stack, SOUSS)
    try:
        delegate.goto("/handoffs")
        assert delegate.get_attribute("html", "dir") == "rtl"
        row = delegate.locator("table.handoffs tbody tr")
        assert row.count() == 1 and "souss-massa" in row.inner_text()
        assert "telegram" in row.inner_text() and "fr" in row.inner_text()
        shot(delegate, "handoffs-ar")
        row.locator("a").click()
        delegate.wait_for_url("**/handoffs/*")

        admin.click("header nav >> text=Demandes")
        admin.locator("table.handoffs tbody tr", has_text="souss-massa").locator("a").click()
        admin.wait_for_url("**/handoffs/*")
        admin.click("form[action$='/take'] button")
        admin.wait_for_load_state()
        assert "conseiller de l'ASMEX a rejoint" in sent_texts(stack.telegram, chat.user_id)[-1]
        # The delegate's page, open on the same request, shows who took it without a reload.
        delegate.locator("#facts", has_text=ADMIN.email).wait_for(timeout=15_000)
    finally:
        delegate.context.close()

    # The member's message, held from the dialogue, reaches the page's transcript by itself
    # (console/static/live.js), and the reply being typed is left alone.
    admin.fill("#text", "un brouillon en cours")
    held = "est-ce que je peux m'inscrire à la mission de Dakar ?"
    count = len(sent_texts(stack.telegram, chat.user_id))
    assert stack.webhook.post(_message(held, chat)) == 200
    assert len(sent_texts(stack.telegram, chat.user_id)) == count  # the bot kept quiet
    admin.locator("#transcript ol.transcript", has_text=held).wait_for(timeout=15_000)
    assert admin.input_value("#text") == "un brouillon en cours"

    # A canned reply in the member's language, edited, sent: the fake Bot API receives it.
    admin.select_option("#canned", label="Prise en charge")
    admin.click("form[method=get] button")
    admin.wait_for_load_state()
    assert admin.input_value("#text").startswith("Bonjour, je suis conseiller à l'ASMEX")
    answer = "Bonjour, je suis conseiller à l'ASMEX : oui, je vous inscris à Dakar moi-même."
    admin.fill("#text", answer)
    started = time.perf_counter()
    admin.click("form[action$='/reply'] button")
    stack.telegram.wait_until(
        lambda: answer in sent_texts(stack.telegram, chat.user_id), 30, "the staff reply"
    )
    elapsed = time.perf_counter() - started
    print(f"\nstaff reply, from the console's Send to the fake Bot API: {elapsed * 1000:.0f} ms")
    admin.wait_for_load_state()
    assert answer in admin.inner_text("ol.transcript")
    shot(admin, "handoff", full_page=True)

    # Hand back: the member is told, and the bot answers again.
    admin.click("form[action$='/hand-back'] button")
    admin.wait_for_load_state()
    stack.telegram.wait_until(
        lambda: any("rendu à l'assistant" in t for t in sent_texts(stack.telegram, chat.user_id)),
        30,
        "the hand-back notice",
    )
    assert_said(chat.say("bonjour"), "utter_greet", lang="fr")


def _message(text: str, chat: TelegramChat) -> dict:
    return message_update(text, user_id=chat.user_id, language_code=chat.language_code)
