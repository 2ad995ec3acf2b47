"""An .ics invitation for a booked call."""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event


def invitation(*, uid: str, start: datetime, end: datetime, summary: str, description: str,
               organizer_email: str, attendee_email: str, url: str,
               status: str = "CONFIRMED") -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Skod//Paid calls//EN")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST" if status == "CONFIRMED" else "CANCEL")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", start)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    event.add("status", status)
    event.add("organizer", f"mailto:{organizer_email}")
    event.add("attendee", f"mailto:{attendee_email}")
    cal.add_component(event)
    return cal.to_ical()
