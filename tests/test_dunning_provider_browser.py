"""The provider's dunning pages in headless Chromium at a phone's width (390 px): the list, a
case page with its timeline, and a pause confirmed through its confirmation page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.support.browser import log_in
from tests.test_dunning_provider_api import business_morning, case, open_debt, provider_id

PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp/shots")


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.browser
def test_receivables_and_a_case_fit_a_phone_and_pause_is_confirmed(app, browser_page, client,
                                                                   now):
    prov = f.provider(client)
    pid = provider_id(app, prov)
    late = open_debt(app, pid, now, amount=123_456, days_late=20)
    open_debt(app, pid, now, amount=4_500, kind="consumer")
    f.tick(app, business_morning(now))
    page = browser_page
    page.set_viewport_size(PHONE)
    SHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, prov["email"])
    expect(page.locator("#money-owed [data-currency=EUR]")).to_have_text("1\u202f279,56\u00a0€")
    page.screenshot(path=str(SHOTS / "dashboard-owed.png"), full_page=True)
    assert _fits(page)
    page.goto("/dashboard/receivables")
    expect(page.locator("[data-receivable]")).to_have_count(2)
    page.screenshot(path=str(SHOTS / "receivables.png"), full_page=True)
    assert _fits(page)
    page.locator(f'[data-receivable="{late["id"]}"] a.receivable-link').click()
    page.wait_for_url(re.compile(rf"/dashboard/receivables/{late['id']}$"))
    expect(page.locator("#timeline [data-event]")).to_have_count(2)
    page.screenshot(path=str(SHOTS / "receivable-case.png"), full_page=True)
    assert _fits(page)
    page.locator('[data-action="pause"]').click()
    page.wait_for_url(re.compile(r"/pause$"))
    assert _fits(page)
    page.screenshot(path=str(SHOTS / "receivable-pause.png"), full_page=True)
    page.fill("#note", "Le client a appelé")
    page.locator('[data-confirm="pause"]').click()
    page.wait_for_url(re.compile(rf"/dashboard/receivables/{late['id']}$"))
    expect(page.locator(".flash.success")).to_be_visible()
    expect(page.locator('[data-action="resume"]')).to_be_visible()
    assert case(client, prov["token"], late["id"])["status"] == "paused"
    page.goto(f"/dashboard/clients/{late['client_id']}")
    expect(page.locator("#reminders [data-reminder]")).to_have_count(1)
    page.screenshot(path=str(SHOTS / "client-file.png"), full_page=True)
    assert _fits(page)
