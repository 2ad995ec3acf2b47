"""The question page and the pay-link page in headless Chromium, with the fake Stripe.js."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests import factories as f
from tests.support.api import api
from tests.support.stripe_helpers import CARD_3DS, CARD_OK
from tests.test_messages_api import ANSWER, QUESTION, held_message, message_provider, read
from tests.test_pages_browser import COMPLETE_3DS, card_saved_for, count_3ds

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _slug(prov: dict) -> str:
    return prov["email"].split("@")[0].replace("provider", "provider-")


def _fill_card(page: Page, number: str) -> None:
    box = page.locator("#card-element")
    for placeholder, value in (("number", number), ("exp_month", "12"), ("exp_year", "30"),
                               ("cvc", "123")):
        box.locator(f'input[placeholder="{placeholder}"]').fill(value)


def send_question(page: Page, card: str) -> None:
    """On the question page: the client's details, the terms and `card`, then Ask."""
    page.fill("#name", "Camille Client")
    page.fill("#email", "camille@example.test")
    page.check("#accept_terms")
    _fill_card(page, card)
    page.click("#ask-button")


def _landed(page: Page) -> dict:
    page.wait_for_url(re.compile(r"/m/\d+/[^/]+$"), timeout=15_000)
    message_id, token = re.search(r"/m/(\d+)/([^/?#]+)", page.url).groups()
    return {"id": int(message_id), "client_token": token}


def test_client_asks_and_pays_then_reads_the_reply(browser_page, client, stripe_raw):
    prov = message_provider(client, char_limit=300)
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(f"/p/{_slug(prov)}")
    page.locator(f'a[data-question-offer="{prov["message_offer"]["id"]}"]').click()
    page.fill("#body", QUESTION)
    expect(page.locator("#char-count")).to_have_text(str(len(QUESTION)))
    send_question(page, CARD_OK)
    message = _landed(page)
    expect(page.locator("#message-status")).to_have_class(re.compile(r"status-held"))
    expect(page.locator("#question-body")).to_have_text(QUESTION)
    expect(page.locator("#reply")).to_have_count(0)
    body = read(client, message)
    assert body["status"] == "held" and "reply" not in body
    pi = stripe_raw.v1.payment_intents.retrieve(body["payments"][0]["stripe_payment_intent_id"])
    assert (pi["status"], pi["amount"]) == ("requires_capture", 1000)

    status, _ = api(client, "POST", f"/api/v1/messages/{message['id']}/reply",
                    json={"body": ANSWER}, token=prov["token"])
    assert status == 200
    page.reload()
    expect(page.locator("#message-status")).to_have_class(re.compile(r"status-answered"))
    expect(page.locator("#reply-body")).to_have_text(ANSWER)
    assert f.captured_at_emulator(stripe_raw, pi["id"]) == 1000


def test_three_d_secure_question_asks_one_challenge(app, browser_page, client, stripe_raw):
    """The price held and the card saved by ONE PaymentIntent confirmed on the page."""
    from skod.messages.models import Message

    prov = message_provider(client)
    page = browser_page
    challenges = count_3ds(page)
    page.goto(f"/p/{_slug(prov)}/m/{prov['message_offer']['id']}")
    page.fill("#body", QUESTION)
    send_question(page, CARD_3DS)
    page.get_by_role("button", name=COMPLETE_3DS).click()
    message = _landed(page)
    expect(page.locator("#message-status")).to_have_class(re.compile(r"status-held"))
    assert len(challenges) == 1
    body = read(client, message)
    [hold] = body["payments"]
    assert (body["status"], hold["status"]) == ("held", "held")
    pi = stripe_raw.v1.payment_intents.retrieve(hold["stripe_payment_intent_id"])
    assert (pi["status"], pi["amount"], pi["capture_method"]) == ("requires_capture", 1000,
                                                                   "manual")
    card_saved_for(app, stripe_raw, Message, message["id"], pi)


def test_pay_link_page_releases_the_reply(app, browser_page, client, card_pm, stripe_raw):
    from skod.extensions import db
    from skod.payments.models import Payment

    prov, message = held_message(client, card_pm)
    with app.app_context():  # the hold is gone at Stripe: the capture will fail
        payment = db.session.scalar(db.select(Payment))
        payment.stripe_payment_intent_id = "pi_gone_at_stripe"
        db.session.commit()
    status, out = api(client, "POST", f"/api/v1/messages/{message['id']}/reply",
                      json={"body": ANSWER}, token=prov["token"])
    assert status == 200 and out["status"] == "payment_failed"
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(f"/m/{message['id']}/{message['client_token']}")
    expect(page.locator("#reply")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text(ANSWER)
    _fill_card(page, CARD_OK)
    page.click("#pay-button")
    expect(page.locator("#reply-body")).to_have_text(ANSWER, timeout=15_000)
    expect(page.locator("#pay")).to_have_count(0)
    body = read(client, message)
    assert body["status"] == "answered" and body["reply"] == ANSWER
    charge = body["payments"][-1]
    assert f.captured_at_emulator(stripe_raw, charge["stripe_payment_intent_id"]) == 1000


def test_a_public_body_asks_with_its_name_and_address(app, browser_page, client, stripe_raw):
    """"A public body" shows the organisation's fields (as a business does) and the client is
    recorded as a public buyer: its late payments run at ECB + 8, before the administrative
    court."""
    from skod.accounts.models import Client
    from skod.extensions import db

    prov = message_provider(client, char_limit=300)
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(f"/p/{_slug(prov)}")
    page.locator(f'a[data-question-offer="{prov["message_offer"]["id"]}"]').click()
    page.fill("#body", QUESTION)
    expect(page.locator("#company_name")).to_be_hidden()
    page.check('input[name=kind][value="public"]')
    expect(page.locator("#company_name")).to_be_visible()
    page.fill("#company_name", "Mairie de Vannes")
    page.fill("#address", "Place Maurice Marchais, 56000 Vannes")
    send_question(page, CARD_OK)
    _landed(page)
    with app.app_context():
        buyer = db.session.query(Client).filter_by(email="camille@example.test").one()
        assert (buyer.kind, buyer.company_name) == ("public", "Mairie de Vannes")
