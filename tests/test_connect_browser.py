"""Stripe Connect in headless Chromium at 390 px: a provider onboards from the dashboard through
the emulator's Stripe page and back, then a client books them on the public page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.support.browser import log_in
from tests.support.stripe_helpers import CARD_OK, use_account
from tests.test_pages_browser import PHONE, _choose_slot, _fill_booking, _landed_held, _slug

pytestmark = pytest.mark.browser


@pytest.mark.usefixtures("start_any_time")
def test_onboarding_from_the_dashboard_then_a_booking(browser_page, client, stripe_raw):
    page = browser_page
    page.set_viewport_size(PHONE)
    prov = f.provider(client, onboarded=False)
    log_in(page, prov["email"])
    expect(page.locator("#stripe-banner")).to_be_visible()
    page.click("#stripe-banner a")
    expect(page.locator("#stripe-none")).to_be_visible()
    page.click("[data-action=stripe-onboarding]")
    page.wait_for_url(re.compile(r"/_connect/onboarding/"))  # Stripe's (the emulator's) page
    page.get_by_role("button", name="Complete onboarding").click()
    page.wait_for_url(re.compile(r"/dashboard/stripe$"))  # back through the return route
    expect(page.locator("#stripe-ready")).to_be_visible()
    expect(page.locator("[data-field=charges]")).to_have_text("activés")
    account = page.locator("[data-account]").get_attribute("data-account")
    assert account and account.startswith("acct_")
    page.goto("/dashboard")
    expect(page.locator("#stripe-banner")).to_have_count(0)
    # a client books on the public page: the card is made and held on the provider's account
    use_account(account)
    start = f.start_in(timedelta(days=1))
    page.goto(f"/p/{_slug(prov)}/o/{prov['offer_id']}")
    page.wait_for_url(re.compile(r"[?&]tz="))
    _choose_slot(page, start)
    _fill_booking(page, CARD_OK)
    page.click("#book-button")
    booking = _landed_held(page, client, stripe_raw)  # read with Stripe-Account: the provider's
    assert booking["payments"][0]["stripe_account_id"] == account


def test_not_onboarded_provider_page_says_so(browser_page, client):
    page = browser_page
    page.set_viewport_size(PHONE)
    prov = f.provider(client, onboarded=False)
    page.goto(f"/p/{_slug(prov)}/o/{prov['offer_id']}")
    expect(page.locator("#cannot-pay")).to_contain_text("ne peut pas encore encaisser")
    expect(page.locator("#booking-form")).to_have_count(0)
