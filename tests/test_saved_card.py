"""A returning client pays with the card they saved with the provider, after a one-time code sent
to their e-mail: the hold goes on the saved card and customer on the provider's account; asking
reveals nothing (same answer, no e-mail, for a client without a card); a code is bound to one
booking, burnt by 5 wrong tries, expires after 15 minutes and is used once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

import tests.factories as f
from skod.calls.models import Booking
from skod.core.errors import Invalid
from skod.extensions import db
from skod.payments import saved_cards
from skod.payments.saved_cards import SavedCardCode
from tests.support.api import api
from tests.support.stripe_helpers import CARD_3DS, CARD_OK, on

EMAIL = "returning@example.test"


def _booked(client, prov: dict, days: int) -> dict:
    return f.book(client, prov["offer_id"], f.start_in(timedelta(days=days)), email=EMAIL)


def _ask(client, booking: dict) -> tuple[int, dict]:
    return api(client, "POST", f"/api/v1/bookings/{booking['id']}/saved-card/code",
               token=booking["client_token"])


def _use(client, booking: dict, code: str, step: str = "") -> tuple[int, dict]:
    return api(client, "POST", f"/api/v1/bookings/{booking['id']}/saved-card{step}",
               json={"code": code}, token=booking["client_token"])


def _code_from(outbox) -> str:
    [mail] = [m for m in outbox.to(EMAIL) if "code" in str(m["Subject"]).lower()]
    match = re.search(r"\b(\d{6})\b", mail.get_body(("plain",)).get_content())
    assert match, "the e-mail carries the code"
    return match.group(1)


def _hold_of(app, booking_id: int) -> tuple[str, str | None]:
    with app.app_context():
        row = db.session.get(Booking, booking_id)
        return row.hold_payment().stripe_payment_intent_id, row.stripe_customer_id


def test_a_returning_client_pays_with_the_saved_card_after_the_code(
        app, client, card_pm, stripe_raw, outbox):
    a = f.provider(client)
    first = _booked(client, a, 1)
    pm = card_pm(CARD_OK).id
    assert f.pay(client, first, pm)["status"] == "held"
    _pi, customer = _hold_of(app, first["id"])
    again = _booked(client, a, 2)
    outbox.clear()
    assert _ask(client, again) == (202, {"status": "requested"})
    code = _code_from(outbox)
    status, card = _use(client, again, code, "/check")  # the page shows the card first
    assert status == 200 and card["last4"] == "4242" and card["exp_year"] == 2030
    assert _use(client, again, code) == (200, {"status": "held"})
    pi_id, again_customer = _hold_of(app, again["id"])
    pi = stripe_raw.v1.payment_intents.retrieve(pi_id, options=on(a["account"]))
    assert (pi["status"], pi["payment_method"], pi["customer"]) == (
        "requires_capture", pm, customer)
    assert again_customer == customer  # no new customer
    assert f.get(client, again)["status"] == "held"
    # used once: the same code no longer unlocks the card, even for the same booking
    with app.app_context():
        row = db.session.get(Booking, again["id"])
        with pytest.raises(Invalid) as replay:
            saved_cards.use_code(row, f"booking:{row.id}", code, row.created_at, spend=False)
        assert replay.value.code == "code_expired"


def test_another_provider_gets_the_same_answer_and_no_mail(
        app, client, card_pm, outbox):
    a = f.provider(client)
    first = _booked(client, a, 1)
    assert f.pay(client, first, card_pm(CARD_OK).id)["status"] == "held"
    b = f.provider(client)
    with_b = f.book(client, b["offer_id"], f.start_in(timedelta(days=1)), email=EMAIL)
    outbox.clear()
    assert _ask(client, with_b) == (202, {"status": "requested"})
    assert outbox.to(EMAIL) == []  # B never served this e-mail with a card: nothing sent
    with app.app_context():
        assert db.session.query(SavedCardCode).count() == 0
    status, body = _use(client, with_b, "123456")
    assert status == 422 and body["error"]["code"] == "code_expired"


def test_wrong_codes_burn_it_and_a_code_is_bound_to_its_booking(
        app, client, card_pm, outbox):
    a = f.provider(client)
    assert f.pay(client, _booked(client, a, 1), card_pm(CARD_OK).id)["status"] == "held"
    second, third = _booked(client, a, 2), _booked(client, a, 3)
    outbox.clear()
    _ask(client, second)
    code = _code_from(outbox)
    # a code for one booking unlocks no other (the client's, the same provider's)
    status, body = _use(client, third, code)
    assert status == 422 and body["error"]["code"] == "code_expired"
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    for _ in range(5):
        status, body = _use(client, second, wrong)
        assert status == 422 and body["error"]["code"] == "invalid_code"
    status, body = _use(client, second, code)  # burnt: even the right code fails now
    assert status == 422 and body["error"]["code"] == "code_expired"
    assert f.get(client, second)["status"] == "awaiting_card"


def test_a_code_expires_after_15_minutes(app, client, card_pm, outbox):
    a = f.provider(client)
    assert f.pay(client, _booked(client, a, 1), card_pm(CARD_OK).id)["status"] == "held"
    second = _booked(client, a, 2)
    outbox.clear()
    _ask(client, second)
    code = _code_from(outbox)
    ref = f"booking:{second['id']}"
    with app.app_context():
        booking = db.session.get(Booking, second["id"])
        sent_at = db.session.query(SavedCardCode).one().created_at
        with pytest.raises(Invalid) as late:
            saved_cards.use_code(booking, ref, code, sent_at + timedelta(minutes=15), spend=False)
        assert late.value.code == "code_expired"
        db.session.rollback()
        assert saved_cards.use_code(booking, ref, code, sent_at + timedelta(minutes=14),
                                    spend=False).startswith("pm_")


def test_a_3ds_saved_card_goes_through_the_challenge(
        app, client, card_pm, stripe_raw, outbox, authenticate_3ds):
    a = f.provider(client)
    first = _booked(client, a, 2)
    pm = card_pm(CARD_3DS).id
    setup = f.pay(client, first, pm)
    assert setup["status"] == "requires_action" and setup["intent"] == "setup"
    stripe_raw.v1.setup_intents.confirm(setup["client_secret"].split("_secret_")[0])
    hold = f.pay(client, first, pm)
    authenticate_3ds(hold["client_secret"].split("_secret_")[0], hold["client_secret"])
    assert api(client, "POST", f"/api/v1/bookings/{first['id']}/confirm",
               token=first["client_token"])[1]["status"] == "held"
    again = _booked(client, a, 1)
    outbox.clear()
    _ask(client, again)
    status, body = _use(client, again, _code_from(outbox))
    assert status == 200 and body["status"] == "requires_action"  # on-session: the bank asks
    pi_id = body["client_secret"].split("_secret_")[0]
    authenticate_3ds(pi_id, body["client_secret"])
    status, done = api(client, "POST", f"/api/v1/bookings/{again['id']}/confirm",
                       token=again["client_token"])
    assert status == 200 and done["status"] == "held"
    pi = stripe_raw.v1.payment_intents.retrieve(pi_id, options=on(a["account"]))
    assert (pi["status"], pi["payment_method"]) == ("requires_capture", pm)


def test_a_removed_card_falls_back_to_the_card_form(app, client, card_pm, stripe_raw, outbox):
    a = f.provider(client)
    pm = card_pm(CARD_OK).id
    assert f.pay(client, _booked(client, a, 1), pm)["status"] == "held"
    again = _booked(client, a, 2)
    outbox.clear()
    _ask(client, again)
    code = _code_from(outbox)
    stripe_raw.v1.payment_methods.detach(pm, options=on(a["account"]))
    status, body = _use(client, again, code)
    assert status == 409 and body["error"]["code"] == "saved_card_unavailable"
    assert f.get(client, again)["status"] == "awaiting_card"


def test_code_requests_are_limited_per_email(client, card_pm):
    a = f.provider(client)
    booking = _booked(client, a, 1)
    for _ in range(5):
        assert _ask(client, booking) == (202, {"status": "requested"}), _
    status, body = _ask(client, booking)
    assert status == 429
    assert _ask(client, _booked(client, a, 3))[0] == 429  # the same e-mail, another booking
    other = f.book(client, a["offer_id"], f.start_in(timedelta(days=2)),
                   email="someone.else@example.test")
    assert _ask(client, other)[0] == 202
