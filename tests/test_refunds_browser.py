"""Refunds from the project page in Chromium (#23 point 8): the deposit's and a milestone's
refund forms, a refused amount coming back on its field with what was typed (in money, in the
reader's language), then a refund that reaches the emulator; at 390 px in French and at
1,280 px in English, with nothing wider than the screen and axe finding nothing serious."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.support.browser import log_in
from tests.test_accessibility import AXE, BLOCKING, _axe
from tests.test_projects_api import accepted_project, act, read

CASES = [("fr-FR", "fr", {"width": 390, "height": 844},
          "Au plus 100,00 € peuvent être remboursés."),
         ("en-GB", "en", {"width": 1280, "height": 900},
          "At most €100.00 can be refunded.")]


def _no_overflow_and_axe(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    violations = [v for v in _axe(page) if v["impact"] in BLOCKING]
    assert violations == [], violations


@pytest.mark.browser
@pytest.mark.parametrize(("locale", "lang", "viewport", "too_much"), CASES)
def test_a_milestone_is_refunded_from_the_project_page(_browser, live_server, client, card_pm,
                                                       stripe_raw, locale, lang, viewport,
                                                       too_much):
    assert AXE.exists(), "make test installs axe-core (npm ci)"
    prov, project, body = accepted_project(client, card_pm, deposit=30,
                                           milestones=[("Design", 10000, 2),
                                                       ("Build", 20000, 3)])
    m1 = body["milestones"][0]
    act(client, m1["id"], "complete", prov["token"])
    [charge] = [p for p in read(client, project)["milestones"][0]["payments"]
                if p["status"] == "captured"]
    context = _browser.new_context(base_url=live_server.url, locale=locale, viewport=viewport,
                                   bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        log_in(page, prov["email"])
        page.goto(f"/projects/{project['id']}?lang={lang}")
        form = page.locator(f'form[action$="/dashboard/payments/{charge["id"]}/refund"]')
        box = page.locator("details.refund").filter(has=form)
        box.locator("summary").click()
        form.locator('input[name="amount"]').fill("150")
        form.locator('input[name="reason"]').fill("Retard de livraison")
        # an amount above what is left has nothing to confirm: the server refuses it at once
        form.locator("button").click()
        # refused: the form comes back open, what was typed kept, the message on its field
        amount = page.locator(f"#refund-amount-{charge['id']}")
        expect(amount).to_have_attribute("aria-invalid", "true")
        expect(amount).to_have_value("150")
        expect(page.locator(f"#refund-reason-{charge['id']}")).to_have_value(
            "Retard de livraison")
        error = page.locator(f"#refund-amount-error-{charge['id']}")
        expect(error).to_have_text(too_much)
        assert "10000" not in page.locator("main").inner_text()
        assert f.refunds_at_emulator(stripe_raw, charge["stripe_payment_intent_id"]) == []
        _no_overflow_and_axe(page)
        amount.fill("25")
        page.locator(f'form[action$="/dashboard/payments/{charge["id"]}/refund"] button').click()
        page.get_by_role("dialog").locator("#confirm-dialog-go").click()
        expect(page.locator("p.flash[role=status]").first).to_be_visible()
        assert f.refunds_at_emulator(stripe_raw, charge["stripe_payment_intent_id"]) == [2500]
        _no_overflow_and_axe(page)
    finally:
        context.close()
