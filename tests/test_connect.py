"""Stripe Connect (issue #18): every provider paid on their own connected account, onboarding,
Connect webhooks, the platform fee, and the one-account mode."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
import stripe

from tests import factories as f
from tests.support.api import api
from tests.support.net import wait_until
from tests.support.stripe_helpers import CARD_OK, on
from tests.webhook_support import deliver, event


def _missing(stripe_raw, pi_id: str, account: str | None) -> bool:
    """The intent answers Stripe's 404 resource_missing when asked on `account`."""
    try:
        stripe_raw.v1.payment_intents.retrieve(pi_id, options=on(account))
    except stripe.InvalidRequestError as err:
        return err.http_status == 404 and err.code == "resource_missing"
    return False


def _message_offer(client, prov: dict) -> dict:
    status, offer = api(client, "POST", "/api/v1/offers", token=prov["token"], json={
        "kind": "message", "title": "Tax question",
        "price": {"amount_minor": 1000, "currency": "EUR"}})
    assert status == 201, offer
    return offer


def _ask(client, offer_id: int) -> dict:
    return api(client, "POST", "/api/v1/messages", json={
        "offer_id": offer_id, "body": "May I deduct it?", "accept_terms": True,
        "client": {"email": "same@example.test", "name": "Sam Asker", "kind": "consumer"}})


def _payments(app, **where) -> list:
    from skod.extensions import db
    from skod.payments.models import Payment

    with app.app_context():
        rows = db.session.scalars(db.select(Payment).filter_by(**where).order_by(Payment.id))
        return [(p.id, p.stripe_payment_intent_id, p.stripe_account_id, p.status,
                 p.application_fee_minor, p.application_fee_refunded_minor) for p in rows]


def test_each_provider_is_paid_on_their_own_account(app, client, card_pm, stripe_raw,
                                                    stripe_emulator, outbox):
    a = f.provider(client)
    b = f.provider(client)
    assert a["account"] and b["account"] and a["account"] != b["account"]
    # A call with A: held, then captured, on A's account only
    booking = f.book(client, a["offer_id"], f.start_in(timedelta(days=1)),
                     email="same@example.test")
    f.pay(client, booking, card_pm(CARD_OK, account=a["account"]).id)
    status, ended = api(client, "POST", f"/api/v1/bookings/{booking['id']}/end",
                        json={"minutes": 15}, token=a["token"])
    assert status == 200 and ended["status"] == "completed"
    [paid] = ended["payments"]
    pi_a = paid["stripe_payment_intent_id"]
    assert paid["stripe_account_id"] == a["account"]
    intent = stripe_raw.v1.payment_intents.retrieve(pi_a, options=on(a["account"]))
    assert (intent["status"], intent["amount_received"]) == ("succeeded", 1500)
    assert _missing(stripe_raw, pi_a, None) and _missing(stripe_raw, pi_a, b["account"])
    # A question to B: held on B's account
    offer = _message_offer(client, b)
    status, message = _ask(client, offer["id"])
    assert status == 201, message
    status, held = api(client, "POST", f"/api/v1/messages/{message['id']}/payment-method",
                       json={"payment_method": card_pm(CARD_OK, account=b["account"]).id},
                       token=message["client_token"])
    assert status == 200 and held == {"status": "held"}, held
    [(_, pi_b, account_b, state, _, _)] = _payments(app, message_id=message["id"])
    assert (account_b, state) == (b["account"], "held")
    assert stripe_raw.v1.payment_intents.retrieve(pi_b, options=on(b["account"]))[
        "status"] == "requires_capture"
    assert _missing(stripe_raw, pi_b, a["account"]) and _missing(stripe_raw, pi_b, None)
    # A refund of A's capture is made on A's account
    status, refund = api(client, "POST", f"/api/v1/payments/{paid['id']}/refund",
                         json={"amount_minor": 500}, token=a["token"])
    assert status == 201, refund
    refunds = stripe_raw.v1.refunds.list(params={"payment_intent": pi_a},
                                         options=on(a["account"]))
    assert [r["amount"] for r in refunds["data"]] == [500]
    # A dispute on B's charge reaches B's case and B's e-mail only
    status, _ = api(client, "POST", f"/api/v1/messages/{message['id']}/reply",
                    json={"body": "Yes, within limits."}, token=b["token"])
    assert status == 200
    outbox.clear()
    dispute = stripe_emulator.dispute(pi_b, reason="fraudulent")
    ev = event("charge.dispute.created", {"id": dispute["id"], "object": "dispute"},
               account=b["account"])
    assert deliver(client, ev, app.config["STRIPE_CONNECT_WEBHOOK_SECRET"]).status_code == 200
    [(payment_b, *_)] = _payments(app, message_id=message["id"])
    status, cases = api(client, "GET", f"/api/v1/payments/{payment_b}/disputes",
                        token=b["token"])
    assert status == 200 and [c["status"] for c in cases] == ["needs_response"]
    assert api(client, "GET", f"/api/v1/payments/{payment_b}/disputes",
               token=a["token"])[0] == 404
    assert len(outbox.to(b["email"])) == 1 and outbox.to(a["email"]) == []


