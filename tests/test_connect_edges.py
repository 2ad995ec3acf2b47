"""Stripe Connect edge cases (issues #18 and #19): events about accounts or objects Skod does
not know, a provider whose account cannot take payments on the pay page, and cards saved on
the platform before the provider moved to Connect."""

from __future__ import annotations

import html
import logging
from datetime import timedelta

import pytest

from tests import factories as f
from tests.dunning_paypage_support import debt, recovery_intents
from tests.support.api import api
from tests.support.connect import CARD, control, new_account, pay
from tests.support.net import wait_until
from tests.support.stripe_helpers import CARD_OK, on
from tests.webhook_support import deliver, event


def _events(app, account: str) -> list[tuple[str, str, str | None]]:
    from skod.extensions import db
    from skod.webhooks.models import StripeEvent

    with app.app_context():
        rows = db.session.execute(db.select(StripeEvent.type, StripeEvent.status,
                                            StripeEvent.last_error)
                                  .where(StripeEvent.account == account)
                                  .order_by(StripeEvent.id)).all()
        db.session.commit()
        return [tuple(r) for r in rows]


def _settled(app, account: str, last_type: str) -> bool:
    rows = _events(app, account)
    return any(t == last_type for t, *_ in rows) and all(
        s in ("processed", "ignored", "failed") for _, s, _ in rows)


def test_events_of_an_account_no_provider_owns_are_acknowledged_and_ignored(
        app, client, stripe_raw, stripe_emulator, stripe_webhooks, caplog):
    stray = new_account(stripe_raw)  # onboarded at the emulator: no provider of ours owns it
    intent = pay(stripe_raw, stray, amount=2500)
    dispute = stripe_emulator.dispute(intent.id, reason="fraudulent")
    wait_until(lambda: _settled(app, stray, "charge.dispute.created"), timeout=20,
               what="the stray account's events delivered")
    control(stripe_raw, f"accounts/{stray}/deauthorize")
    wait_until(lambda: _settled(app, stray, "account.application.deauthorized"), timeout=20,
               what="the deauthorization delivered")
    # after the deauthorization Stripe refuses every read on that account: a late event
    # about its dispute is acknowledged and ignored too, with a log line, never failed
    late = event("charge.dispute.updated", {"id": dispute["id"], "object": "dispute"},
                 account=stray)
    caplog.clear()
    caplog.set_level(logging.INFO, logger="skod.webhooks.processing")
    assert deliver(client, late, app.config["STRIPE_CONNECT_WEBHOOK_SECRET"]).status_code == 200
    rows = _events(app, stray)
    kinds = {t for t, *_ in rows}
    assert {"account.updated", "payment_intent.succeeded", "charge.dispute.created",
            "account.application.deauthorized", "charge.dispute.updated"} <= kinds
    assert [r for r in rows if r[1] != "ignored" and r[1] != "processed"] == []
    # the late event's row (not the last one: Stripe may deliver an earlier event after it)
    assert [s for t, s, _ in rows if t == "charge.dispute.updated"] == ["ignored"]
    assert any("ignored" in r.getMessage() and stray in r.getMessage() for r in caplog.records)


def test_an_event_about_another_accounts_object_is_ignored(app, client, stripe_raw):
    prov = f.provider(client)
    other = new_account(stripe_raw)
    intent = pay(stripe_raw, other, amount=1800)
    setup = stripe_raw.v1.setup_intents.create(params={"usage": "off_session"},
                                               options=on(other))
    secret = app.config["STRIPE_CONNECT_WEBHOOK_SECRET"]
    # said to be about the provider's account, but the objects live on another one: Stripe
    # answers 404 there; the event is acknowledged and ignored, not failed and retried
    for kind, obj in (("payment_intent.succeeded", {"id": intent.id, "object": "payment_intent"}),
                      ("setup_intent.succeeded", {"id": setup.id, "object": "setup_intent"}),
                      ("payment_method.detached", {"id": intent.payment_method,
                                                   "object": "payment_method"})):
        assert deliver(client, event(kind, obj, account=prov["account"]),
                       secret).status_code == 200
    assert [s for _, s, _ in _events(app, prov["account"])] == ["ignored"] * 3


def test_a_deauthorized_providers_events_still_update_what_they_can(app, client, stripe_raw,
                                                                   stripe_webhooks):
    prov = f.provider(client)
    control(stripe_raw, f"accounts/{prov['account']}/deauthorize")
    wait_until(lambda: _settled(app, prov["account"], "account.application.deauthorized"),
               timeout=20, what="the deauthorization delivered")
    assert [s for t, s, _ in _events(app, prov["account"])
            if t == "account.application.deauthorized"] == ["processed"]
    status = client.get("/api/v1/me", headers={"Authorization": f"Bearer {prov['token']}"})
    assert status.get_json()["stripe_account"]["deauthorized"] is True
    assert f.start_in(timedelta(days=1))  # the provider row is kept, only marked


# --- the pay page of a provider who cannot take payments -----------------------------------------
def _pay_step(client, d: dict, lang: str) -> tuple[int, dict]:
    return api(client, "POST", f"/api/v1/pay/{d['id']}/card-setup", token=d["path"].rsplit(
        "/", 1)[1], headers={"Accept-Language": lang})


