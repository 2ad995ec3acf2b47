"""The pay page in headless Chromium with the emulator's fake Stripe.js, at phone width: the
debt paid at J+10 with the 3-D Secure card (no later reminder), and the card step of a payment
plan when the saved card cannot carry instalments."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from skod.accounts.bank import grouped
from tests import factories as f
from tests.dunning_paypage_support import (
    AMOUNT,
    AUTH,
    IBAN,
    business_at,
    debt,
    recovery_intents,
    set_bank,
    state,
)
from tests.support import clock
from tests.support.stripe_helpers import CARD_3DS, CARD_OK
from tests.test_pages_browser import COMPLETE_3DS, count_3ds

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
HARD = {"decline_code": "stolen_card"}  # no smart retry: only the client can pay now


def _fill_card(page: Page, number: str, box: str = "#card-element") -> None:
    """The card fields: the plan page's Card Element, or the pay form's Payment Element
    (`#payment-element`, its card tab chosen first)."""
    if box == "#payment-element":
        page.check('#payment-element input[type=radio][value="card"]')
    box = page.locator(box)
    for placeholder, value in (("number", number), ("exp_month", "12"), ("exp_year", "30"),
                               ("cvc", "123")):
        box.locator(f'input[placeholder="{placeholder}"]').fill(value)


def _fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_paid_on_the_page_at_j10_with_3ds_closes_the_case_and_stops_the_ladder(
        app, browser_page, client, stripe_emulator, stripe_raw, card_pm, outbox, now):
    d = debt(app, client, stripe_emulator, card_pm, refusal=HARD)
    f.tick(app, business_at(clock.paris_day(now, 1)))  # step 0: the notice
    f.tick(app, business_at(clock.paris_day(now, 10)))  # J+10: step 1 went at J+7 or after
    assert state(app, d["id"])["steps"] == [0, 1]
    set_bank(app, d["provider"]["email"])  # the transfer details show too (a long IBAN)

    page = browser_page
    page.set_viewport_size(PHONE)
    challenges = count_3ds(page)
    page.goto(d["path"])
    expect(page.locator("#debt-status")).to_have_class(re.compile(r"status-owed"))
    expect(page.locator("#failure")).to_be_visible()
    expect(page.locator("#iban")).to_have_text(grouped(IBAN))  # grouped by four
    assert _fits(page), "the pay page scrolls sideways at 390 px"
    _fill_card(page, CARD_3DS, "#payment-element")
    page.click("#pay-button")
    page.get_by_role("button", name=COMPLETE_3DS).click()
    expect(page.locator("#debt-status")).to_have_class(re.compile(r"status-paid"),
                                                       timeout=15_000)
    expect(page.locator("#pay-form")).to_have_count(0)
    assert len(challenges) == 1 and _fits(page)

    case = state(app, d["id"])
    assert (case["status"], case["balance"], case["invoice_paid"]) == ("paid", 0, True)
    [pi_id] = recovery_intents(app, d["id"], f"pay:receivable:{d['id']}:")
    pi = stripe_raw.v1.payment_intents.retrieve(pi_id)
    assert (pi["status"], pi["amount_received"], pi["capture_method"]) == (
        "succeeded", AMOUNT, "automatic")
    assert pi["setup_future_usage"] == "off_session"

    mails = len(outbox.to(d["email"]))
    f.tick(app, business_at(clock.paris_day(now, 16)))  # J+15 passed: step 2 would be due
    assert state(app, d["id"])["steps"] == [0, 1]
    assert len(outbox.to(d["email"])) == mails


def test_plan_card_step_saves_a_new_card_then_asks_for_the_plan(
        app, browser_page, client, stripe_emulator, card_pm):
    d = debt(app, client, stripe_emulator, card_pm, refusal=AUTH)
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(d["path"])
    page.select_option("#instalments", "4")
    page.locator("#plan-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/plan\?instalments=4$"))
    expect(page.locator("#instalments")).to_have_value("4")
    assert _fits(page), "the plan page scrolls sideways at 390 px"
    _fill_card(page, CARD_OK)
    page.click("#plan-card-button")
    page.wait_for_url(re.compile(rf"/pay/{d['id']}/[^/]+$"), timeout=15_000)
    expect(page.locator("#plan-status")).to_have_attribute("data-status", "proposed")
    expect(page.locator("#pause")).to_be_visible()
    case = state(app, d["id"])
    assert (case["status"], case["pause_reason"]) == ("paused", "plan")
    assert case["card"] and case["card"] != d["card"]
