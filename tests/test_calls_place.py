"""Where a call happens, and the reminders before it: the offer's meeting place on the booking's
page, in both confirmation e-mails and in the .ics (LOCATION); a cancelled booking's e-mail
carries the .ics CANCEL; the 24 h and 1 h reminders reach both sides once each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from skod.calls import place
from skod.core.clock import parse_iso
from tests import factories as f
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OK

LINK = "https://meet.example.test/skod-call-42"
CLIENT = "client@example.test"


def _calendar(msg) -> Calendar:  # noqa: ANN001 - an EmailMessage
    [part] = [p for p in msg.iter_attachments() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_content())


def _booked(app, client, card_pm, days: int = 3) -> tuple[dict, dict]:
    prov = f.provider(client, place={"kind": "video", "detail": LINK})
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=days)))
    f.pay(client, booking, card_pm(CARD_OK).id)
    return prov, booking


def _path(url: str) -> str:
    """The page's path on the test client (the link is absolute)."""
    return "/" + url.split("/", 3)[3]


def _event(cal: Calendar):  # noqa: ANN202
    [event] = list(cal.walk("VEVENT"))
    return event


def test_the_video_link_is_on_the_page_in_both_e_mails_and_in_the_ics(app, client, card_pm,
                                                                      outbox):
    outbox.clear()
    prov, booking = _booked(app, client, card_pm)
    [confirmation] = outbox.to(CLIENT)
    assert LINK in confirmation.get_body(preferencelist=("plain",)).get_content()
    [provider_copy] = outbox.to(prov["email"])
    assert LINK in provider_copy.get_body(preferencelist=("plain",)).get_content()
    event = _event(_calendar(confirmation))
    assert str(event["location"]) == LINK and LINK in str(event["description"])
    assert int(event["sequence"]) == 0
    page = client.get(_path(booking["manage_url"]))
    assert page.status_code == 200 and f'href="{LINK}"' in page.get_data(as_text=True)
    ics = client.get(_path(booking["manage_url"]) + "/invite.ics")
    assert str(_event(Calendar.from_ical(ics.data))["location"]) == LINK


def test_a_cancelled_booking_sends_the_ics_cancel_and_offers_no_calendar_file(app, client,
                                                                              card_pm, outbox):
    _prov, booking = _booked(app, client, card_pm)
    outbox.clear()
    status, _ = api(client, "POST", f"/api/v1/bookings/{booking['id']}/cancel", json={},
                    token=booking["client_token"])
    assert status == 200
    [cancelled] = outbox.to(CLIENT)
    cal = _calendar(cancelled)
    assert str(cal["method"]) == "CANCEL"
    event = _event(cal)
    assert str(event["status"]) == "CANCELLED" and int(event["sequence"]) == 1
    assert str(event["uid"]) == f"booking-{booking['id']}@skod"
    page = client.get(_path(booking["manage_url"])).get_data(as_text=True)
    assert "invite.ics" not in page


def _reminders(outbox, prov: dict) -> tuple[list, list]:
    def reminders(address: str) -> list:
        return [m for m in outbox.to(address)
                if m["Subject"].strip().startswith(("Rappel", "Reminder"))]

    return reminders(CLIENT), reminders(prov["email"])


def test_the_24_hour_and_1_hour_reminders_reach_both_sides_once(app, client, card_pm, outbox):
    prov, booking = _booked(app, client, card_pm)
    start = f.get(client, booking)["start_at"]
    start = parse_iso(start)
    outbox.clear()
    f.tick(app, start - timedelta(hours=25))
    assert _reminders(outbox, prov) == ([], [])
    f.tick(app, start - timedelta(hours=23, minutes=50))
    f.tick(app, start - timedelta(hours=23, minutes=40))  # a second tick sends nothing more
    to_client, to_provider = _reminders(outbox, prov)
    assert len(to_client) == 1 and len(to_provider) == 1
    text = to_client[0].get_body(preferencelist=("plain",)).get_content()
    assert LINK in text and "24" in text
    f.tick(app, start - timedelta(minutes=50))
    f.tick(app, start - timedelta(minutes=40))
    to_client, to_provider = _reminders(outbox, prov)
    assert len(to_client) == 2 and len(to_provider) == 2
    assert LINK in to_provider[1].get_body(preferencelist=("plain",)).get_content()


def test_a_call_booked_inside_the_reminder_window_gets_no_late_reminder(app, client, card_pm,
                                                                        outbox):
    """Booked 5 hours before: the 24 h reminder's time fell before the booking; only 1 h goes."""
    prov = f.provider(client, place={"kind": "phone", "detail": "+33 1 23 45 67 89"})
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(hours=5)))
    f.pay(client, booking, card_pm(CARD_OK).id)
    start = parse_iso(f.get(client, booking)["start_at"])
    outbox.clear()
    f.tick(app, start - timedelta(hours=2))
    assert _reminders(outbox, prov) == ([], [])
    f.tick(app, start - timedelta(minutes=30))
    to_client, _to_provider = _reminders(outbox, prov)
    assert len(to_client) == 1 and "+33 1 23 45 67 89" in to_client[0].get_body(
        preferencelist=("plain",)).get_content()


@pytest.mark.parametrize(("kind", "detail", "ok"), [
    ("video", LINK, True),
    ("video", "http://meet.example.test/x", False),
    ("video", "meet.example.test/x", False),
    ("phone", "+33 1 23 45 67 89", True),
    ("phone", "01.23.45.67.89", True),
    ("phone", "call me", False),
    ("address", "12 rue de la Paix\n75002 Paris", True),
    ("address", "", False),
    ("teleport", "anywhere", False),
    (None, None, True),
])
def test_a_meeting_place_is_checked(kind, detail, ok):
    assert (place.problem(kind, detail) is None) is ok


def test_the_api_refuses_a_bad_place_and_creates_nothing(client):
    prov = f.provider(client)
    spec = {"kind": "call", "title": "Visio", "duration_minutes": 30,
            "price": {"amount_minor": 5000, "currency": "EUR"},
            "place": {"kind": "video", "detail": "http://insecure.example.test"}}
    status, body = api(client, "POST", "/api/v1/offers", json=spec, token=prov["token"])
    assert status == 422 and "place" in body["error"]["fields"]
    status, offers = api(client, "GET", "/api/v1/offers", token=prov["token"])
    assert status == 200 and [o["title"] for o in offers] == ["Consultation"]
