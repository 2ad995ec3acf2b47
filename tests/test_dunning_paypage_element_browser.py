"""The pay page's one payment form (Stripe's Payment Element, emulated by the emulator's fake
Stripe.js) in headless Chromium at phone width: a card with 3-D Secure settles the debt; the form
offers SEPA Direct Debit for a debt in euros and the bank transfer details stay shown beside it;
axe finds no serious violation; a SEPA debit from the page is `processing` (the page says it is
on its way and offers no second payment), then the bank's answer, sent by the emulator's control,
settles the debt or leaves it owed with the bank's reason. And the plan page's step when no card
can carry instalments: SEPA Direct Debit, a mandate signed with the IBAN Element."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from skod.accounts.bank import grouped
from tests import factories as f
from tests.dunning_paypage_support import (
    AMOUNT,
    IBAN,
    business_at,
    debt,
    recovery_intents,
    set_bank,
    state,
)
from tests.support import clock
from tests.support.api import api
from tests.support.net import wait_until
from tests.support.stripe_helpers import CARD_3DS
from tests.test_accessibility import BLOCKING, _axe
from tests.test_emulator_sepa import IBAN_OK
from tests.test_pages_browser import COMPLETE_3DS, count_3ds

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
HARD = {"decline_code": "stolen_card"}  # no smart retry: only the client can pay now
PREFIX = "pay:receivable:{id}:"


@pytest.fixture
def webhooks(stripe_webhooks):
    """The emulator's events delivered to the app; at teardown, every copy delivered before
    the database is emptied (a late one would race the next test's cleanup)."""
    yield stripe_webhooks
    wait_until(lambda: stripe_webhooks.webhooks_status()["pending"] == 0, timeout=20,
               what="the webhooks delivered")


@pytest.fixture
def browser_page(_browser, live_server):
    """A French phone-sized page whose CSP lets the test inject axe (as test_accessibility's
    axe_page; the app's own CSP forbids injected scripts, rightly)."""
    context = _browser.new_context(base_url=live_server.url, locale="fr-FR", viewport=PHONE,
                                   bypass_csp=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _open(app, client, stripe_emulator, card_pm, now, page: Page) -> dict:
    """A debt at J+10 (notice and first reminder sent), the provider's bank details given,
    its pay page open at 390 px."""
    d = debt(app, client, stripe_emulator, card_pm, refusal=HARD)
    f.tick(app, business_at(clock.paris_day(now, 1)))
    f.tick(app, business_at(clock.paris_day(now, 10)))
    set_bank(app, d["provider"]["email"])
    page.set_viewport_size(PHONE)
    page.goto(d["path"])
    expect(page.locator("#payment-element fieldset")).to_be_visible()
    return d


def _pay_by_sepa(page: Page, iban: str) -> None:
    page.check('#payment-element input[type=radio][value="sepa_debit"]')
    pane = page.locator('#payment-element [data-payment-type="sepa_debit"]')
    expect(pane).to_be_visible()
    expect(pane.locator("#skod-pe-name")).to_have_value("Dana Buyer")  # from defaultValues
    expect(pane).to_contain_text("huit semaines")  # the mandate text, in French
    pane.get_by_label("IBAN").fill(iban)
    page.click("#pay-button")


def test_card_with_3ds_settles_the_debt_and_the_form_offers_sepa_and_transfer(
        app, browser_page, client, stripe_emulator, stripe_raw, card_pm, now):
    page = browser_page
    challenges = count_3ds(page)
    d = _open(app, client, stripe_emulator, card_pm, now, page)
    # one form: card and SEPA Direct Debit (a debt in euros), in the client's language
    methods = page.locator('#payment-element input[type=radio]')
    assert [methods.nth(i).get_attribute("value") for i in range(methods.count())] == [
        "card", "sepa_debit"]
    expect(page.locator("#payment-element legend")).to_have_text("Moyen de paiement")
    expect(page.get_by_label("Prélèvement SEPA")).to_be_visible()
    # the transfer stays a choice the client reads, beside the form
    expect(page.locator("#transfer-choice a")).to_be_visible()
    expect(page.locator("#iban")).to_have_text(grouped(IBAN))  # grouped by four
    expect(page.locator("#transfer-reference")).not_to_be_empty()
    assert _fits(page), "the pay page scrolls sideways at 390 px"
    found = [v for v in _axe(page) if v["impact"] in BLOCKING]
    assert found == [], found

    box = page.locator('#payment-element [data-payment-type="card"]')
    for placeholder, value in (("number", CARD_3DS), ("exp_month", "12"), ("exp_year", "30"),
                               ("cvc", "123")):
        box.locator(f'input[placeholder="{placeholder}"]').fill(value)
    page.click("#pay-button")
    page.get_by_role("button", name=COMPLETE_3DS).click()
    expect(page.locator("#debt-status")).to_have_class(re.compile(r"status-paid"),
                                                       timeout=15_000)
    expect(page.locator("#pay-form")).to_have_count(0)
    assert len(challenges) == 1 and _fits(page)

    case = state(app, d["id"])
    assert (case["status"], case["balance"], case["invoice_paid"]) == ("paid", 0, True)
    [pi_id] = recovery_intents(app, d["id"], PREFIX.format(id=d["id"]))
    pi = stripe_raw.v1.payment_intents.retrieve(pi_id)
    assert (pi["status"], pi["amount_received"], pi["capture_method"]) == (
        "succeeded", AMOUNT, "automatic")
    assert sorted(pi["payment_method_types"]) == ["card", "sepa_debit"]
    assert stripe_raw.v1.payment_methods.retrieve(pi["payment_method"]).type == "card"


def _debit_on_its_way(app, client, page: Page, stripe_raw, d: dict) -> str:
    """After the SEPA submit: the page says the debit is on its way and opens no second
    payment; the intent is processing at the emulator, for the amount owed, under a mandate;
    the debt still owed."""
    expect(page.locator("#debit-processing")).to_be_visible(timeout=15_000)
    expect(page.locator("#pay-form")).to_have_count(0)
    status, body = api(client, "POST", f"/api/v1/pay/{d['id']}/card-setup",
                       token=d["path"].rsplit("/", 1)[1])
    assert (status, body["error"]["code"]) == (409, "debit_processing")
    [pi_id] = recovery_intents(app, d["id"], PREFIX.format(id=d["id"]))
    pi = stripe_raw.v1.payment_intents.retrieve(pi_id)
    assert (pi["status"], pi["amount"]) == ("processing", AMOUNT)
    charge = stripe_raw.v1.charges.retrieve(pi["latest_charge"])
    assert charge.payment_method_details.sepa_debit.mandate
    case = state(app, d["id"])
    assert (case["balance"], case["paid"], case["invoice_paid"]) == (AMOUNT, 0, False)
    assert case["status"] != "paid"
    return pi_id


def test_sepa_debit_from_the_page_is_processing_then_settled(
        app, browser_page, client, stripe_emulator, webhooks, stripe_raw, card_pm, now):
    page = browser_page
    d = _open(app, client, stripe_emulator, card_pm, now, page)
    _pay_by_sepa(page, IBAN_OK)
    pi_id = _debit_on_its_way(app, client, page, stripe_raw, d)

    stripe_emulator.settle_debit(pi_id)
    wait_until(lambda: state(app, d["id"])["status"] == "paid", timeout=20,
               what="the debt paid after the debit settled")
    case = state(app, d["id"])
    assert (case["balance"], case["invoice_paid"]) == (0, True)
    assert stripe_raw.v1.payment_intents.retrieve(pi_id)["amount_received"] == AMOUNT
    page.reload()
    expect(page.locator("#debt-status")).to_have_class(re.compile(r"status-paid"))
    expect(page.locator("#debit-processing")).to_have_count(0)


def test_sepa_debit_from_the_page_that_fails_leaves_the_debt_owed(
        app, browser_page, client, stripe_emulator, webhooks, stripe_raw, card_pm, now):
    page = browser_page
    d = _open(app, client, stripe_emulator, card_pm, now, page)
    _pay_by_sepa(page, IBAN_OK)
    pi_id = _debit_on_its_way(app, client, page, stripe_raw, d)

    stripe_emulator.fail_debit(pi_id, "insufficient_funds")
    wait_until(lambda: _failed(app, d["id"]), timeout=20,
               what="the page's payment failed after the debit was returned")
    case = state(app, d["id"])
    assert case["balance"] == AMOUNT and case["status"] != "paid"
    assert case["invoice_paid"] is False
    page.reload()
    expect(page.locator("#debit-processing")).to_have_count(0)
    expect(page.locator("#failure")).to_contain_text("prélèvement")
    expect(page.locator("#failure")).to_contain_text("provision insuffisante")
    expect(page.locator("#pay-form")).to_be_visible()  # the client may pay another way


def _failed(app, receivable_id: int) -> bool:
    from sqlalchemy import select

    from skod.extensions import db
    from skod.payments.models import Payment

    with app.app_context():
        payment = db.session.scalar(select(Payment).where(
            Payment.receivable_id == receivable_id,
            Payment.create_key.startswith(PREFIX.format(id=receivable_id)))
            .order_by(Payment.id.desc()).limit(1))
        return payment is not None and payment.status == "failed" and (
            payment.method == "sepa_debit")


def test_plan_step_signs_a_sepa_mandate_then_asks_for_the_plan(
        app, browser_page, client, stripe_emulator, stripe_raw, card_pm):
    d = debt(app, client, stripe_emulator, card_pm, refusal=HARD)  # no card for instalments
    page = browser_page
    page.goto(d["path"])
    page.select_option("#instalments", "3")
    page.locator("#plan-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/plan\?instalments=3$"))
    expect(page.locator("#sepa-box")).to_be_hidden()
    page.check('input[name=method][value="sepa_debit"]')
    expect(page.locator("#card-box")).to_be_hidden()
    expect(page.locator("#mandate-text")).to_contain_text("8 semaines")
    expect(page.locator("#plan-card-button")).to_have_text(
        "Signer le mandat et demander l’échéancier")
    assert _fits(page), "the plan page scrolls sideways at 390 px"
    page.locator("#iban-element input").fill("DE89 3704 0044 0532 0130 00")
    page.click("#plan-card-button")
    page.wait_for_url(re.compile(rf"/pay/{d['id']}/[^/]+$"), timeout=15_000)
    expect(page.locator("#plan-status")).to_have_attribute("data-status", "proposed")
    case = state(app, d["id"])
    assert (case["status"], case["pause_reason"]) == ("paused", "plan")
    pm = stripe_raw.v1.payment_methods.retrieve(case["card"])
    assert (pm.type, pm.sepa_debit.last4) == ("sepa_debit", IBAN_OK[-4:])
