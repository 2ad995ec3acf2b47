"""The case page's dispute block in headless Chromium, at a phone's width (390 px) and a laptop's
(1,280 px), in French and English: the client's long reason wraps inside the page, a rejection
without its reason comes back on its field, an answer and a part accepted are said at the top
and on the client's pay page, and axe finds no serious violation at each stage."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests import factories as f
from tests.dunning_paypage_support import business_at, debt, state
from tests.support import clock
from tests.support.browser import log_in
from tests.test_accessibility import BLOCKING, _axe

SHOTS = Path("/tmp/shots")
WIDTHS = ({"width": 390, "height": 844}, {"width": 1280, "height": 800})
#: one unbroken word longer than a phone's width, and markup that must stay text
REASON = "Jamais livré <i>du tout</i> : " + "pages-vides-" * 30


@pytest.fixture
def browser_page(_browser, live_server):
    """A French page whose CSP lets the test inject axe (as test_accessibility's axe_page)."""
    context = _browser.new_context(base_url=live_server.url, locale="fr-FR", bypass_csp=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _clean(page: Page) -> None:
    assert _fits(page), "the case page scrolls sideways"
    found = [v for v in _axe(page) if v["impact"] in BLOCKING]
    assert found == [], found


@pytest.mark.browser
@pytest.mark.parametrize("size", WIDTHS, ids=["390px", "1280px"])
def test_the_dispute_block_reads_answers_and_decides(app, client, stripe_emulator, card_pm,
                                                     browser_page, size, now):
    d = debt(app, client, stripe_emulator, card_pm, refusal={"decline_code": "stolen_card"})
    f.tick(app, business_at(clock.paris_day(now, 1)))
    assert client.post(d["path"] + "/dispute", data={"reason": REASON}).status_code == 303
    page = browser_page
    page.set_viewport_size(size)
    log_in(page, d["provider"]["email"])
    case = f"/dashboard/receivables/{d['id']}"
    page.goto(case)
    block = page.locator("#dispute")
    expect(block.locator("[data-dispute-reason]")).to_have_text(REASON)  # text, not markup
    expect(page.locator("#timeline")).to_contain_text("Jamais livré <i>du tout</i>")
    expect(page.locator('[data-action="resume"]')).to_have_count(0)
    _clean(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"dispute-{size['width']}.png"), full_page=True)

    page.locator('[data-action="dispute-reject"]').click()  # no reason given
    expect(page.locator("#dispute-reject .error")).to_be_visible()
    assert state(app, d["id"])["status"] == "paused"
    _clean(page)

    page.fill("#message", "Nous vérifions les pages.")
    page.locator('[data-action="dispute-answer"]').click()
    page.wait_for_url(re.compile(rf"{case}#dispute$"))
    expect(page.locator(".flash.success")).to_be_visible()
    expect(block.locator("[data-dispute-answer]")).to_have_text("Nous vérifions les pages.")
    expect(page.locator("#dispute-answer")).to_have_count(0)  # one answer per dispute
    _clean(page)

    page.fill("#amount", "20")
    page.locator('[data-action="dispute-part"]').click()
    page.wait_for_url(re.compile(rf"{case}#dispute$"))
    expect(page.locator(".flash.success")).to_be_visible()
    expect(page.locator("[data-balance]")).to_have_text("100,00\u00a0€")
    expect(block).to_have_attribute("data-outcome", "partial")
    expect(block.locator("[data-dispute-credit]")).to_contain_text("20,00\u00a0€")
    expect(page.locator("#dispute form")).to_have_count(0)
    _clean(page)

    page.goto(case + "?lang=en")
    expect(block.locator("[data-dispute-status]")).to_have_text(
        "accepted in part: the amount owed is lowered")
    _clean(page)

    page.goto(d["path"] + "?lang=fr")  # the client's pay page says what changed
    expect(page.locator("#dispute-outcome")).to_have_attribute("data-outcome", "partial")
    expect(page.locator("#dispute-outcome")).to_contain_text("réduit de 20,00\u00a0€")
    expect(page.locator("#debt-status")).to_contain_text("100,00\u00a0€")
    _clean(page)
