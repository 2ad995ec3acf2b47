"""Moving a booked call: the client alone inside the free-cancel window, the provider through a
proposal the client accepts. The hold follows the rules (kept when it still covers the new
time, released and placed again later otherwise), the old slot is free again, the calendar gets
an update (same UID, higher SEQUENCE), and a refused move changes nothing."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar

from skod.core.clock import iso, parse_iso
from tests import factories as f
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OK

CLIENT = "client@example.test"


def _held(client, card_pm, days: int = 2) -> tuple[dict, dict]:
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=days)))
    assert f.pay(client, booking, card_pm(CARD_OK).id)["status"] == "held"
    return prov, booking


def _move(client, booking: dict, start, token: str | None = None) -> tuple[int, dict]:
    return api(client, "POST", f"/api/v1/bookings/{booking['id']}/move",
               json={"start_at": iso(start)}, token=token or booking["client_token"])


def _invitation(outbox):  # noqa: ANN202 - the event of the last .ics sent to the client
    [msg] = outbox.to(CLIENT)
    [part] = [p for p in msg.iter_attachments() if p.get_content_type() == "text/calendar"]
    cal = Calendar.from_ical(part.get_content())
    [event] = list(cal.walk("VEVENT"))
    return cal, event


def test_the_client_moves_a_held_call_the_hold_stays_and_the_calendar_updates(
        client, card_pm, stripe_raw, outbox):
    prov, booking = _held(client, card_pm)
    old = parse_iso(f.get(client, booking)["start_at"])
    new = old + timedelta(hours=3)
    hold = f.get(client, booking)["payments"][0]["stripe_payment_intent_id"]
    outbox.clear()
    status, moved = _move(client, booking, new)
    assert status == 200, moved
    assert (parse_iso(moved["start_at"]), moved["status"]) == (new, "held")
    assert stripe_raw.v1.payment_intents.retrieve(hold)["status"] == "requires_capture"
    assert f.slot_free(client, prov["offer_id"], old)
    assert not f.slot_free(client, prov["offer_id"], new)
    cal, event = _invitation(outbox)
    assert str(cal["method"]) == "REQUEST" and int(event["sequence"]) == 1
    assert str(event["uid"]) == f"booking-{booking['id']}@skod"
    assert event.decoded("dtstart") == new
    assert len(outbox.to(prov["email"])) == 1


def test_a_move_beyond_the_hold_releases_it_and_the_card_is_held_again_later(
        app, client, card_pm, stripe_raw):
    _prov, booking = _held(client, card_pm)
    hold = f.get(client, booking)["payments"][0]["stripe_payment_intent_id"]
    new = f.start_in(timedelta(days=9))
    status, moved = _move(client, booking, new)
    assert status == 200, moved
    assert moved["status"] == "card_saved"
    assert stripe_raw.v1.payment_intents.retrieve(hold)["status"] == "canceled"
    f.tick(app, new - timedelta(hours=24))
    body = f.get(client, booking)
    assert body["status"] == "held"
    fresh = body["payments"][-1]["stripe_payment_intent_id"]
    assert fresh != hold
    assert stripe_raw.v1.payment_intents.retrieve(fresh)["status"] == "requires_capture"


def test_too_late_or_a_taken_slot_changes_nothing(client, card_pm):
    prov, booking = _held(client, card_pm, days=2)
    taken = f.start_in(timedelta(days=3))
    f.book(client, prov["offer_id"], taken, email="other@example.test")
    before = f.get(client, booking)
    status, body = _move(client, booking, taken)
    assert status == 409 and body["error"]["code"] == "slot_taken"
    soon = f.book(client, prov["offer_id"], f.start_in(timedelta(hours=5)),
                  email="soon@example.test")
    f.pay(client, soon, card_pm(CARD_OK).id)
    status, body = _move(client, soon, f.start_in(timedelta(days=4)))
    assert status == 409 and body["error"]["code"] == "too_late_to_move"
    assert f.get(client, booking) == before


def test_the_provider_proposes_and_the_client_accepts_or_declines(client, card_pm, outbox):
    prov, booking = _held(client, card_pm)
    old = parse_iso(f.get(client, booking)["start_at"])
    new = old + timedelta(hours=2)
    outbox.clear()
    status, proposed = _move(client, booking, new, token=prov["token"])
    assert status == 200 and parse_iso(proposed["proposed_start_at"]) == new
    assert parse_iso(proposed["start_at"]) == old  # nothing moves before the client's yes
    [asked] = outbox.to(CLIENT)
    assert f"/b/{booking['id']}/" in asked.get_body(preferencelist=("plain",)).get_content()
    status, _ = api(client, "POST", f"/api/v1/bookings/{booking['id']}/proposal/accept",
                    json={}, token=prov["token"])
    assert status == 403  # only the client answers
    status, declined = api(client, "POST", f"/api/v1/bookings/{booking['id']}/proposal/decline",
                           json={}, token=booking["client_token"])
    assert status == 200 and declined["proposed_start_at"] is None
    assert parse_iso(declined["start_at"]) == old
    _move(client, booking, new, token=prov["token"])
    outbox.clear()
    status, accepted = api(client, "POST", f"/api/v1/bookings/{booking['id']}/proposal/accept",
                           json={}, token=booking["client_token"])
    assert status == 200 and parse_iso(accepted["start_at"]) == new
    _cal, event = _invitation(outbox)
    assert int(event["sequence"]) == 1
