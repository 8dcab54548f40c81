"""The console's pages, one module per page group, each with its ``routes``.

A new group (events, registrations, handoffs, analytics) is a module here with a ``routes``
list of guarded endpoints, added to GROUPS, and its entry in console.nav.NAV.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from console.pages import (
    analytics,
    audit,
    canned,
    event_upload,
    events,
    handoffs,
    home,
    profile,
    registrations,
    session,
)

#: registrations before events: its /events/{slug}/registrations is not an event {action}.
GROUPS = (
    session,
    home,
    handoffs,
    registrations,
    events,
    event_upload,
    canned,
    audit,
    analytics,
    profile,
)


def routes() -> list[BaseRoute]:
    """Every page group's routes."""
    return [route for group in GROUPS for route in group.routes]
