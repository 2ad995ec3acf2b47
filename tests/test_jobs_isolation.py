"""One bad row never stops a periodic job (issue 19, point 1): a booking whose client's address
cannot be put in an e-mail header (written straight into the database, as data stored before the
input checks) is logged and skipped; the other calls' reminders go at the same tick, and the
tick itself ends well."""

from __future__ import annotations

from datetime import timedelta

from skod.core.clock import parse_iso
from tests import factories as f
from tests.support.stripe_helpers import CARD_OK

BAD = "eve@example.test\r\nBcc: x@evil.test"


def _reminders(outbox, address: str) -> list:
    return [m for m in outbox.to(address)
            if m["Subject"].strip().startswith(("Rappel", "Reminder"))]


def test_a_bad_booking_stops_no_other_calls_reminder(app, client, card_pm, outbox):
    from skod.calls.models import Booking
    from skod.extensions import db

    start = f.start_in(timedelta(days=3))
    bookings = []
    for email in ("eve@example.test", "good@example.test"):
        prov = f.provider(client)
        booking = f.book(client, prov["offer_id"], start, email=email)
        f.pay(client, booking, card_pm(CARD_OK).id)
        bookings.append(booking)
    with app.app_context():
        db.session.get(Booking, bookings[0]["id"]).client.email = BAD
        db.session.commit()
    begins = parse_iso(f.get(client, bookings[1])["start_at"])
    outbox.clear()
    f.tick(app, begins - timedelta(hours=23, minutes=50))  # raised ValueError before
    assert len(_reminders(outbox, "good@example.test")) == 1
