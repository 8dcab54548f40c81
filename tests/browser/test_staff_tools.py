"""Canned replies, each account's language (Arabic right to left, English), the analytics
page's SVG charts and the audit log, in a real browser on the real server."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.conftest import shot, sign_in
from tests.browser.console_server import DELEGATE

CANNED = {
    "title": "Salon : documents à préparer",
    "text_fr": "Pour le salon, préparez votre catalogue et votre certificat d'origine.",
    "text_ar": "من أجل المعرض، جهّز الكتالوج وشهادة المنشأ ديالك.",
    "text_en": "For the fair, have your catalogue and certificate of origin ready.",
}


def test_a_canned_reply_is_created_checked_and_edited(admin: Page) -> None:
    admin.goto("/canned/new")
    admin.fill("#f-title", CANNED["title"])
    admin.fill("#f-text_fr", CANNED["text_fr"])
    admin.fill("#f-text_en", CANNED["text_en"])
    admin.fill("#f-text_ar", "   ")  # only spaces: refused, nothing saved
    admin.click("form button.primary")
    admin.wait_for_load_state()
    assert admin.locator("p.error[data-field=text_ar]").count() == 1
    assert admin.input_value("#f-text_fr") == CANNED["text_fr"]
    admin.fill("#f-text_ar", CANNED["text_ar"])
    admin.click("form button.primary")
    admin.wait_for_url("**/canned")
    row = admin.locator("tr", has_text=CANNED["title"])
    assert row.count() == 1
    assert CANNED["text_ar"] in row.locator("td[lang=ar]").inner_text()
    assert row.locator("td[lang=ar]").get_attribute("dir") == "rtl"
    row.locator("a[href$='/edit']").click()
    admin.fill("#f-text_en", "For the fair, bring your catalogue.")
    admin.click("form button.primary")
    admin.wait_for_url("**/canned")
    assert "For the fair, bring your catalogue." in admin.inner_text("table")
    shot(admin, "canned", full_page=True)


def test_the_language_of_an_account_arabic_right_to_left_then_english(page: Page) -> None:
    sign_in(page, DELEGATE)
    page.goto("/profile")
    assert page.get_attribute("html", "dir") == "ltr"
    page.check("input[name=language][value=ar]")
    page.click("main form button.primary")
    page.wait_for_load_state()
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
    assert page.inner_text("h1") == "حسابي"
    assert "تم حفظ اللغة." in page.inner_text("main")
    shot(page, "profile-ar")
    page.goto("/")  # stored on the account: every page follows
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.inner_text("h1") == "لوحة القيادة"
    assert "الرئيسية" in page.inner_text("header nav")
    # Right to left for real: the navigation starts at the right edge.
    nav = page.locator("header nav").bounding_box()
    brand = page.locator(".brand").bounding_box()
    assert nav and brand and brand["x"] > nav["x"]
    shot(page, "home-ar")
    page.goto("/profile")
    page.check("input[name=language][value=en]")
    page.click("main form button.primary")
    page.wait_for_load_state()
    assert page.get_attribute("html", "dir") == "ltr"
    assert page.inner_text("h1") == "My account" and "Language saved." in page.inner_text("main")
    page.check("input[name=language][value=fr]")
    page.click("main form button.primary")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "Mon compte"


def test_the_header_switch_changes_the_language(admin: Page) -> None:
    admin.goto("/events")
    admin.select_option("#language", "ar")
    admin.click("form[action='/language'] button")
    admin.wait_for_url("**/events")
    assert admin.get_attribute("html", "dir") == "rtl" and admin.inner_text("h1") == "الأحداث"
    shot(admin, "events-ar")
    admin.select_option("#language", "fr")
    admin.click("form[action='/language'] button")
    admin.wait_for_url("**/events")
    assert admin.get_attribute("html", "dir") == "ltr"


def test_the_analytics_page_draws_its_svg_charts(admin: Page) -> None:
    admin.click("header nav >> text=Statistiques")
    admin.wait_for_url("**/analytics")
    charts = admin.locator("main svg")
    assert charts.count() >= 2
    for index in range(charts.count()):
        chart = charts.nth(index)
        box = chart.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50  # drawn, not collapsed
        assert chart.locator("title").count() >= 1
    # The day's messages of the conversation store (French, Arabic, Darija, English) are counted.
    assert admin.locator("main svg rect").count() >= 3
    admin.goto("/analytics?days=7")
    shot(admin, "analytics", full_page=True)
    admin.goto("/profile")
    admin.check("input[name=language][value=ar]")
    admin.click("main form button.primary")
    admin.goto("/analytics?days=7")
    try:
        assert admin.get_attribute("html", "dir") == "rtl"
        assert admin.locator("main svg").count() == charts.count()
        shot(admin, "analytics-ar", full_page=True)
    finally:
        admin.goto("/profile")
        admin.check("input[name=language][value=fr]")
        admin.click("main form button.primary")


def test_the_audit_log_shows_staff_changes(admin: Page) -> None:
    admin.goto("/profile")
    admin.check("input[name=language][value=fr]")
    admin.click("main form button.primary")
    admin.wait_for_load_state()
    admin.click("header nav >> text=Journal d'audit")
    admin.wait_for_url("**/audit")
    first = admin.locator("tbody tr").first.inner_text()
    assert "staff.language" in first and "nadia.admin@asmex.ma" in first
    assert "staff.add" in admin.inner_text("table")  # the accounts made by the CLI
    shot(admin, "audit")
