"""The receivables board in headless Chromium at a phone's width (390 px): the page loads,
the age chart is visible and nothing overflows sideways."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.board_support import Debt, seed
from tests.support.browser import log_in
from tests.test_dunning_provider_api import provider_id

PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp/shots")


@pytest.mark.browser
def test_board_fits_a_phone_with_its_chart(app, browser_page, client, now):
    prov = f.provider(client)
    seed(app, provider_id(app, prov), now, [
        Debt("EUR", "open", -1, 1_234_567, days_late=2),
        Debt("EUR", "open", 1, 98_765, days_late=12),
        Debt("EUR", "paused", 2, 45_600, days_late=20),
        Debt("EUR", "open", 3, 9_990_000, days_late=40),
        Debt("EUR", "open", 4, 120_000, days_late=80),
        Debt("USD", "open", 0, 50_000, days_late=3),
    ])
    page = browser_page
    page.set_viewport_size(PHONE)
    log_in(page, prov["email"])
    page.goto("/dashboard/receivables")
    chart = page.locator('[data-currency-board="EUR"] svg.age-chart')
    expect(chart).to_be_visible()
    expect(chart.locator("rect")).to_have_count(5)
    expect(page.locator('[data-currency-board="USD"] svg.age-chart')).to_be_visible()
    expect(page.locator('[data-currency-board="EUR"] [data-total=outstanding]')).to_have_text(
        "114\u202f889,32\u00a0€")
    box = chart.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "receivables-board.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
