"""Event repository functions, on a migrated SQLite database."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy.orm import Session

from kb.events import close_event, get_event_by_slug, list_events, upsert_event
from kb.views import EventView, NotFoundError
from tests.kb.conftest import TODAY, make_event


def slugs(views: list[EventView]) -> list[str]:
    return [v.slug for v in views]


def test_list_events_upcoming_soonest_first(events: Session) -> None:
    assert slugs(list_events(events, today=TODAY)) == [
        "ongoing-2026",
        "soon-2026",
        "all-sectors-2026",
        "later-2026",
    ]


def test_list_events_include_past_and_cancelled(events: Session) -> None:
    found = slugs(list_events(events, today=TODAY, include_past=True, include_cancelled=True))
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
    assert slugs(list_events(events, today=TODAY, **filters)) == expected


def test_past_and_upcoming_follow_the_injected_today(events: Session) -> None:
    event = get_event_by_slug(events, slug="ongoing-2026", today=TODAY)
    assert event and not event.past and not event.upcoming and event.ongoing
    assert not event.registration_open  # under way: too late to register
    before = get_event_by_slug(events, slug="ongoing-2026", today=date(2026, 1, 1))
    assert before and before.upcoming and not before.past
    after = get_event_by_slug(events, slug="ongoing-2026", today=date(2026, 1, 17))
    assert after and after.past and not after.registration_open
    assert list_events(events, today=date(2026, 1, 17), country="KE") == []


def test_upsert_event_reports_created_updated_unchanged(session: Session) -> None:
    event = make_event("dakar-2027", date(2027, 3, 15))
    assert upsert_event(session, event=event).action == "created"
    assert upsert_event(session, event=event).action == "unchanged"
    changed = dataclasses.replace(event, city="Thiès", capacity=30)
    assert upsert_event(session, event=changed).action == "updated"
    view = get_event_by_slug(session, slug="dakar-2027", today=TODAY)
    assert view and view.city == "Thiès" and view.capacity == 30
    assert len(list_events(session, today=TODAY)) == 1


def test_upsert_without_status_keeps_the_stored_status(session: Session) -> None:
    upsert_event(session, event=make_event("dakar-2027", date(2027, 3, 15)))
    close_event(session, slug="dakar-2027", today=TODAY)
    upsert_event(session, event=make_event("dakar-2027", date(2027, 3, 15)))
    view = get_event_by_slug(session, slug="dakar-2027", today=TODAY)
    assert view and view.status == "closed"


def test_close_event(events: Session) -> None:
    closed = close_event(events, slug="soon-2026", today=TODAY)
    assert closed.status == "closed" and not closed.registration_open
    with pytest.raises(NotFoundError):
        close_event(events, slug="nope", today=TODAY)


def test_registration_deadline_closes_registrations(session: Session) -> None:
    upsert_event(
        session,
        event=make_event("dakar-2027", date(2027, 3, 15), registration_deadline=date(2026, 1, 10)),
    )
    view = get_event_by_slug(session, slug="dakar-2027", today=TODAY)
    assert view and view.upcoming and not view.registration_open
