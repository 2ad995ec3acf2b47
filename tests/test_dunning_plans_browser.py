"""A payment plan asked in headless Chromium (the emulator's fake Stripe.js), in French: on a
debt whose saved card (4000000000000341) refused the milestone, the plan page shows the
schedule (days in words, amounts, their total) and asks for another card at 390 px; the card
4242 saved there carries the request; the provider reads the same schedule on the case page
at 1,280 px and accepts it; nothing is charged before the first date, and exactly the
instalment on it. axe finds no serious violation on the pages met."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from tests import factories as f
from tests.dunning_paypage_support import debt, recovery_intents, state
from tests.support import clock
from tests.support.browser import fill_card, log_in
from tests.support.stripe_helpers import CARD_OFF_SESSION_DECLINE, CARD_OK
from tests.test_accessibility import BLOCKING, _axe, axe_page  # noqa: F401 - a fixture
from tests.test_dunning_plans import _due_dates, _plan_rows

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _no_blocking_violation(page: Page) -> None:
    found = [v for v in _axe(page) if v["impact"] in BLOCKING]
    assert found == [], found


def test_a_plan_on_the_failed_card_takes_a_new_card_and_both_read_the_schedule(
        app, axe_page, client, stripe_emulator, stripe_raw, card_pm):  # noqa: F811
    d = debt(app, client, stripe_emulator, card_pm, refusal=None,
             number=CARD_OFF_SESSION_DECLINE)
    page = axe_page
    page.goto(d["path"])
    page.select_option("#instalments", "3")
    page.locator("#plan-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/plan\?instalments=3$"))
    rows = page.locator("#plan-schedule tbody tr")
    expect(rows).to_have_count(3)
    for n in range(3):
        expect(rows.nth(n).locator("td.num")).to_have_text("40,00\u00a0€")
    expect(page.locator("[data-plan-total]")).to_have_text("120,00\u00a0€")
    assert not ISO_DAY.search(page.locator("#plan-schedule").inner_text())
    expect(page.locator("#failed-card-note")).to_be_visible()  # the refused card: another
    expect(page.locator("#plan-send-form")).to_have_count(0)
    assert _fits(page), "the plan page scrolls sideways at 390 px"
    _no_blocking_violation(page)

    fill_card(page, CARD_OK)
    page.click("#plan-card-button")
    page.wait_for_url(re.compile(rf"/pay/{d['id']}/[^/]+$"), timeout=15_000)
    expect(page.locator("#plan-status")).to_have_attribute("data-status", "proposed")
    expect(page.locator("#plan li")).to_have_count(3)  # the schedule asked for
    assert _fits(page)
    _no_blocking_violation(page)
    case = state(app, d["id"])
    assert (case["status"], case["pause_reason"]) == ("paused", "plan")
    assert case["card"] and case["card"] != d["card"]

    page.set_viewport_size(DESKTOP)
    log_in(page, d["provider"]["email"])
    page.goto(f"/dashboard/receivables/{d['id']}?lang=fr")
    schedule = page.locator("#plan-schedule")
    expect(schedule.locator("tbody tr")).to_have_count(3)
    expect(schedule.locator("[data-plan-total]")).to_have_text("120,00\u00a0€")
    assert not ISO_DAY.search(schedule.inner_text())
    expect(page.locator("[data-plan-status]")).to_have_attribute("data-plan-status",
                                                                "proposed")
    _no_blocking_violation(page)
    page.click('[data-action="plan-accept"]')
    page.click('[data-confirm="plan-accept"]')  # the confirmation page
    page.wait_for_url(re.compile(rf"/dashboard/receivables/{d['id']}$"))
    expect(page.locator("[data-plan-status]")).to_have_attribute("data-plan-status",
                                                                "accepted")
    assert _plan_rows(app, d["id"]) == [("accepted", ["scheduled"] * 3)]

    due = _due_dates(app, d["id"])
    assert recovery_intents(app, d["id"], "instalment:") == []
    f.tick(app, due[0] - timedelta(minutes=2))
    assert recovery_intents(app, d["id"], "instalment:") == []
    f.tick(app, due[0] + timedelta(minutes=1))
    [pi_id] = recovery_intents(app, d["id"], "instalment:")
    pi = stripe_raw.v1.payment_intents.retrieve(pi_id)
    assert (pi["status"], pi["amount_received"]) == ("succeeded", 4_000)
    assert state(app, d["id"])["balance"] == 8_000
    assert due[0] > clock.current()


def test_the_plan_page_in_english_at_1280_px_follows_the_number_chosen(
        app, axe_page, client, stripe_emulator, card_pm):  # noqa: F811
    d = debt(app, client, stripe_emulator, card_pm)  # a soft decline on the saved card
    page = axe_page
    page.set_viewport_size(DESKTOP)
    page.goto(d["path"] + "?lang=en")
    page.select_option("#instalments", "2")
    page.locator("#plan-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/plan\?instalments=2$"))
    expect(page.locator("h1")).to_have_text("A payment plan")
    expect(page.locator("#plan-schedule tbody tr")).to_have_count(2)
    expect(page.locator("[data-plan-total]")).to_have_text("€120.00")
    expect(page.locator("#failed-card-note")).to_be_visible()  # soft or not: another card
    _no_blocking_violation(page)
    page.select_option("#instalments", "4")
    page.locator("#plan-choice button[type=submit]").click()
    page.wait_for_url(re.compile(r"/plan\?instalments=4$"))
    rows = page.locator("#plan-schedule tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(3).locator("td.num")).to_have_text("€30.00")
    expect(page.locator("#plan-card-form input[name=instalments]")).to_have_value("4")
    assert not ISO_DAY.search(page.locator("#plan-schedule").inner_text())
    assert _plan_rows(app, d["id"]) == []  # nothing asked by looking

