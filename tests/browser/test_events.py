"""Events and registrations through the console's forms, in a real browser: create an event,
the import's messages beside a bad one's fields, upload a file, a registration's status."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Page
from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.models import Registration
from kb.registrations import create_registration
from kb.session import make_engine
from kb.users import get_or_create_user
from tests.browser.conftest import shot
from tests.browser.console_server import Console

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

UPLOAD = """\
events:
  - slug: forum-nouakchott-2027
    type: forum
    title:
      fr: "Forum d'affaires de Nouakchott"
      ar: "منتدى الأعمال بنواكشوط"
      en: "Nouakchott business forum"
    country: MR
    city: Nouakchott
    start_date: 2027-06-02
    end_date: 2027-06-03
    sectors: [agrifood, fishing]
    organizer: ASMEX
  - slug: salon-accra-2027
    type: fair
    title:
      fr: "Salon de l'emballage d'Accra"
      ar: "معرض التغليف بأكرا"
      en: "Accra packaging fair"
    country: GH
    city: Accra
    start_date: 2027-09-21
    end_date: 2027-09-23
    sectors: [industry]
    organizer: ASMEX
"""


def fill_event(page: Page, values: dict[str, str]) -> None:
    for column, value in values.items():
        page.fill(f"#f-{column}", value)
    page.click("form button.primary")
    page.wait_for_load_state()


def test_an_event_created_through_the_form_is_listed(admin: Page) -> None:
    admin.click("header nav >> text=Événements")
    admin.wait_for_url("**/events")
    shot(admin, "events")
    admin.goto("/events/new")
    fill_event(admin, EVENT)
    assert admin.inner_text(".summary").startswith("créés: 1 ·")
    admin.goto("/events?q=Montréal")
    listed = admin.inner_text("main")
    assert EVENT["title_fr"] in listed and EVENT["slug"] in listed


def test_a_bad_event_shows_each_fields_message_and_saves_nothing(admin: Page) -> None:
    admin.goto("/events/new")
    bad = {**EVENT, "slug": "mission-bad-2027", "country": "ZZ", "end_date": "2027-05-01"}
    fill_event(admin, bad)
    assert admin.inner_text("[role=alert]")
    # The import's own messages (kb.files.event_schema), beside their fields.
    assert "unknown country code 'ZZ'" in admin.inner_text("p.error[data-field=country]")
    end = admin.inner_text("p.error[data-field=end_date]")
    assert "end date 2027-05-01 is before start date 2027-05-10" in end
    assert admin.locator("p.error[data-field=title_fr]").count() == 0
    assert admin.input_value("#f-title_ar") == EVENT["title_ar"]  # what was typed stays
    shot(admin, "event-form-errors", full_page=True)
    admin.goto("/events?q=mission-bad-2027")
    assert "mission-bad-2027" not in admin.inner_text("main")


def test_an_uploaded_file_adds_its_events(admin: Page) -> None:
    admin.goto("/events/upload")
    admin.set_input_files(
        "#file",
        files=[{"name": "events.yml", "mimeType": "text/yaml", "buffer": UPLOAD.encode()}],
    )
    admin.click("form button.primary")
    admin.wait_for_load_state()
    assert admin.inner_text(".summary").startswith("créés: 2 ·")
    admin.goto("/events")
    listed = admin.inner_text("main")
    assert "Forum d'affaires de Nouakchott" in listed and "Salon de l'emballage d'Accra" in listed
    admin.goto("/events/upload")
    admin.set_input_files(
        "#file",
        files=[{"name": "bad.yml", "mimeType": "text/yaml", "buffer": b"events:\n  - slug: x\n"}],
    )
    admin.click("form button.primary")
    admin.wait_for_load_state()
    assert admin.locator("ul.problems li").count() >= 1
    shot(admin, "event-upload-errors")


def seed_registrations(console: Console) -> dict[str, int]:
    """Two members registered to a demo-free event, through the kb repository."""
    engine = make_engine(console.database_url)
    try:
        with Session(engine) as session, session.begin():
            ids = {}
            for chat, company, contact in (
                ("4242", "Conserverie Atlas SARL", "Samira El Idrissi"),
                ("212600000042", "تعاونية أركان سوس", "خديجة أوعلي"),
            ):
                channel = "telegram" if chat == "4242" else "whatsapp"
                user = get_or_create_user(session, channel=channel, channel_user_id=chat)
                outcome = create_registration(
                    session,
                    event_slug="forum-dakhla-browser-2027",
                    user_id=user.id,
                    company_name=company,
                    contact_name=contact,
                    sector="agrifood",
                    today=date(2026, 12, 1),
                )
                ids[company] = outcome.registration.id
            return ids
    finally:
        engine.dispose()


def test_a_registrations_status_is_changed(admin: Page, console: Console) -> None:
    admin.goto("/events/new")
    fill_event(
        admin,
        {
            **EVENT,
            "slug": "forum-dakhla-browser-2027",
            "type": "forum",
            "title_fr": "Forum Dakhla Atlantique",
            "title_ar": "منتدى الداخلة الأطلسي",
            "title_en": "Dakhla Atlantic forum",
            "country": "MA",
            "city": "Dakhla",
        },
    )
    ids = seed_registrations(console)
    admin.goto("/events/forum-dakhla-browser-2027/registrations")
    table = admin.inner_text("table")
    assert "Conserverie Atlas SARL" in table and "تعاونية أركان سوس" in table
    arabic = ids["تعاونية أركان سوس"]
    admin.select_option(f"#status-{arabic}", "waitlisted")
    admin.click(f"form[action$='/registrations/{arabic}/status'] button")
    admin.wait_for_load_state()
    admin.goto("/events/forum-dakhla-browser-2027/registrations?status=waitlisted")
    assert "تعاونية أركان سوس" in admin.inner_text("table")
    assert "Conserverie Atlas SARL" not in admin.inner_text("table")
    engine = make_engine(console.database_url)
    try:
        with Session(engine) as session:
            status = session.scalars(
                select(Registration.status).where(Registration.id == arabic)
            ).one()
    finally:
        engine.dispose()
    assert status == "waitlisted"
    admin.goto("/events/forum-dakhla-browser-2027/registrations")
    shot(admin, "registrations")
