"""A returning client books on the public page at 390 px with the card saved with the provider:
asks the code, reads it in the e-mail, sees the card, books; the hold is on the saved card."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from skod.extensions import limiter
from tests import factories as f
from tests.support.stripe_helpers import CARD_OK
from tests.test_pages_browser import PHONE, _choose_slot, _landed_held, _shot, _slug

pytestmark = pytest.mark.browser
EMAIL = "camille@example.test"


@pytest.mark.usefixtures("start_any_time")
def test_returning_client_books_with_the_saved_card(browser_page, client, card_pm, stripe_raw,
                                                     outbox):
    limiter.reset()
    prov = f.provider(client)
    first = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)), email=EMAIL)
    pm = card_pm(CARD_OK).id
    assert f.pay(client, first, pm)["status"] == "held"
    outbox.clear()

    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(f"/p/{_slug(prov)}/o/{prov['offer_id']}")
    page.wait_for_url(re.compile(r"[?&]tz="))
    _choose_slot(page, f.start_in(timedelta(days=2)))
    page.fill("#name", "Camille Client")
    page.fill("#email", EMAIL)
    page.check("#accept_terms")
    page.locator("#saved-card summary").click()
    page.click("#saved-card-ask")
    expect(page.locator("#saved-card-code-step")).to_be_visible()
    [mail] = outbox.to(EMAIL)
    code = re.search(r"\b(\d{6})\b", mail.get_body(("plain",)).get_content()).group(1)
    page.fill("#saved-card-code", code)
    page.click("#saved-card-check")
    expect(page.locator("#saved-card-label")).to_contain_text("4242")
    expect(page.locator("#saved-card-label")).to_contain_text("12/2030")
    _shot(page, "saved-card")
    page.click("#saved-card-pay")
    booking = _landed_held(page, client, stripe_raw)
    assert booking["id"] != first["id"] and booking["pi"]["payment_method"] == pm
    limiter.reset()