@pytest.mark.parametrize("control_path", ["deauthorize", "restrict"])
def test_the_pay_page_says_the_provider_cannot_take_payments(
        app, client, stripe_emulator, stripe_raw, card_pm, control_path):
    d = debt(app, client, stripe_emulator, card_pm, amount=7000)
    account = d["provider"]["account"]
    control(stripe_raw, f"accounts/{account}/{control_path}")
    _account_event(app, client, control_path, account)
    for lang, words in (("en", "cannot take card payments"),
                        ("fr", "ne peut pas encaisser de paiement par carte")):
        client = app.test_client()  # a page sets the session's language: one client each
        status, body = _pay_step(client, d, lang)
        assert status == 409, body
        assert body["error"]["code"] == "provider_cannot_take_payments"
        assert words in body["error"]["message"]
        page = html.unescape(client.get(f"{d['path']}?lang={lang}").get_data(as_text=True))
        assert words in page and 'id="pay-form"' not in page
    assert recovery_intents(app, d["id"]) == []  # nothing was opened at Stripe


def _account_event(app, client, control_path: str, account: str) -> None:
    """The event the control sent, delivered as the Connect endpoint would."""
    kind = "account.application.deauthorized" if control_path == "deauthorize" \
        else "account.updated"
    obj = {"id": account, "object": "account"} if kind == "account.updated" \
        else {"id": "ca_skod", "object": "application"}
    ev = event(kind, obj, account=account)
    assert deliver(client, ev, app.config["STRIPE_CONNECT_WEBHOOK_SECRET"]).status_code == 200


# --- a card saved on the platform before the provider moved to Connect --------------------------
def _platform_hold(stripe_raw, amount: int) -> tuple[str, str, str]:
    """A customer, card and manual-capture hold on the platform's own account, as one-account
    Skod made them before Connect."""
    platform = on(None)
    customer = stripe_raw.v1.customers.create(params={"email": "client@example.test"},
                                              options=platform).id
    pm = stripe_raw.v1.payment_methods.create(params={"type": "card", "card": CARD},
                                              options=platform).id
    stripe_raw.v1.payment_methods.attach(pm, params={"customer": customer}, options=platform)
    intent = stripe_raw.v1.payment_intents.create(params={
        "amount": amount, "currency": "eur", "customer": customer, "payment_method": pm,
        "capture_method": "manual", "confirm": True, "off_session": True}, options=platform)
    assert intent.status == "requires_capture"
    return customer, pm, intent.id


def _as_before_connect(app, booking_id: int, customer: str, pm: str, pi_id: str) -> None:
    """The rows as the one-account installation left them: no account on the client, the
    booking or the payment (their customer, card and hold are the platform's)."""
    from skod.calls.models import Booking
    from skod.extensions import db
    from skod.payments.models import Payment

    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        booking.client.stripe_account_id, booking.client.stripe_customer_id = None, customer
        booking.stripe_customer_id, booking.stripe_payment_method_id = customer, pm
        [payment] = db.session.scalars(db.select(Payment).filter_by(booking_id=booking_id))
        payment.stripe_account_id, payment.stripe_payment_intent_id = None, pi_id
        payment.stripe_payment_method_id = pm
        db.session.commit()


def test_a_hold_made_on_the_platform_before_connect_is_captured_and_refunded_there(
        app, client, card_pm, stripe_raw):
    prov = f.provider(client, pricing="flat", price={"amount_minor": 3000, "currency": "EUR"})
    old = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    f.pay(client, old, card_pm(CARD_OK).id)
    customer, pm, pi_old = _platform_hold(stripe_raw, 3000)
    _as_before_connect(app, old["id"], customer, pm, pi_old)
    # the old hold: captured and refunded on the platform, where it lives
    status, ended = api(client, "POST", f"/api/v1/bookings/{old['id']}/end",
                        json={"minutes": 20}, token=prov["token"])
    assert status == 200, ended
    [paid] = ended["payments"]
    assert (paid["status"], paid["stripe_account_id"]) == ("captured", None)
    intent = stripe_raw.v1.payment_intents.retrieve(pi_old, options=on(None))
    assert (intent.status, intent.amount_received) == ("succeeded", 3000)
    status, refund = api(client, "POST", f"/api/v1/payments/{paid['id']}/refund",
                         json={"amount_minor": 1000}, token=prov["token"])
    assert status == 201, refund
    assert [r.amount for r in stripe_raw.v1.refunds.list(
        params={"payment_intent": pi_old}, options=on(None)).data] == [1000]
    # a new booking of that client: a new customer on the provider's account, never the
    # platform's customer or card
    new = f.book(client, prov["offer_id"], f.start_in(timedelta(days=2)))
    f.pay(client, new, card_pm(CARD_OK).id)
    [(_, pi_new, account, state, *_)] = _booking_payments(app, new["id"])
    assert (account, state) == (prov["account"], "held")
    held = stripe_raw.v1.payment_intents.retrieve(pi_new, options=on(prov["account"]))
    assert held.customer != customer and held.payment_method != pm
    assert stripe_raw.v1.customers.retrieve(held.customer, options=on(prov["account"])).id
    client_row = _client_of(app, new["id"])
    assert client_row == (prov["account"], held.customer)


def _booking_payments(app, booking_id: int) -> list:
    from skod.extensions import db
    from skod.payments.models import Payment

    with app.app_context():
        rows = db.session.scalars(db.select(Payment).filter_by(booking_id=booking_id))
        return [(p.id, p.stripe_payment_intent_id, p.stripe_account_id, p.status) for p in rows]


def _client_of(app, booking_id: int) -> tuple[str | None, str | None]:
    from skod.calls.models import Booking
    from skod.extensions import db

    with app.app_context():
        c = db.session.get(Booking, booking_id).client
        return c.stripe_account_id, c.stripe_customer_id
