"""The emulator speaks Stripe Connect (scripts/emulator/accounts.py, owners.py, fees.py, ...).

Direct charges on connected accounts, driven with the real stripe SDK and its per-request
option `stripe_account`: accounts and their test controls, ownership of every object (404
across accounts, filtered lists), 403 for an unknown or deauthorized account, application fees
and their refund, events with `account` delivered to Connect endpoints only, idempotency per
account, the onboarding page and Stripe.js `stripeAccount` in Chromium, OAuth.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import stripe

from tests.support.receiver import receiving
from tests.support.stripe_helpers import CARD_OK

CONNECT_SECRET = "whsec_connect_test"
PLATFORM_SECRET = "whsec_platform_test"
CONTROLLER = {"fees": {"payer": "account"}, "losses": {"payments": "stripe"},
              "stripe_dashboard": {"type": "full"}}
CARD = {"number": CARD_OK, "exp_month": 12, "exp_year": 2030, "cvc": "123"}


@pytest.fixture(scope="module")
def connect_hook(stripe_emulator):
    yield from receiving(stripe_emulator, CONNECT_SECRET, "connect-test", connect=True)


@pytest.fixture(scope="module")
def platform_hook(stripe_emulator):
    yield from receiving(stripe_emulator, PLATFORM_SECRET, "platform-test")


def new_account(stripe_raw, onboard: bool = True) -> str:
    acct = stripe_raw.v1.accounts.create(params={
        "controller": CONTROLLER, "country": "FR", "email": f"{uuid.uuid4()}@example.org"}).id
    if onboard:
        control(stripe_raw, f"accounts/{acct}/onboard")
    return acct


def control(stripe_raw, path: str) -> dict:
    base = stripe_raw._requestor.base_addresses["api"]
    r = requests.post(f"{base}/_test/{path}", json={}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def on(acct: str | None) -> dict:
    return {"stripe_account": acct} if acct else {}


def customer_and_card(stripe_raw, acct: str | None) -> tuple[str, str]:
    customer = stripe_raw.v1.customers.create(params={"email": "c@example.org"},
                                              options=on(acct)).id
    pm = stripe_raw.v1.payment_methods.create(params={"type": "card", "card": CARD},
                                              options=on(acct)).id
    stripe_raw.v1.payment_methods.attach(pm, params={"customer": customer}, options=on(acct))
    return customer, pm


def pay(stripe_raw, acct: str | None, amount: int = 4000, **extra):
    customer, pm = customer_and_card(stripe_raw, acct)
    params = {"amount": amount, "currency": "eur", "customer": customer, "payment_method": pm,
              "confirm": True, "automatic_payment_methods": {"enabled": True,
                                                             "allow_redirects": "never"}}
    params.update(extra)
    return stripe_raw.v1.payment_intents.create(params=params, options=on(acct))


def assert_missing(call) -> None:
    with pytest.raises(stripe.InvalidRequestError) as exc:
        call()
    assert exc.value.http_status == 404
    assert exc.value.code == "resource_missing"


# --- accounts ----------------------------------------------------------------------------------
def test_a_new_account_cannot_take_payments_until_onboarded(stripe_raw):
    acct = new_account(stripe_raw, onboard=False)
    account = stripe_raw.v1.accounts.retrieve(acct)
    assert acct.startswith("acct_") and account.object == "account"
    assert (account.charges_enabled, account.payouts_enabled, account.details_submitted) == (
        False, False, False)
    assert account.requirements.currently_due and account.requirements.disabled_reason
    assert account.controller.fees.payer == "account"
    assert account.controller.stripe_dashboard.type == "full"
    assert set(account.capabilities.to_dict()) == {"card_payments", "transfers"}
    assert stripe_raw.v1.accounts.retrieve_current(options=on(acct)).id == acct

    onboarded = control(stripe_raw, f"accounts/{acct}/onboard")
    assert onboarded["charges_enabled"] and onboarded["payouts_enabled"]
    assert onboarded["details_submitted"] and onboarded["requirements"]["currently_due"] == []
    assert onboarded["requirements"]["disabled_reason"] is None

    restricted = control(stripe_raw, f"accounts/{acct}/restrict")
    assert not restricted["charges_enabled"]
    assert restricted["requirements"]["currently_due"]
    assert restricted["requirements"]["disabled_reason"]


def test_account_events_reach_connect_endpoints_only(stripe_raw, connect_hook, platform_hook):
    acct = new_account(stripe_raw)
    found = connect_hook.wait_for(acct, {"account.updated"})
    assert found["account.updated"]["charges_enabled"] is True
    events = [e for e in connect_hook.events() if e["data"]["object"].get("id") == acct]
    assert all(e["account"] == acct for e in events)
    caps = [e for e in connect_hook.events()
            if e["type"] == "capability.updated" and e["account"] == acct]
    assert {e["data"]["object"]["id"] for e in caps} == {"card_payments", "transfers"}
    assert not [e for e in platform_hook.events() if e["data"]["object"].get("id") == acct]


def test_unknown_deleted_and_deauthorized_accounts_are_refused(stripe_raw, connect_hook):
    for acct in ("acct_doesnotexist", "not-an-account"):
        with pytest.raises(stripe.PermissionError) as exc:
            stripe_raw.v1.customers.list(options=on(acct))
        assert exc.value.http_status == 403
        assert exc.value.json_body["error"]["code"] == "account_invalid"

    acct = new_account(stripe_raw)
    stripe_raw.v1.customers.create(options=on(acct))
    control(stripe_raw, f"accounts/{acct}/deauthorize")
    with pytest.raises(stripe.PermissionError):
        stripe_raw.v1.customers.list(options=on(acct))
    event = next(e for e in _wait_events(connect_hook, "account.application.deauthorized", acct))
    assert event["data"]["object"]["object"] == "application"

    gone = new_account(stripe_raw)
    deleted = stripe_raw.v1.accounts.delete(gone)
    assert (deleted.id, deleted.deleted) == (gone, True)
    with pytest.raises(stripe.PermissionError):
        stripe_raw.v1.customers.list(options=on(gone))


def _wait_events(hook, event_type: str, acct: str, timeout: float = 15.0) -> list[dict]:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [e for e in hook.events() if e["type"] == event_type and e.get("account") == acct]
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no {event_type} for {acct}")


# --- ownership ---------------------------------------------------------------------------------
def test_objects_of_an_account_are_missing_elsewhere(stripe_raw):
    a, b = new_account(stripe_raw), new_account(stripe_raw)
    intent = pay(stripe_raw, a)
    assert intent.status == "succeeded"
    customer, pm = intent.customer, intent.payment_method
    for acct in (b, None):
        assert_missing(lambda acct=acct: stripe_raw.v1.payment_intents.retrieve(
            intent.id, options=on(acct)))
        assert_missing(lambda acct=acct: stripe_raw.v1.customers.retrieve(
            customer, options=on(acct)))
        assert_missing(lambda acct=acct: stripe_raw.v1.payment_methods.retrieve(
            pm, options=on(acct)))
        assert_missing(lambda acct=acct: stripe_raw.v1.charges.retrieve(
            intent.latest_charge, options=on(acct)))
        assert_missing(lambda acct=acct: stripe_raw.v1.refunds.create(
            params={"payment_intent": intent.id}, options=on(acct)))
    # A request may not use another account's customer or card either.
    assert_missing(lambda: stripe_raw.v1.payment_intents.create(params={
        "amount": 1000, "currency": "eur", "customer": customer}, options=on(b)))
    assert_missing(lambda: stripe_raw.v1.setup_intents.create(params={
        "customer": customer}, options=on(b)))
    b_customer = stripe_raw.v1.customers.create(options=on(b)).id
    assert_missing(lambda: stripe_raw.v1.payment_methods.attach(
        pm, params={"customer": b_customer}, options=on(b)))
    assert stripe_raw.v1.payment_intents.retrieve(intent.id, options=on(a)).id == intent.id

    listed = {"a": stripe_raw.v1.payment_intents.list(options=on(a)).data,
              "b": stripe_raw.v1.payment_intents.list(options=on(b)).data,
              "platform": stripe_raw.v1.payment_intents.list(params={"limit": 100}).data}
    assert [pi.id for pi in listed["a"]] == [intent.id]
    assert listed["b"] == []
    assert intent.id not in {pi.id for pi in listed["platform"]}
    assert [c.id for c in stripe_raw.v1.customers.list(options=on(a)).data] == [customer]


def test_events_carry_the_account_and_go_to_connect_endpoints(stripe_raw, connect_hook,
                                                              platform_hook):
    acct = new_account(stripe_raw)
    connected = pay(stripe_raw, acct)
    own = pay(stripe_raw, None)
    got = connect_hook.wait_for(connected.id, {"payment_intent.succeeded"})
    assert got["payment_intent.succeeded"]["status"] == "succeeded"
    platform_hook.wait_for(own.id, {"payment_intent.succeeded"})
    about = {e["data"]["object"].get("id"): e for e in connect_hook.events()}
    assert about[connected.id]["account"] == acct and own.id not in about
    platform_events = [e for e in platform_hook.events()
                       if e["data"]["object"].get("id") in (own.id, connected.id)]
    assert platform_events and all("account" not in e for e in platform_events)
    assert {e["data"]["object"]["id"] for e in platform_events} == {own.id}
    listed = stripe_raw.v1.events.list(params={"limit": 100}, options=on(acct)).data
    assert listed and all(e.account == acct for e in listed)

    # Controls act on any account; what they make belongs to the charge's account.
    dispute = control(stripe_raw, f"payment_intents/{connected.id}/dispute")
    connect_hook.wait_for(dispute["id"], {"charge.dispute.created"})
    assert stripe_raw.v1.disputes.retrieve(dispute["id"], options=on(acct)).charge == (
        connected.latest_charge)
    assert_missing(lambda: stripe_raw.v1.disputes.retrieve(dispute["id"]))


def test_idempotency_keys_are_per_account(stripe_raw):
    a, b = new_account(stripe_raw), new_account(stripe_raw)
    key = f"cus-{uuid.uuid4()}"
    first = stripe_raw.v1.customers.create(params={"email": "x@example.org"},
                                           options={"stripe_account": a, "idempotency_key": key})
    again = stripe_raw.v1.customers.create(params={"email": "x@example.org"},
                                           options={"stripe_account": a, "idempotency_key": key})
    other = stripe_raw.v1.customers.create(params={"email": "x@example.org"},
                                           options={"stripe_account": b, "idempotency_key": key})
    platform = stripe_raw.v1.customers.create(params={"email": "x@example.org"},
                                              options={"idempotency_key": key})
    assert first.id == again.id
    assert len({first.id, other.id, platform.id}) == 3
    assert stripe_raw.v1.customers.retrieve(other.id, options=on(b)).id == other.id


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
    _wait_events(connect_hook, "account.application.deauthorized", acct)
    with pytest.raises(stripe.PermissionError):
        stripe_raw.v1.customers.list(options=on(acct))


def test_requests_without_an_account_work_as_before(stripe_raw):
    intent = pay(stripe_raw, None)
    assert intent.status == "succeeded" and intent.application_fee_amount is None
    charge = stripe_raw.v1.charges.retrieve(intent.latest_charge)
    assert charge.application_fee is None
    assert stripe_raw.v1.accounts.retrieve_current().object == "account"
