"""The provider's offer pages in headless Chromium: a question offer created and edited from the
pages (only its kind's fields shown), then asked and paid by a client with the emulator's test
card; paused, its link says so and the API agrees; archived, it leaves the public page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.support.api import api
from tests.support.browser import log_in
from tests.support.stripe_helpers import CARD_OK
from tests.test_messages_api import QUESTION, read
from tests.test_messages_browser import PHONE, _landed, _slug, send_question

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots")


def _shot(page, name: str) -> None:
    """A phone-width picture to look at, and no sideways scrolling."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _card(page, title: str):
    return page.locator(".card.offer", has=page.locator(".offer-title", has_text=title))


def _create_question(page) -> None:
    page.goto("/dashboard/offers")
    page.locator("#offer-form").locator("xpath=..").locator("summary").click()
    # a call is chosen first: its fields show, the question's do not (CSS, no script needed)
    expect(page.locator("#offer-duration_minutes")).to_be_visible()
    expect(page.locator("#offer-reply_window_hours")).to_be_hidden()
    page.check('input[name="offer-kind"][value="message"]')
    expect(page.locator("#offer-duration_minutes")).to_be_hidden()
    expect(page.locator("#offer-late_cancel_fee_percent")).to_be_hidden()
    expect(page.locator("#offer-reply_window_hours")).to_be_visible()
    _shot(page, "offer-new-question")
    page.fill("#offer-title", "Question fiscale")
    page.fill("#offer-price", "12,50")
    page.fill("#offer-reply_window_hours", "48")
    page.click("#offer-form button[type=submit]")
    page.wait_for_url(re.compile(r"/dashboard/offers$"))
    expect(page.locator(".flash.success")).to_be_visible()


def test_question_offer_created_edited_booked_paused_and_archived(browser_page, client,
                                                                 stripe_raw):
    prov = f.provider(client)
    page = browser_page
    page.set_viewport_size(PHONE)
    log_in(page, prov["email"])
    _create_question(page)
    card = _card(page, "Question fiscale")
    expect(card).to_contain_text("12,50")
    expect(card).not_to_contain_text("annulation")  # a question has no late-cancellation fee
    card.locator('[data-action="edit"]').click()
    expect(page.locator("#offer-duration_minutes")).to_have_count(0)
    page.fill("#offer-price", "15")
    page.click("#offer-form button[type=submit]")
    page.wait_for_url(re.compile(r"/dashboard/offers$"))
    expect(_card(page, "Question fiscale")).to_contain_text("15,00")

    page.goto(f"/p/{_slug(prov)}")
    question = page.locator("a[data-question-offer]")
    expect(question).to_contain_text("15,00\u00a0€ la réponse")
    offer_id = int(question.get_attribute("data-question-offer"))
    question.click()
    page.fill("#body", QUESTION)
    send_question(page, CARD_OK)
    message = _landed(page)
    expect(page.locator("#message-status")).to_have_class(re.compile(r"status-held"))
    body = read(client, message)
    pi = stripe_raw.v1.payment_intents.retrieve(body["payments"][0]["stripe_payment_intent_id"])
    assert (body["status"], pi["status"], pi["amount"]) == ("held", "requires_capture", 1500)

    page.goto("/dashboard/offers")
    _card(page, "Question fiscale").locator('[data-action="pause"]').click()
    expect(_card(page, "Question fiscale")).to_have_attribute("data-status", "paused")
    _shot(page, "offers-list")
    page.goto(f"/p/{_slug(prov)}/m/{offer_id}")
    expect(page.locator("#offer-paused")).to_contain_text("Indisponible pour le moment")
    _shot(page, "offer-paused")
    status, out = api(client, "POST", "/api/v1/messages", json={
        "offer_id": offer_id, "body": QUESTION, "accept_terms": True,
        "client": {"email": "sam@example.test", "name": "Sam"}})
    assert (status, out["error"]["code"]) == (409, "offer_unavailable")

    page.goto("/dashboard/offers")
    _card(page, "Question fiscale").locator('[data-action="archive"]').click()
    _shot(page, "offer-archive-confirm")
    _card(page, "Question fiscale").locator('[data-confirm="archive"]').click()
    expect(page.locator("#archived-offers")).to_contain_text("Question fiscale")
    page.goto(f"/p/{_slug(prov)}")
    expect(page.locator("a[data-question-offer]")).to_have_count(0)
    # the question asked before stays held, its page still opens
    assert read(client, message)["status"] == "held"