def _me(client, prov: dict) -> dict:
    status, me = api(client, "GET", "/api/v1/me", token=prov["token"])
    assert status == 200
    return me


def _book_status(client, prov: dict, days: int) -> tuple[int, dict]:
    return api(client, "POST", "/api/v1/bookings", json={
        "offer_id": prov["offer_id"], "start_at": f.start_in(timedelta(days=days)).isoformat(),
        "accept_terms": True, "client": {"email": "c@example.test", "name": "Alex Client",
                                         "kind": "consumer"}})


def test_a_provider_takes_payments_only_while_stripe_allows_it(app, client, card_pm,
                                                              stripe_webhooks):
    prov = f.provider(client, onboarded=False)
    me = _me(client, prov)
    assert me["stripe_account"] is None
    # the offer is shown, the booking refused, and the page says why
    assert f.slot_free(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    status, body = _book_status(client, prov, 1)
    assert status == 409 and body["error"]["code"] == "provider_cannot_take_payments"
    page = client.get(f"/p/{me['slug']}/o/{prov['offer_id']}").get_data(as_text=True)
    assert "ne peut pas encore encaisser" in page and 'id="booking-form"' not in page
    # onboarding: a fresh link each call; the emulator's control, then account.updated
    status, link = api(client, "POST", "/api/v1/me/stripe/onboarding", token=prov["token"])
    assert status == 200 and "/_connect/onboarding/" in link["url"]
    status, again = api(client, "POST", "/api/v1/me/stripe/onboarding", token=prov["token"])
    assert status == 200 and again["url"] != link["url"]
    account = _me(client, prov)["stripe_account"]
    assert account["charges_enabled"] is False and account["requirements_due"]
    base = app.config["STRIPE_API_BASE"]
    assert requests.post(f"{base}/_test/accounts/{account['id']}/onboard",
                         timeout=10).status_code == 200
    wait_until(lambda: _me(client, prov)["stripe_account"]["charges_enabled"], timeout=20,
               what="account.updated received")
    assert _me(client, prov)["stripe_account"]["requirements_due"] == []
    status, booking = _book_status(client, prov, 1)
    assert status == 201, booking
    f.pay(client, booking, card_pm(CARD_OK, account=account["id"]).id)
    # restricted: new bookings refused again, the existing hold still captured at the end
    assert requests.post(f"{base}/_test/accounts/{account['id']}/restrict",
                         timeout=10).status_code == 200
    wait_until(lambda: not _me(client, prov)["stripe_account"]["charges_enabled"],
               timeout=20, what="restriction received")
    status, body = _book_status(client, prov, 2)
    assert status == 409 and body["error"]["code"] == "provider_cannot_take_payments"
    status, ended = api(client, "POST", f"/api/v1/bookings/{booking['id']}/end",
                        json={"minutes": 10}, token=prov["token"])
    assert status == 200 and [p["status"] for p in ended["payments"]] == ["captured"]


def test_deauthorized_account_stops_bookings_and_lists_what_is_held(app, client, card_pm,
                                                                   stripe_webhooks):
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    f.pay(client, booking, card_pm(CARD_OK).id)
    base = app.config["STRIPE_API_BASE"]
    assert requests.post(f"{base}/_test/accounts/{prov['account']}/deauthorize",
                         timeout=10).status_code == 200
    wait_until(lambda: _me(client, prov)["stripe_account"]["deauthorized"], timeout=20,
               what="deauthorization received")
    status, body = _book_status(client, prov, 2)
    assert status == 409 and body["error"]["code"] == "provider_cannot_take_payments"
    client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    page = client.get("/dashboard/stripe").get_data(as_text=True)
    assert 'id="stripe-deauthorized"' in page and 'id="stripe-held"' in page
    assert "20,00" in page  # the hold still on that account


def test_platform_fee_on_capture_and_refunded_in_proportion(app, client, card_pm, stripe_raw,
                                                            monkeypatch):
    monkeypatch.setitem(app.config, "PLATFORM_FEE_BP", 500)
    prov = f.provider(client, pricing="flat", price={"amount_minor": 3000, "currency": "EUR"})
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    f.pay(client, booking, card_pm(CARD_OK).id)
    status, ended = api(client, "POST", f"/api/v1/bookings/{booking['id']}/end",
                        json={"minutes": 20}, token=prov["token"])
    assert status == 200, ended
    [paid] = ended["payments"]
    assert (paid["amount_captured"], paid["application_fee"]) == (3000, 150)
    charge = stripe_raw.v1.payment_intents.retrieve(paid["stripe_payment_intent_id"])[
        "latest_charge"]
    fees = stripe_raw.v1.application_fees.list(params={"charge": charge}, options=on(None))
    assert [(x["amount"], x["amount_refunded"]) for x in fees["data"]] == [(150, 0)]
    # the provider sees the fee next to what they receive
    client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    page = client.get("/dashboard").get_data(as_text=True)
    assert "frais de plateforme 1,50" in page and "vous recevez 28,50" in page
    status, _ = api(client, "POST", f"/api/v1/payments/{paid['id']}/refund", json={},
                    token=prov["token"])
    assert status == 201
    fees = stripe_raw.v1.application_fees.list(params={"charge": charge}, options=on(None))
    assert [(x["amount"], x["amount_refunded"]) for x in fees["data"]] == [(150, 150)]
    [(*_, fee, fee_refunded)] = _payments(app, booking_id=booking["id"])
    assert (fee, fee_refunded) == (150, 150)


def test_direct_mode_keeps_one_account_and_refuses_a_second_provider(app, client, card_pm,
                                                                     stripe_raw, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_MODE", "direct")
    prov = f.provider(client)
    assert prov["account"] is None and _me(client, prov)["stripe_account"] is None
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    f.pay(client, booking, card_pm(CARD_OK).id)
    status, ended = api(client, "POST", f"/api/v1/bookings/{booking['id']}/end",
                        json={"minutes": 15}, token=prov["token"])
    assert status == 200 and ended["payments"][0]["stripe_account_id"] is None
    intent = stripe_raw.v1.payment_intents.retrieve(ended["payments"][0][
        "stripe_payment_intent_id"])  # no Stripe-Account: the platform's own account
    assert intent["status"] == "succeeded"
    status, body = api(client, "POST", "/api/v1/providers", json={
        "email": "second@example.test", "password": "kiwi-falcon-2291", "name": "Second",
        "slug": "second", "timezone": "Europe/Paris"})
    assert status == 409 and body["error"]["code"] == "single_provider"
    page = client.post("/signup", data={
        "email": "second@example.test", "password": "kiwi-falcon-2291", "name": "Second",
        "slug": "second", "timezone": "Europe/Paris"}).get_data(as_text=True)
    assert "déjà son prestataire" in page
    status, body = api(client, "POST", "/api/v1/me/stripe/onboarding", token=prov["token"])
    assert status == 409 and body["error"]["code"] == "direct_mode"


def test_events_are_deduplicated_per_account(app, client):
    from skod.extensions import db
    from skod.webhooks.models import StripeEvent

    secret = app.config["STRIPE_CONNECT_WEBHOOK_SECRET"]
    obj = {"id": "cus_x", "object": "customer"}
    for account in (None, "acct_one", "acct_two", "acct_one"):
        ev = event("customer.created", obj, event_id="evt_same", account=account)
        assert deliver(client, ev, secret).status_code == 200
    with app.app_context():
        rows = db.session.scalars(db.select(StripeEvent.account).order_by(StripeEvent.id))
        assert list(rows) == ["", "acct_one", "acct_two"]


def test_idempotency_keys_carry_the_installation_and_the_account():
    from skod.stripe_gateway import Gateway

    gw = Gateway("sk_test_x", prefix="inst42")
    assert gw.idempotency_key("capture:payment:1") == "inst42:platform:capture:payment:1"
    bound = gw.on("acct_A")
    assert bound.idempotency_key("capture:payment:1") == "inst42:acct_A:capture:payment:1"
    assert gw.account is None and bound.client is gw.client


@pytest.mark.parametrize("bp, amount, fee", [(500, 3000, 150), (0, 3000, 0), (250, 1999, 50)])
def test_fee_rounding(app, bp, amount, fee, monkeypatch):
    from skod.payments.connect import fee_for

    monkeypatch.setitem(app.config, "PLATFORM_FEE_BP", bp)
    with app.app_context():
        assert fee_for(amount) == fee


def test_an_existing_stripe_account_is_connected_by_oauth(app, client, monkeypatch):
    from urllib.parse import parse_qs, urlsplit

    monkeypatch.setitem(app.config, "STRIPE_CONNECT_CLIENT_ID", "ca_skodtest")
    prov = f.provider(client, onboarded=False)
    client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    assert 'data-action="stripe-oauth"' in client.get("/dashboard/stripe").get_data(as_text=True)
    start = client.post("/dashboard/stripe/oauth", data={})
    assert start.status_code == 303 and "/oauth/authorize?" in start.location
    query = {k: v[0] for k, v in parse_qs(urlsplit(start.location).query).items()}
    assert (query["client_id"], query["scope"]) == ("ca_skodtest", "read_write")
    # the provider clicks "Connect" on Stripe's page: back to our redirect_uri with a code
    granted = requests.post(start.location.split("?")[0], data={**query, "decision": "connect"},
                            allow_redirects=False, timeout=10)
    assert granted.status_code == 303, granted.text
    back = urlsplit(granted.headers["Location"])
    assert back.path == "/dashboard/stripe/oauth/return"
    forged = client.get(f"{back.path}?code=ac_x&state=forged")
    assert forged.status_code == 303 and _me(client, prov)["stripe_account"] is None
    done = client.get(f"{back.path}?{back.query}")
    assert done.status_code == 303
    account = _me(client, prov)["stripe_account"]
    assert account["id"].startswith("acct_") and account["charges_enabled"] is True
    status, _ = _book_status(client, prov, 1)
    assert status == 201
