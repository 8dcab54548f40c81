"""Fixtures of the browser tests: Debian's chromium (one per session, driven by Playwright),
the real console server over a database whose accounts come from the admin CLI, a fresh
browser context (cookies) per test at 1280x800, signing in, and the screenshots."""

from __future__ import annotations

import io
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.console_server import (
    ADMIN,
    DELEGATE,
    LOCKED,
    Account,
    Console,
    add_staff,
    admin_cli,
    console_env,
    running_console,
)
from tests.support.project import ROOT
from tests.support.tracker_events import tracker_engine
from tests.support.tracker_fixtures import members_messages

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
VIEWPORT = {"width": 1280, "height": 800}
SCREENSHOTS = ROOT / "docs" / "console"
#: A screenshot larger than this is not committed (the docs stay light).
MAX_SCREENSHOT_BYTES = 150_000
DAY = 86_400.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test of this folder is a browser test."""
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)


def chromium_path() -> str | None:
    """Debian's chromium (scripts/browser.sh installs it), or None."""
    for candidate in (*CHROMIUM_PATHS, shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="package")
def chromium() -> Iterator[Browser]:
    """One headless chromium for the browser tests, stopped after the last of them.

    Playwright's sync API keeps its own event loop running in the main thread while it is
    started: a session-wide driver made every later test's ``asyncio.run`` fail ("cannot be
    called from a running event loop"), so the driver lives only as long as this package."""
    path = chromium_path()
    if path is None:
        pytest.skip("chromium is not installed (scripts/browser.sh installs Debian's chromium)")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=path, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    """The console on a new SQLite database: the first admin made by add-staff (which creates
    the schema), the demo knowledge base loaded, a delegate, the account the lockout test
    locks, and members' messages of five days of the week in the conversation store (analytics)."""
    workdir = tmp_path_factory.mktemp("console")
    env = console_env(f"sqlite:///{workdir / 'kb.db'}", workdir)
    add_staff(env, ADMIN)
    admin_cli(env, "load-kb")
    add_staff(env, DELEGATE)
    add_staff(env, LOCKED)
    tracker = tracker_engine(workdir / "tracker.db")
    for days_ago in (0, 1, 1, 3, 4, 4, 4, 6):  # a week with busy and quiet days
        members_messages(time.time() - days_ago * DAY).store(tracker)
    tracker.dispose()
    with running_console(env, workdir) as running:
        yield running


@pytest.fixture()
def page(chromium: Browser, console: Console) -> Iterator[Page]:
    """A new browser context (its own cookies) at 1280x800, French first, and its page."""
    context = chromium.new_context(viewport=VIEWPORT, locale="fr-FR", base_url=console.url)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def sign_in(page: Page, account: Account, password: str | None = None) -> None:
    """Fill and send the login form as a person does."""
    page.goto("/login")
    page.fill("#email", account.email)
    page.fill("#password", password or account.password)
    page.click("button.primary")
    page.wait_for_load_state()


@pytest.fixture()
def admin(page: Page) -> Page:
    """A page signed in as the admin, on the dashboard."""
    sign_in(page, ADMIN)
    assert page.url.endswith("/")
    return page


def shot(page: Page, name: str, full_page: bool = False) -> None:
    """With UPDATE_SCREENSHOTS=1, the page as seen (1280x800, or the whole page 1280 wide)
    into docs/console/NAME.png."""
    if os.environ.get("UPDATE_SCREENSHOTS") != "1":
        return
    target = SCREENSHOTS / f"{name}.png"
    image = Image.open(io.BytesIO(page.screenshot(full_page=full_page))).convert("RGB")
    # 256 colours are plenty for a page of text and flat charts, and keep the file small.
    image.quantize(colors=256).save(target, optimize=True)
    size = target.stat().st_size
    assert size < MAX_SCREENSHOT_BYTES, f"{target.name} is {size} bytes"
