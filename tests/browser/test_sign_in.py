"""Signing in, the lockout, signing out and roles, in a real browser on the real server."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.conftest import shot, sign_in
from tests.browser.console_server import ADMIN, DELEGATE, LOCKED

WRONG = "pas-le-bon-mot-de-passe"
LOGIN_FAILED_FR = "Adresse ou mot de passe incorrect"


def test_a_wrong_password_shows_the_error_and_opens_no_session(page: Page) -> None:
    page.goto("/")
    assert "/login" in page.url
    shot(page, "login")
    sign_in(page, ADMIN, password=WRONG)
    assert LOGIN_FAILED_FR in page.inner_text("[role=alert]")
    assert page.input_value("#email") == ADMIN.email  # kept, the password not
    assert page.input_value("#password") == ""
    page.goto("/events")
    assert "/login" in page.url


def test_the_right_password_opens_the_dashboard_and_logout_ends_it(page: Page) -> None:
    page.goto("/events")
    sign_in(page, ADMIN)
    assert page.url.endswith("/")  # sign_in opened /login itself, so no ?next
    assert page.inner_text("h1") == "Tableau de bord"
    assert ADMIN.email in page.inner_text(".who")
    nav = page.inner_text("header nav")
    for label in ("Événements", "Réponses types", "Journal d'audit", "Statistiques"):
        assert label in nav
    shot(page, "home")
    page.click("form[action='/logout'] button")
    page.wait_for_url("**/login**")
    page.goto("/audit")
    assert "/login?next=/audit" in page.url


def test_next_brings_back_to_the_page_asked_for(page: Page) -> None:
    page.goto("/canned")
    page.fill("#email", ADMIN.email)
    page.fill("#password", ADMIN.password)
    page.click("button.primary")
    page.wait_for_url("**/canned")
    assert page.inner_text("h1") == "Réponses types"


def test_five_failures_lock_the_account_even_for_its_right_password(page: Page) -> None:
    for _ in range(5):
        sign_in(page, LOCKED, password=WRONG)
        assert LOGIN_FAILED_FR in page.inner_text("[role=alert]")
    sign_in(page, LOCKED)
    assert "/login" in page.url and LOGIN_FAILED_FR in page.inner_text("[role=alert]")
    # Another account from the same address is not locked.
    sign_in(page, ADMIN)
    assert page.url.endswith("/")
    page.goto("/audit")
    assert "staff.lock" in page.inner_text("table")


def test_a_delegate_sees_no_admin_page(page: Page) -> None:
    sign_in(page, DELEGATE)
    assert page.inner_text("h1") == "Tableau de bord"
    nav = page.inner_text("header nav")
    assert "Accueil" in nav and "Mon compte" in nav and "Événements" not in nav
    for path in ("/events", "/events/new", "/canned", "/audit", "/analytics?days=7"):
        response = page.goto(path)
        assert response is not None and response.status == 403, path
        assert "/login" not in page.url
    response = page.goto("/handoffs")  # their region's requests: theirs to see
    assert response is not None and response.status == 200
