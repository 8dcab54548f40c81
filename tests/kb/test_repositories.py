"""Repository functions, on a migrated SQLite database."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from kb import repositories as repo
from kb.loader import load_kb
from kb.repositories import EventInput, Texts

KB = Path(__file__).resolve().parents[1] / "fixtures" / "kb"
TODAY = date(2026, 1, 15)


def make_event(slug: str, start: date, end: date | None = None, **overrides: object) -> EventInput:
    values: dict[str, object] = dict(
        slug=slug,
        type="mission",
        title=Texts(fr=f"FR {slug}", ar=f"AR {slug}", en=f"EN {slug}"),
        country="SN",
        city="Dakar",
        start_date=start,
        end_date=end or start,
        sectors=("agrifood",),
        organizer="ASMEX",
    )
    values.update(overrides)
    return EventInput(**values)  # type: ignore[arg-type]


@pytest.fixture()
def events(session: Session) -> Session:
    for event in [
        make_event("past-2025", date(2025, 12, 1), date(2025, 12, 3)),
        make_event("ongoing-2026", date(2026, 1, 14), date(2026, 1, 16), country="KE"),
        make_event("later-2026", date(2026, 6, 1), sectors=("ict",), type="fair"),
        make_event("soon-2026", date(2026, 2, 1), sectors=("agrifood", "ict")),
        make_event("all-sectors-2026", date(2026, 3, 1), sectors=(), type="forum"),
        make_event("cancelled-2026", date(2026, 2, 10), status="cancelled"),
    ]:
        repo.upsert_event(session, event=event)
    session.commit()
    return session


def slugs(views: list[repo.EventView]) -> list[str]:
    return [v.slug for v in views]


def test_texts_get_falls_back_to_french() -> None:
    texts = Texts(fr="Bonjour", ar="مرحبا", en="")
    assert texts.get("ar") == "مرحبا"
    assert texts.get("en") == "Bonjour"
    assert texts.get("ary") == "Bonjour"
    assert texts.get(None) == "Bonjour"


def test_views_are_frozen(events: Session) -> None:
    view = repo.get_event_by_slug(events, slug="soon-2026", today=TODAY)
    assert view is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.slug = "other"  # type: ignore[misc]


def test_list_events_upcoming_soonest_first(events: Session) -> None:
    assert slugs(repo.list_events(events, today=TODAY)) == [
        "ongoing-2026",
        "soon-2026",
        "all-sectors-2026",
        "later-2026",
    ]


def test_list_events_include_past_and_cancelled(events: Session) -> None:
    found = slugs(repo.list_events(events, today=TODAY, include_past=True, include_cancelled=True))
    assert found[0] == "past-2025"
    assert "cancelled-2026" in found
    assert len(found) == 6


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"country": "KE"}, ["ongoing-2026"]),
        ({"sector": "ict"}, ["soon-2026", "all-sectors-2026", "later-2026"]),
        ({"event_type": "fair"}, ["later-2026"]),
        (
            {"date_from": date(2026, 2, 1), "date_to": date(2026, 3, 31)},
            ["soon-2026", "all-sectors-2026"],
        ),
        ({"limit": 2}, ["ongoing-2026", "soon-2026"]),
        ({"sector": "ict", "limit": 1}, ["soon-2026"]),
    ],
)
def test_list_events_filters(events: Session, filters: dict, expected: list[str]) -> None:
    assert slugs(repo.list_events(events, today=TODAY, **filters)) == expected


def test_past_and_upcoming_follow_the_injected_today(events: Session) -> None:
    event = repo.get_event_by_slug(events, slug="ongoing-2026", today=TODAY)
    assert event and not event.past and not event.upcoming and event.ongoing
    before = repo.get_event_by_slug(events, slug="ongoing-2026", today=date(2026, 1, 1))
    assert before and before.upcoming and not before.past
    after = repo.get_event_by_slug(events, slug="ongoing-2026", today=date(2026, 1, 17))
    assert after and after.past and not after.registration_open
    assert repo.list_events(events, today=date(2026, 1, 17), country="KE") == []


def test_upsert_event_reports_created_updated_unchanged(session: Session) -> None:
    event = make_event("dakar-2027", date(2027, 3, 15))
    assert repo.upsert_event(session, event=event).action == "created"
    assert repo.upsert_event(session, event=event).action == "unchanged"
    changed = dataclasses.replace(event, city="Thiès", capacity=30)
    assert repo.upsert_event(session, event=changed).action == "updated"
    view = repo.get_event_by_slug(session, slug="dakar-2027", today=TODAY)
    assert view and view.city == "Thiès" and view.capacity == 30
    assert len(repo.list_events(session, today=TODAY)) == 1


def test_upsert_without_status_keeps_the_stored_status(session: Session) -> None:
    repo.upsert_event(session, event=make_event("dakar-2027", date(2027, 3, 15)))
    repo.close_event(session, slug="dakar-2027", today=TODAY)
    repo.upsert_event(session, event=make_event("dakar-2027", date(2027, 3, 15)))
    view = repo.get_event_by_slug(session, slug="dakar-2027", today=TODAY)
    assert view and view.status == "closed"


def test_close_event(events: Session) -> None:
    closed = repo.close_event(events, slug="soon-2026", today=TODAY)
    assert closed.status == "closed" and not closed.registration_open
    with pytest.raises(repo.NotFoundError):
        repo.close_event(events, slug="nope", today=TODAY)


def test_registration_deadline_closes_registrations(session: Session) -> None:
    repo.upsert_event(
        session,
        event=make_event("dakar-2027", date(2027, 3, 15), registration_deadline=date(2026, 1, 10)),
    )
    view = repo.get_event_by_slug(session, slug="dakar-2027", today=TODAY)
    assert view and view.upcoming and not view.registration_open


def test_create_registration_is_idempotent_and_cancellable(events: Session) -> None:
    user = repo.get_or_create_user(events, channel="telegram", channel_user_id="42")
    first = repo.create_registration(
        events,
        event_slug="soon-2026",
        user_id=user.id,
        company_name="Argan SA",
        ice="001234567000089",
        today=TODAY,
    )
    again = repo.create_registration(
        events, event_slug="soon-2026", user_id=user.id, company_name="Other name", today=TODAY
    )
    assert first.created and not again.created
    assert again.registration.id == first.registration.id
    assert again.registration.company_name == "Argan SA"
    assert [r.event_slug for r in repo.list_registrations(events, user_id=user.id)] == ["soon-2026"]

    cancelled = repo.cancel_registration(events, user_id=user.id, event_slug="soon-2026")
    assert cancelled and cancelled.status == "cancelled" and cancelled.cancelled_at is not None
    assert repo.cancel_registration(events, user_id=user.id, event_slug="soon-2026") is None
    assert repo.list_registrations(events, user_id=user.id) == []
    assert len(repo.list_registrations(events, user_id=user.id, include_cancelled=True)) == 1

    renewed = repo.create_registration(
        events, event_slug="soon-2026", user_id=user.id, company_name="Argan SA", today=TODAY
    )
    assert renewed.created and renewed.registration.id != first.registration.id
    events.commit()
    assert [r.status for r in repo.list_all_registrations(events)] == ["cancelled", "confirmed"]
    assert repo.list_all_registrations(events, event_slug="later-2026") == []


@pytest.mark.parametrize("slug", ["past-2025", "cancelled-2026"])
def test_registration_refused_when_event_not_open(events: Session, slug: str) -> None:
    user = repo.get_or_create_user(events, channel="telegram", channel_user_id="42")
    with pytest.raises(repo.RegistrationClosedError):
        repo.create_registration(
            events, event_slug=slug, user_id=user.id, company_name="X", today=TODAY
        )


def test_registration_to_unknown_event(events: Session) -> None:
    with pytest.raises(repo.NotFoundError):
        repo.create_registration(
            events, event_slug="nope", user_id=None, company_name="X", today=TODAY
        )


def test_list_registrations_soonest_event_first(events: Session) -> None:
    user = repo.get_or_create_user(events, channel="telegram", channel_user_id="42")
    for slug in ["later-2026", "soon-2026"]:
        repo.create_registration(
            events, event_slug=slug, user_id=user.id, company_name="X", today=TODAY
        )
    assert [r.event_slug for r in repo.list_registrations(events, user_id=user.id)] == [
        "soon-2026",
        "later-2026",
    ]


def test_users_get_or_create_and_language(session: Session) -> None:
    user = repo.get_or_create_user(
        session, channel="telegram", channel_user_id="42", language_hint="ary"
    )
    same = repo.get_or_create_user(session, channel="telegram", channel_user_id="42")
    other = repo.get_or_create_user(session, channel="whatsapp", channel_user_id="42")
    assert user.id == same.id != other.id
    assert user.language is None and user.language_hint == "ary"
    assert repo.set_user_language(session, user_id=user.id, language="ar").language == "ar"
    with pytest.raises(ValueError):
        repo.set_user_language(session, user_id=user.id, language="de")
    assert repo.set_user_consent(session, user_id=user.id, consent=True).consent
    with pytest.raises(repo.NotFoundError):
        repo.set_user_language(session, user_id=999, language="fr")


def test_alert_subscriptions(session: Session) -> None:
    user = repo.get_or_create_user(session, channel="telegram", channel_user_id="42")
    a = repo.subscribe_alerts(session, user_id=user.id, country="KE")
    b = repo.subscribe_alerts(session, user_id=user.id, country="KE")
    c = repo.subscribe_alerts(session, user_id=user.id, sector="ict")
    assert a.id == b.id != c.id
    assert len(repo.list_alert_subscriptions(session, user_id=user.id)) == 2
    assert repo.unsubscribe_alerts(session, user_id=user.id, country="KE") == 1
    assert [s.sector for s in repo.list_alert_subscriptions(session, user_id=user.id)] == ["ict"]
    again = repo.subscribe_alerts(session, user_id=user.id, country="KE")
    assert again.id == a.id and again.active
    assert repo.unsubscribe_alerts(session, user_id=user.id) == 2
    assert repo.list_alert_subscriptions(session, user_id=user.id) == []


@pytest.fixture()
def kb(session: Session) -> Session:
    load_kb(session, kb_dir=KB)
    session.commit()
    return session


def test_get_and_find_market(kb: Session) -> None:
    market = repo.get_market(kb, country="ke")
    assert market and market.name.get("ar") == "كينيا"
    assert [f.text.en for f in market.facts] == ["Gateway to East Africa.", "B2B mission in 2025."]
    assert repo.find_market(kb, query="KE") == market
    assert repo.find_market(kb, query="etats-unis") is not None
    assert repo.find_market(kb, query="الولايات المتحدة").country == "US"  # type: ignore[union-attr]
    assert repo.find_market(kb, query="Atlantis") is None


def test_agreements_for_country(kb: Session) -> None:
    assert [a.code for a in repo.list_agreements_for_country(kb, country="KE")] == ["afcfta"]
    assert [a.code for a in repo.list_agreements_for_country(kb, country="US")] == ["ma-us-fta"]
    assert repo.list_agreements_for_country(kb, country="FR") == []


def test_procedures_region_topic(kb: Session) -> None:
    procedures = repo.get_procedures(kb, topic="tijaria")
    assert [p.code for p in procedures] == ["tijaria-overview", "tijaria-fees"]
    assert [s.fr for s in procedures[0].steps] == ["Créer un compte", "Déposer"]
    assert repo.get_procedures(kb, topic="financing") == []
    region = repo.get_region(kb, code="souss-massa")
    assert region and region.delegate_name == "Khalid Bounajma"
    assert region.delegate_as_of == date(2021, 6, 14)
    assert region.office_status and region.office_status.en == "Announced"
    oriental = repo.get_region(kb, code="oriental")
    assert oriental and oriental.office_name is None and oriental.delegate_name is None
    topic = repo.get_topic(kb, code="membership")
    assert topic and topic.body.get("en") == "Join ASMEX."
    assert repo.get_topic(kb, code="nope") is None
