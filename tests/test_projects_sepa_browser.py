"""The client's acceptance page in headless Chromium, at phone width: choosing SEPA Direct Debit
shows the IBAN field (Stripe.js's IBAN Element, emulated) and the mandate text instead of the
card; accepting signs the mandate at Stripe (the IBAN never reaches our server) and the first
milestone is debited at once, shown "debit in progress"."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.test_emulator_sepa import IBAN_OK
from tests.test_pages_browser import PHONE
from tests.test_projects_api import new_project, read

pytestmark = pytest.mark.browser


def test_client_accepts_with_a_sepa_mandate(browser_page, client, stripe_raw):
    prov = f.provider(client)
    project = new_project(client, prov, milestones=[("Audit", 90000, 3)])
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(f"/pr/{project['id']}/{project['client_token']}")
    expect(page.locator("#sepa-box")).to_be_hidden()
    page.check("#accept_terms")
    page.check('input[name=method][value="sepa_debit"]')
    expect(page.locator("#card-box")).to_be_hidden()
    expect(page.locator("#mandate-text")).to_contain_text("Stripe")
    expect(page.locator("#mandate-text")).to_contain_text("8 semaines")
    page.locator("#iban-element input").fill("DE89 3704 0044 0532 0130 00")
    page.click("#accept-button")
    page.wait_for_url(f"**/pr/{project['id']}/{project['client_token']}")
    expect(page.locator("#accept")).to_have_count(0)  # the page came back accepted
    body = read(client, project)
    assert (body["status"], body["payment_method_kind"]) == ("accepted", "sepa_debit")
    [debit] = body["milestones"][0]["payments"]
    assert debit["status"] == "processing"
    intent = stripe_raw.v1.payment_intents.retrieve(debit["stripe_payment_intent_id"])
    pm = stripe_raw.v1.payment_methods.retrieve(intent["payment_method"])
    assert (pm.type, pm.sepa_debit.last4) == ("sepa_debit", IBAN_OK[-4:])
    mandate = stripe_raw.v1.mandates.retrieve(
        stripe_raw.v1.charges.retrieve(intent["latest_charge"])
        .payment_method_details.sepa_debit.mandate)
    assert mandate.customer_acceptance.online.user_agent  # inferred from the browser
    expect(page.locator(f'#debit-{body["milestones"][0]["id"]}')).to_have_attribute(
        "data-debit", "processing")
