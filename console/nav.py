"""The navigation bar: one entry per page group, shown to the roles that may open it.

A page group adds its entry to NAV (and its routes to console.pages.GROUPS).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from kb.staff import StaffView


@dataclass(frozen=True)
class NavItem:
    """A link of the navigation bar: its path, its string key, the roles that see it."""

    path: str
    label: str
    roles: frozenset[str] = frozenset({"admin", "delegate"})


NAV: Final = (
    NavItem("/", "nav_home"),
    NavItem("/handoffs", "nav_handoffs"),
    NavItem("/events", "nav_events", frozenset({"admin"})),
    NavItem("/canned", "nav_canned", frozenset({"admin"})),
    NavItem("/audit", "nav_audit", frozenset({"admin"})),
    NavItem("/analytics", "nav_analytics", frozenset({"admin"})),
    NavItem("/profile", "nav_profile"),
)


def nav_for(staff: StaffView | None) -> list[NavItem]:
    """The entries ``staff`` may open (none before login)."""
    if staff is None:
        return []
    return [item for item in NAV if staff.role in item.roles]
