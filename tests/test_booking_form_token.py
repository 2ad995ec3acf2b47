"""One booking form, one booking: the page's one-time form token sent twice (a double click, a
page restored by the back button) finds the booking it made, with the same card step, and the
card is held once; the token used for another time is refused and changes nothing."""

from __future__ import annotations

import threading
from datetime import timedelta

import requests
from sqlalchemy import func, select

from tests import factories as f
from tests.support.api import api

TOKEN = "form-token-0123456789abcdef"


def _payload(prov: dict, start, token: str = TOKEN, email: str = "sam@example.test") -> dict:
    return {"offer_id": prov["offer_id"], "start_at": start.isoformat(), "accept_terms": True,
            "form_token": token, "client": {"email": email, "name": "Sam Client"}}


def _count(app, model, **where) -> int:
    from skod.extensions import db

    with app.app_context():
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return db.session.scalar(query)


def test_the_same_form_sent_twice_makes_one_booking_and_one_hold(app, client, card_pm, now):
    from skod.calls.models import Booking
    from skod.payments.models import Payment

    prov = f.provider(client)
    start = f.start_in(timedelta(days=1), now)
    first = api(client, "POST", "/api/v1/bookings", json=_payload(prov, start))
    again = api(client, "POST", "/api/v1/bookings", json=_payload(prov, start))
    assert (first[0], again[0]) == (201, 201), (first, again)
    assert again[1]["id"] == first[1]["id"]
    # the same card step: the page confirms the one PaymentIntent opened for the booking
    assert again[1]["payment"]["client_secret"] == first[1]["payment"]["client_secret"]
    assert _count(app, Booking, offer_id=prov["offer_id"]) == 1
    f.pay(client, first[1], card_pm().id)
    assert f.get(client, first[1])["status"] == "held"
    # sent a third time after the card was held: the booking, secured, and nothing to confirm
    status, third = api(client, "POST", "/api/v1/bookings", json=_payload(prov, start))
    assert status == 201 and third["id"] == first[1]["id"] and third["status"] == "held"
    assert third["payment"]["client_secret"] is None
    holds = [p for p in f.get(client, first[1])["payments"] if p["purpose"] == "hold"]
    assert [p["status"] for p in holds] == ["held"]
    assert _count(app, Payment, booking_id=first[1]["id"]) == 1


def test_a_used_token_for_another_time_or_person_is_refused(app, client, now):
    from skod.calls.models import Booking

    prov = f.provider(client)
    start, other = f.start_in(timedelta(days=2), now), f.start_in(timedelta(days=3), now)
    assert api(client, "POST", "/api/v1/bookings", json=_payload(prov, start))[0] == 201
    for payload in (_payload(prov, other), _payload(prov, start, email="eve@example.test")):
        status, body = api(client, "POST", "/api/v1/bookings", json=payload)
        assert status == 409 and body["error"]["code"] == "form_used", body
    assert _count(app, Booking, offer_id=prov["offer_id"]) == 1
    assert f.slot_free(client, prov["offer_id"], other)  # nothing taken by the refusal
    # another form (token) books the other time
    assert api(client, "POST", "/api/v1/bookings",
               json=_payload(prov, other, token="another-form-token-0123456"))[0] == 201


def test_a_malformed_token_is_a_field_error(app, client, now):
    from skod.calls.models import Booking

    prov = f.provider(client)
    start = f.start_in(timedelta(days=1), now)
    for bad in ("short", "x" * 65, "spaces are not ok in it", 12):
        status, body = api(client, "POST", "/api/v1/bookings", json=_payload(prov, start, bad))
        assert status == 422 and "form_token" in str(body["error"]), body
    assert _count(app, Booking, offer_id=prov["offer_id"]) == 0


def test_two_sends_at_the_same_moment_make_one_booking(app, client, live_server, now):
    """A double click: both requests arrive together; the provider lock makes the second
    wait, then find the first one's booking."""
    from skod.calls.models import Booking

    prov = f.provider(client)
    start = f.start_in(timedelta(days=4), now)
    answers: list = []
    barrier = threading.Barrier(2)

    def send() -> None:
        barrier.wait()
        resp = requests.post(live_server.url + "/api/v1/bookings",
                             json=_payload(prov, start), timeout=30)
        answers.append((resp.status_code, resp.json()))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [a[0] for a in answers] == [201, 201], answers
    assert answers[0][1]["id"] == answers[1][1]["id"]
    assert _count(app, Booking, offer_id=prov["offer_id"]) == 1
    # one card step: both answers carry the same intent's secret (the second waited for the
    # first one's intent under the booking's lock instead of opening another)
    secrets = {a[1]["payment"]["client_secret"] for a in answers}
    assert len(secrets) == 1 and None not in secrets, answers
