"""The emulator's Stripe Connect flows: application fees, the onboarding page, Stripe.js, OAuth.

With the real stripe SDK (option `stripe_account`) and headless Chromium at 390 px: fees on
PaymentIntent create and capture and their refund in proportion, the account link's page,
`Stripe(pk, {stripeAccount})` confirming on the connected account, Connect OAuth; and requests
without a Stripe-Account answering as before.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import stripe

from tests.support.connect import (
    CARD,
    assert_missing,
    customer_and_card,
    new_account,
    on,
    pay,
    receiver_fixtures,
    wait_events,
)
from tests.support.stripe_helpers import CARD_3DS, authenticate_3ds

connect_hook, platform_hook = receiver_fixtures("flows")


# --- application fees --------------------------------------------------------------------------
def test_application_fee_on_create_and_its_refund_in_proportion(stripe_raw, platform_hook):
    acct = new_account(stripe_raw)
    intent = pay(stripe_raw, acct, amount=4000, application_fee_amount=300)
    assert intent.application_fee_amount == 300
    charge = stripe_raw.v1.charges.retrieve(intent.latest_charge, options=on(acct))
    assert charge.application_fee_amount == 300 and charge.application_fee.startswith("fee_")
    fee = stripe_raw.v1.application_fees.retrieve(charge.application_fee)
    assert (fee.amount, fee.amount_refunded, fee.refunded) == (300, 0, False)
    assert (fee.account, fee.charge, fee.currency) == (acct, charge.id, "eur")
    assert [f.id for f in stripe_raw.v1.application_fees.list(
        params={"charge": charge.id}).data] == [fee.id]
    assert_missing(lambda: stripe_raw.v1.application_fees.retrieve(fee.id, options=on(acct)))
    platform_hook.wait_for(fee.id, {"application_fee.created"})

    stripe_raw.v1.refunds.create(params={"payment_intent": intent.id, "amount": 1000,
                                         "refund_application_fee": True}, options=on(acct))
    assert stripe_raw.v1.application_fees.retrieve(fee.id).amount_refunded == 75
    stripe_raw.v1.refunds.create(params={"payment_intent": intent.id, "amount": 1000},
                                 options=on(acct))
    assert stripe_raw.v1.application_fees.retrieve(fee.id).amount_refunded == 75
    stripe_raw.v1.refunds.create(params={"payment_intent": intent.id,
                                         "refund_application_fee": True}, options=on(acct))
    fee = stripe_raw.v1.application_fees.retrieve(fee.id)
    assert (fee.amount_refunded, fee.refunded) == (300, True)


def test_application_fee_on_capture(stripe_raw):
    acct = new_account(stripe_raw)
    hold = pay(stripe_raw, acct, amount=5000, capture_method="manual")
    assert hold.status == "requires_capture"
    assert stripe_raw.v1.charges.retrieve(hold.latest_charge,
                                          options=on(acct)).application_fee is None
    captured = stripe_raw.v1.payment_intents.capture(
        hold.id, params={"amount_to_capture": 4000, "application_fee_amount": 250},
        options=on(acct))
    assert captured.status == "succeeded" and captured.application_fee_amount == 250
    charge = stripe_raw.v1.charges.retrieve(hold.latest_charge, options=on(acct))
    assert stripe_raw.v1.application_fees.retrieve(charge.application_fee).amount == 250


def test_application_fee_needs_a_connected_account(stripe_raw):
    with pytest.raises(stripe.InvalidRequestError) as exc:
        pay(stripe_raw, None, application_fee_amount=100)
    assert exc.value.http_status == 400 and exc.value.param == "application_fee_amount"
    with pytest.raises(stripe.InvalidRequestError) as exc:
        pay(stripe_raw, new_account(stripe_raw), amount=1000, application_fee_amount=1001)
    assert exc.value.param == "application_fee_amount"


# --- onboarding page, Stripe.js, OAuth ---------------------------------------------------------
@pytest.fixture
def page(_browser):
    context = _browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_account_link_onboards_in_the_browser(stripe_raw, page):
    acct = new_account(stripe_raw, onboard=False)
    link = stripe_raw.v1.account_links.create(params={
        "account": acct, "type": "account_onboarding",
        "refresh_url": "https://platform.example/refresh",
        "return_url": "https://platform.example/return"})
    assert link.object == "account_link" and link.expires_at > link.created
    page.route("https://platform.example/**",
               lambda route: route.fulfill(body="back on the platform", content_type="text/plain"))
    page.goto(link.url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Complete onboarding").click()
    page.wait_for_url("https://platform.example/return")
    assert stripe_raw.v1.accounts.retrieve(acct).charges_enabled is True
    used = requests.get(link.url, allow_redirects=False, timeout=10)  # a link works once
    assert (used.status_code, used.headers["Location"]) == (
        303, "https://platform.example/refresh")


def test_stripe_js_acts_on_the_account_it_was_given(stripe_emulator, stripe_raw, page):
    acct = new_account(stripe_raw)
    customer, pm = customer_and_card(stripe_raw, acct)
    intent = stripe_raw.v1.payment_intents.create(params={
        "amount": 2000, "currency": "eur", "customer": customer}, options=on(acct))
    page.route(f"{stripe_emulator.base_url}/_page", lambda route: route.fulfill(
        body=f'<script src="{stripe_emulator.js_url}"></script>', content_type="text/html"))
    page.goto(f"{stripe_emulator.base_url}/_page")
    script = """async ([account, secret, pm]) => {
        const stripe = account ? Stripe('pk_test_skod', {stripeAccount: account})
                               : Stripe('pk_test_skod');
        const result = await stripe.confirmCardPayment(secret, {payment_method: pm});
        return result.error ? result.error.code : result.paymentIntent.status;
    }"""
    assert page.evaluate(script, [None, intent.client_secret, pm]) == "resource_missing"
    assert page.evaluate(script, [acct, intent.client_secret, pm]) == "succeeded"

    setup = stripe_raw.v1.setup_intents.create(params={"customer": customer}, options=on(acct))
    saved = page.evaluate("""async ([account, secret, card]) => {
        const stripe = Stripe('pk_test_skod', {stripeAccount: account});
        const result = await stripe.confirmCardSetup(secret, {payment_method: {card: card}});
        return result.error ? result.error.code : result.setupIntent.payment_method;
    }""", [acct, setup.client_secret, CARD])
    assert saved.startswith("pm_")
    assert stripe_raw.v1.payment_methods.retrieve(saved, options=on(acct)).customer == customer
    assert_missing(lambda: stripe_raw.v1.payment_methods.retrieve(saved))


def test_3ds_of_a_connected_intent_completes_with_its_account(stripe_emulator, stripe_raw):
    acct = new_account(stripe_raw)
    customer, pm = customer_and_card(stripe_raw, acct, CARD_3DS)
    intent = stripe_raw.v1.payment_intents.create(params={
        "amount": 1500, "currency": "eur", "customer": customer, "payment_method": pm,
        "confirm": True, "return_url": "https://platform.example/back"}, options=on(acct))
    assert intent.status == "requires_action"
    with pytest.raises(AssertionError, match="404"):
        authenticate_3ds(stripe_emulator.base_url, intent.id, intent.client_secret)
    done = authenticate_3ds(stripe_emulator.base_url, intent.id, intent.client_secret,
                            stripe_account=acct)
    assert done["status"] == "succeeded"


def test_oauth_connects_an_account(stripe_emulator, stripe_raw, connect_hook):
    base = stripe_emulator.base_url
    client = stripe.StripeClient(stripe_raw._requestor.api_key,
                                 base_addresses={"api": base, "connect": base},
                                 client_id="ca_skodtest", max_network_retries=0)
    url = client.oauth.authorize_url(params={"scope": "read_write", "state": "s123",
                                             "redirect_uri": "https://platform.example/oauth"})
    assert requests.get(url, timeout=10).text.count("Connect") >= 1
    form = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
    r = requests.post(f"{base}/oauth/authorize", data=dict(form, decision="connect"),
                      allow_redirects=False, timeout=10)
    assert r.status_code == 303
    back = parse_qs(urlparse(r.headers["Location"]).query)
    assert back["state"] == ["s123"] and re.fullmatch(r"ac_\w+", back["code"][0])
    token = client.oauth.token(params={"grant_type": "authorization_code",
                                       "code": back["code"][0]})
    acct = token["stripe_user_id"]
    assert token["scope"] == "read_write" and token["livemode"] is False
    assert stripe_raw.v1.accounts.retrieve(acct).charges_enabled is True
    with pytest.raises(stripe.oauth_error.InvalidGrantError):
        client.oauth.token(params={"grant_type": "authorization_code", "code": back["code"][0]})

    assert client.oauth.deauthorize(params={"stripe_user_id": acct})["stripe_user_id"] == acct
    wait_events(connect_hook, "account.application.deauthorized", acct)
    with pytest.raises(stripe.PermissionError):
        stripe_raw.v1.customers.list(options=on(acct))


def test_requests_without_an_account_work_as_before(stripe_raw):
    intent = pay(stripe_raw, None)
    assert intent.status == "succeeded" and intent.application_fee_amount is None
    charge = stripe_raw.v1.charges.retrieve(intent.latest_charge)
    assert charge.application_fee is None
    assert stripe_raw.v1.accounts.retrieve_current().object == "account"
