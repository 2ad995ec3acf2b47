"""An .ics invitation for a booked call: REQUEST while it stands, CANCEL once cancelled; the
SEQUENCE grows with each change so calendars update the one event (RFC 5546)."""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event


def invitation(*, uid: str, start: datetime, end: datetime, summary: str, description: str,
               organizer_email: str, attendee_email: str, url: str,
               status: str = "CONFIRMED", location: str | None = None, sequence: int = 0,
               stamp: datetime | None = None) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Skod//Paid calls//EN")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST" if status == "CONFIRMED" else "CANCEL")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp or start)
    event.add("sequence", sequence)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    if location:
        event.add("location", location)
    event.add("status", status)
    event.add("organizer", f"mailto:{organizer_email}")
    event.add("attendee", f"mailto:{attendee_email}")
    cal.add_component(event)
    return cal.to_ical()
