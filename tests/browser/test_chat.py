"""An event created in the console is answered in chat: the console, the action server and
the Rasa server (the trained model) on one knowledge base, a member on the REST channel."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import VIEWPORT, sign_in
from tests.browser.console_server import ADMIN, Console, add_staff, console_env, running_console
from tests.e2e.conftest import E2E_TODAY
from tests.e2e.servers import Servers, running_servers
from tests.e2e.stack import prepare_database

pytestmark = pytest.mark.model

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


@pytest.fixture(scope="module")
def stack(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The demo knowledge base (no event in Canada), its first admin, and the three servers."""
    workdir = tmp_path_factory.mktemp("chat")
    database_url = f"sqlite:///{workdir / 'kb.db'}"
    prepare_database(database_url)
    env = console_env(database_url, workdir, ASMEX_TODAY=E2E_TODAY)
    add_staff(env, ADMIN)
    with (
        running_console(env, workdir) as console,
        running_servers(
            trained_model, workdir, {"ASMEX_TODAY": E2E_TODAY, "DATABASE_URL": database_url}
        ) as servers,
    ):
        yield Stack(console, servers)


def replies_text(servers: Servers, sender: str, text: str) -> str:
    return "\n".join(str(reply.get("text", "")) for reply in servers.send(sender, text))


@pytest.fixture()
def admin(chromium: Browser, stack: Stack) -> Iterator[Page]:
    context = chromium.new_context(viewport=VIEWPORT, locale="fr-FR", base_url=stack.console.url)
    page = context.new_page()
    sign_in(page, ADMIN)
    yield page
    context.close()


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
