"""The emulator speaks Stripe Connect: accounts, ownership, events (scripts/emulator/).

Direct charges on connected accounts, driven with the real stripe SDK and its per-request
option `stripe_account`: accounts and their test controls, ownership of every object (404
across accounts, filtered lists), 403 for an unknown or deauthorized account, events with
`account` delivered to Connect endpoints only, idempotency per account. Fees, the onboarding
page, Stripe.js and OAuth: test_emulator_connect_flows.py.
"""

from __future__ import annotations

import time
import uuid

import pytest
import stripe

from tests.support.connect import (
    assert_missing,
    control,
    new_account,
    on,
    pay,
    receiver_fixtures,
    wait_events,
)

connect_hook, platform_hook = receiver_fixtures("test")


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


def _capabilities(hook, acct: str, timeout: float = 15.0) -> set[str]:
    """The capabilities of `acct` whose `capability.updated` arrived, waiting for both: they
    may come after account.updated (Stripe keeps no order between events)."""
    deadline = time.monotonic() + timeout
    while True:
        caps = {e["data"]["object"]["id"] for e in hook.events()
                if e["type"] == "capability.updated" and e["account"] == acct}
        if len(caps) >= 2 or time.monotonic() > deadline:
            return caps
        time.sleep(0.1)


def test_account_events_reach_connect_endpoints_only(stripe_raw, connect_hook, platform_hook):
    acct = new_account(stripe_raw)
    found = connect_hook.wait_for(acct, {"account.updated"})
    assert found["account.updated"]["charges_enabled"] is True
    events = [e for e in connect_hook.events() if e["data"]["object"].get("id") == acct]
    assert all(e["account"] == acct for e in events)
    assert _capabilities(connect_hook, acct) == {"card_payments", "transfers"}
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
    event = next(e for e in wait_events(connect_hook, "account.application.deauthorized", acct))
    assert event["data"]["object"]["object"] == "application"

    gone = new_account(stripe_raw)
    deleted = stripe_raw.v1.accounts.delete(gone)
    assert (deleted.id, deleted.deleted) == (gone, True)
    with pytest.raises(stripe.PermissionError):
        stripe_raw.v1.customers.list(options=on(gone))


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
