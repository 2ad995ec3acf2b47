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


DESK = {"width": 1280, "height": 900}
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
#: the words of a stage split over two lines (a stage name broken inside a word)
_BROKEN_WORDS = """(selector) => {
  const broken = [];
  const nodes = [];
  for (const el of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) nodes.push(walker.currentNode);
  }
  for (const node of nodes) {
    const words = /\\S+/g;
    let m;
    while ((m = words.exec(node.data))) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const lines = new Set([...range.getClientRects()].filter(r => r.width > 0)
                                                  .map(r => Math.round(r.top)));
      if (lines.size > 1) broken.push(m[0]);
    }
  }
  return broken;
}"""
_RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter(v => ['serious', 'critical'].includes(v.impact))
    .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target)}));
}"""
STAGES = {"fr": "Mise en demeure", "en": "Formal notice"}


@pytest.fixture
def board_page(_browser, live_server):
    """A page whose CSP lets the test inject axe (the app's own CSP forbids it, rightly)."""
    context = _browser.new_context(base_url=live_server.url, locale="fr-FR", bypass_csp=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _seed_many(app, client, now) -> dict:  # noqa: ANN001
    prov = f.provider(client)
    seed(app, provider_id(app, prov), now, [
        Debt("EUR", "open", 3, 9_990_000, days_late=40),
        Debt("EUR", "open", 1, 98_765, days_late=12),
        Debt("EUR", "paused", 2, 45_600, days_late=20),
        Debt("EUR", "open", -1, 1_234, days_late=2),
    ])
    return prov


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("size", [PHONE, DESK], ids=["390px", "1280px"])
def test_board_table_reads_at_both_widths_in_both_languages(app, board_page, client, now,
                                                            lang, size):
    prov = _seed_many(app, client, now)
    page = board_page
    page.set_viewport_size(size)
    log_in(page, prov["email"])
    page.goto(f"/dashboard/receivables?lang={lang}")
    rows = page.locator("table.debts tbody tr[data-receivable]")
    expect(rows).to_have_count(4)
    expect(page.locator(".stage").first).to_be_visible()
    stages = page.locator("table.debts .stage").all_inner_texts()
    assert STAGES[lang] in stages
    assert page.evaluate(_BROKEN_WORDS, ".stage, .step-name") == []
    # the check sees a broken word when there is one (a stage squeezed, breaking anywhere)
    page.evaluate("""() => { const s = [...document.querySelectorAll('.stage')]
      .find(e => !e.textContent.includes('-'));
      s.style.cssText = 'display:inline-block;width:3ch;word-break:break-all'; }""")
    assert page.evaluate(_BROKEN_WORDS, ".stage") != []
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    first = rows.first.bounding_box()
    if size is PHONE:  # one card per debt: a block as wide as the page, its header hidden
        assert rows.first.evaluate("r => getComputedStyle(r).display") == "block"
        assert first["x"] >= 0 and first["x"] + first["width"] <= size["width"]
        expect(page.locator("table.debts thead")).not_to_be_in_viewport()
    else:
        assert rows.first.evaluate("r => getComputedStyle(r).display") == "table-row"
        expect(page.locator('th[data-col="next"]')).to_have_attribute("aria-sort", "ascending")
    page.add_script_tag(path=str(AXE))
    assert page.evaluate(_RUN_AXE) == []


@pytest.mark.browser
def test_sort_and_bulk_pause_in_the_browser(app, board_page, client, now):
    prov = _seed_many(app, client, now)
    page = board_page
    page.set_viewport_size(DESK)
    log_in(page, prov["email"])
    page.goto("/dashboard/receivables?lang=fr")
    page.locator('th[data-col="balance"] a').click()
    expect(page.locator('th[data-col="balance"]')).to_have_attribute("aria-sort", "ascending")
    amounts = page.locator("table.debts td.amount").all_inner_texts()
    assert amounts[0] == "12,34\u00a0€" and amounts[-1] == "99\u202f900,00\u00a0€"
    page.locator('th[data-col="balance"] a').click()
    expect(page.locator('th[data-col="balance"]')).to_have_attribute("aria-sort", "descending")
    every = page.locator("input[name=ids]")
    page.locator("#pick-all").check()  # the header's box: every row of the page
    assert [every.nth(i).is_checked() for i in range(4)] == [True] * 4
    page.locator("#pick-all").uncheck()
    assert not any(every.nth(i).is_checked() for i in range(4))
    open_rows = page.locator("tr.status-open input[name=ids]")
    open_rows.nth(0).check()
    open_rows.nth(1).check()
    page.get_by_role("button", name="Mettre en pause").click()
    expect(page.locator(".flash.success")).to_have_text("2 créances mises en pause.")
    # back on the same sort
    expect(page.locator('th[data-col="balance"]')).to_have_attribute("aria-sort", "descending")
    expect(page.locator("tr.status-paused")).to_have_count(3)


@pytest.mark.browser
def test_provider_menu_is_one_button_on_a_phone(app, board_page, client, now):
    prov = f.provider(client)
    page = board_page
    page.set_viewport_size(PHONE)
    log_in(page, prov["email"])
    page.goto("/dashboard/receivables?lang=fr")
    button = page.locator("#menu-button")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#main-nav")).to_be_hidden()
    header = page.locator("header.top").bounding_box()
    brand = page.locator(".brand").bounding_box()
    assert header["height"] <= brand["height"] + 20  # one row: brand, menu, languages
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("link", name="Créances")).to_be_visible()
    button.click()
    expect(page.locator("#main-nav")).to_be_hidden()
    page.set_viewport_size(DESK)  # wide: the links themselves, no button
    expect(button).to_be_hidden()
    expect(page.get_by_role("link", name="Créances")).to_be_visible()
    page.add_script_tag(path=str(AXE))
    assert page.evaluate(_RUN_AXE) == []
