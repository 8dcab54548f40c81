"""An event as an iCalendar (.ics) file, sent with its details."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from kb import display
from kb.views import EventView


def build_ics(event: EventView, lang: str, *, stamp: datetime | None = None) -> str:
    """An iCalendar file with the event as an all-day VEVENT."""
    from icalendar import Calendar
    from icalendar import Event as IcsEvent

    calendar = Calendar()
    calendar.add("prodid", "-//ASMEX//Export assistant//FR")
    calendar.add("version", "2.0")
    vevent = IcsEvent()
    vevent.add("uid", f"{event.slug}@asmex.org")
    vevent.add("dtstamp", stamp or datetime.combine(event.today, time(0, 0)))
    vevent.add("dtstart", event.start_date)
    vevent.add("dtend", event.end_date + timedelta(days=1))  # DTEND of a date is exclusive
    vevent.add("summary", event.title.get(lang))
    vevent.add("location", display.place(event.city, event.country, event.type, lang))
    description = event.description.get(lang) if event.description else ""
    if event.registration_url:
        description = f"{description}\n{event.registration_url}".strip()
        vevent.add("url", event.registration_url)
    if description:
        vevent.add("description", description)
    calendar.add_component(vevent)
    return calendar.to_ical().decode("utf-8")


def ics_payload(event: EventView, lang: str) -> dict[str, str]:
    """The custom message channels turn into a calendar file."""
    return {
        "type": "ics",
        "filename": f"{event.slug}.ics",
        "mime_type": "text/calendar",
        "content": build_ics(event, lang),
    }
