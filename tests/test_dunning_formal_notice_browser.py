"""The mise en demeure on the provider's pages in headless Chromium at a phone's width: the
list's task, the draft approved from the case page, then the registered letter's receipt
recorded through its form (a bad tracking number first: the form says why)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.formal_notice_support import notice_of, walk_to_notice
from tests.support import clock
from tests.support.browser import log_in
from tests.support.dunning import declined_debts
from tests.test_dunning_provider_browser import PHONE, _fits


def require_approval(app, provider_id: int) -> None:
    from skod.dunning.debts.models import DunningSettings
    from skod.extensions import db

    with app.app_context():
        db.session.add(DunningSettings(provider_id=provider_id,
                                       overrides={"formal_notice": {"approval": True}}))
        db.session.commit()


@pytest.mark.browser
def test_a_draft_is_approved_then_its_posting_recorded(app, client, card_pm, stripe_emulator,
                                                       browser_page, outbox):
    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator)
    require_approval(app, prov["id"])
    outbox.clear()
    walk_to_notice(app, rid)
    notice = notice_of(app, rid)
    assert notice["status"] == "draft" and len(outbox.to(project["email"])) == 3
    page = browser_page
    page.set_viewport_size(PHONE)
    log_in(page, prov["email"])
    page.goto("/dashboard/receivables?lang=en")
    expect(page.locator("[data-notice-task]")).to_have_text(
        "Mise en demeure: waits for your approval")
    page.locator(f'[data-receivable="{rid}"] a.receivable-link').click()
    page.wait_for_url(re.compile(rf"/dashboard/receivables/{rid}$"))
    expect(page.locator("#formal-notice [data-notice-pdf]")).to_be_visible()
    assert _fits(page)
    page.locator('[data-action="notice-approve"]').click()
    page.wait_for_url(re.compile(r"/approve$"))
    page.locator('[data-confirm="approve"]').click()
    page.wait_for_url(re.compile(rf"/dashboard/receivables/{rid}$"))
    expect(page.locator(".flash.success")).to_be_visible()
    assert len(outbox.to(project["email"])) == 4
    page.locator('[data-action="notice-posting"]').click()
    page.wait_for_url(re.compile(r"/posting$"))
    today = clock.paris_today(clock.current())  # the pages run on the real clock
    page.fill("#tracking_number", "??")
    page.fill("#posted_on", today.isoformat())
    page.locator('[data-confirm="posting"]').click()
    expect(page.locator(".has-error .error")).to_contain_text("8 to 40 letters")
    assert _fits(page) and notice_of(app, rid)["tracking"] is None
    page.fill("#tracking_number", "1A 123 456 7890 1")
    page.locator('[data-confirm="posting"]').click()
    page.wait_for_url(re.compile(rf"/dashboard/receivables/{rid}$"))
    expect(page.locator("#formal-notice [data-notice-status]")).to_contain_text(
        "1A 123 456 7890 1")
    assert notice_of(app, rid)["posted_on"] == today
