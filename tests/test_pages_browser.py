"""The pages in headless Chromium against the Stripe emulator and its fake Stripe.js."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from skod.core.clock import iso
from tests import factories as f
from tests.support.api import api
from tests.support.browser import log_in
from tests.support.stripe_helpers import CARD_3DS, CARD_OK

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")
PHONE = {"width": 390, "height": 844}
COMPLETE_3DS = "Complete authentication"  # the fake Stripe.js modal (localstripe-v3.js)
# Counts every 3-D Secure dialog the fake Stripe.js opens, across the page's navigations.
_COUNT_3DS = """
new MutationObserver(function (changes) {
  changes.forEach(function (change) {
    change.addedNodes.forEach(function (node) {
      if (node.nodeType === 1 && (node.textContent || '').indexOf('3D Secure') === 0) {
        window.skodSaw3ds();
      }
    });
  });
}).observe(document, {childList: true, subtree: true});
"""


def count_3ds(page: Page) -> list[int]:
    """A list that gets one item per 3-D Secure dialog shown in `page` from now on."""
    seen: list[int] = []
    page.expose_function("skodSaw3ds", lambda: seen.append(1))
    page.add_init_script(_COUNT_3DS)
    return seen


def card_saved_for(app, stripe_raw, model, row_id: int, pi: dict) -> str:
    """The card the page intent held is the row's saved card, attached to the client's Stripe
    customer (setup_future_usage): it can be charged off-session later."""
    from skod.extensions import db

    with app.app_context():
        row = db.session.get(model, row_id)
        saved, customer = row.stripe_payment_method_id, row.client.stripe_customer_id
        assert row.stripe_customer_id == customer  # the row charges it on that customer
    assert saved and saved == pi["payment_method"]
    assert stripe_raw.v1.payment_methods.retrieve(saved)["customer"] == customer
    return saved


def _slug(prov: dict) -> str:
    return prov["email"].split("@")[0].replace("provider", "provider-")


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    page.screenshot(path=str(SHOTS / f"{name}-full.png"), full_page=True)


def _choose_slot(page: Page, start: datetime) -> None:
    value = iso(start)
    day = page.locator("details.day", has=page.locator(f'input[value="{value}"]'))
    if day.get_attribute("open") is None:
        day.locator("summary").click()
    page.locator(f'label.slot:has(input[value="{value}"])').click()


def _fill_booking(page: Page, card: str) -> None:
    page.fill("#name", "Camille Client")
    page.fill("#email", "camille@example.test")
    page.fill("#address", "3 place Bellecour\n69002 Lyon")
    page.check("#accept_terms")
    box = page.locator("#card-element")
    for placeholder, value in (("number", card), ("exp_month", "12"), ("exp_year", "30"),
                               ("cvc", "123"), ("postal_code", "75001")):
        box.locator(f'input[placeholder="{placeholder}"]').fill(value)


def _book(page: Page, client, card: str, shot: str | None = None) -> tuple[dict, int]:
    prov = f.provider(client)  # 20 minutes at 1.00 EUR per minute: the hold is 20.00 EUR
    start = f.start_in(timedelta(days=1))
    page.set_viewport_size(PHONE)
    page.goto(f"/p/{_slug(prov)}/o/{prov['offer_id']}")
    page.wait_for_url(re.compile(r"[?&]tz="))  # the script added the browser's zone
    _choose_slot(page, start)
    _fill_booking(page, card)
    if shot:
        page.locator("#book-button").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"{shot}-card.png"))
        page.evaluate("window.scrollTo(0, 0)")
        _shot(page, shot)
    page.click("#book-button")
    return prov, start


def _landed_held(page: Page, client, stripe_raw) -> dict:
    page.wait_for_url(re.compile(r"/b/\d+/[^/]+$"), timeout=15_000)
    expect(page.locator("#booking-status")).to_have_text("Confirmé, paiement bloqué")
    booking_id, token = re.search(r"/b/(\d+)/([^/?#]+)", page.url).groups()
    booking = f.get(client, {"id": int(booking_id), "client_token": token})
    assert booking["status"] == "held"
    [hold] = booking["payments"]
    pi = stripe_raw.v1.payment_intents.retrieve(hold["stripe_payment_intent_id"])
    assert (pi["status"], pi["amount"], pi["capture_method"]) == ("requires_capture", 2000,
                                                                   "manual")
    expect(page.locator("#payment-state")).to_contain_text("20,00\xa0€ bloqués")
    booking["pi"] = pi
    return booking


@pytest.mark.usefixtures("start_any_time")
def test_client_books_a_near_call_and_the_card_is_held(browser_page, app, client, stripe_raw):
    from skod.calls.models import Booking

    page = browser_page
    prov, _ = _book(page, client, CARD_OK, shot="booking")
    booking = _landed_held(page, client, stripe_raw)
    _shot(page, "manage")
    with app.app_context():  # the billing address reached the client row (for the invoice)
        from skod.extensions import db

        client_row = db.session.get(Booking, booking["id"]).client
        assert client_row.address == "3 place Bellecour\n69002 Lyon"
    saved = card_saved_for(app, stripe_raw, Booking, booking["id"], booking["pi"])
    # The overrun is charged off-session on the card the page intent saved.
    base = f"/api/v1/bookings/{booking['id']}"
    assert api(client, "POST", f"{base}/start", token=prov["token"])[0] == 200
    status, done = api(client, "POST", f"{base}/end", json={"minutes": 30}, token=prov["token"])
    assert status == 200 and done["status"] == "completed", done
    overrun = [p for p in done["payments"] if p["purpose"] == "overrun"]
    assert [p["status"] for p in overrun] == ["captured"]
    charged = stripe_raw.v1.payment_intents.retrieve(overrun[0]["stripe_payment_intent_id"])
    assert (charged["payment_method"], charged["amount"]) == (saved, 1000)


def test_three_d_secure_near_call_asks_one_challenge(browser_page, app, client, stripe_raw):
    """The hold and the saved card come from ONE PaymentIntent confirmed on the page."""
    from skod.calls.models import Booking

    page = browser_page
    challenges = count_3ds(page)
    _book(page, client, CARD_3DS)
    page.get_by_role("button", name=COMPLETE_3DS).click()
    booking = _landed_held(page, client, stripe_raw)
    assert len(challenges) == 1
    assert booking["pi"]["setup_future_usage"] == "off_session"
    card_saved_for(app, stripe_raw, Booking, booking["id"], booking["pi"])


def test_three_d_secure_far_call_saves_the_card_with_one_challenge(browser_page, client,
                                                                   stripe_raw):
    """A far call keeps the SetupIntent: one challenge, the hold comes later off-session."""
    prov = f.provider(client)
    start = f.start_in(timedelta(days=12))
    page = browser_page
    challenges = count_3ds(page)
    page.goto(f"/p/{_slug(prov)}/o/{prov['offer_id']}")
    page.wait_for_url(re.compile(r"[?&]tz="))
    _choose_slot(page, start)
    _fill_booking(page, CARD_3DS)
    page.click("#book-button")
    page.get_by_role("button", name=COMPLETE_3DS).click()
    page.wait_for_url(re.compile(r"/b/\d+/[^/]+$"), timeout=15_000)
    booking_id, token = re.search(r"/b/(\d+)/([^/?#]+)", page.url).groups()
    booking = f.get(client, {"id": int(booking_id), "client_token": token})
    assert (booking["status"], booking["payment_mode"], booking["payments"]) == (
        "card_saved", "save_card", [])
    assert len(challenges) == 1


def test_slot_taken_meanwhile_shows_a_message(browser_page, client):
    prov = f.provider(client)
    start = f.start_in(timedelta(days=1))
    page = browser_page
    page.goto(f"/p/{_slug(prov)}/o/{prov['offer_id']}")
    page.wait_for_url(re.compile(r"[?&]tz="))
    _choose_slot(page, start)
    f.book(client, prov["offer_id"], start, email="first@example.test")  # someone was faster
    _fill_booking(page, CARD_OK)
    page.click("#book-button")
    expect(page.locator("#form-error")).to_contain_text("vient d’être pris")
    expect(page.locator(f'input[value="{iso(start)}"]')).to_have_count(0)
    expect(page.locator("#book-button")).to_be_enabled()


@pytest.mark.usefixtures("start_any_time")
def test_provider_starts_and_ends_the_call_from_the_dashboard(browser_page, client, card_pm,
                                                               stripe_raw):
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    assert f.pay(client, booking, card_pm(CARD_OK).id) == {"status": "held"}
    page = browser_page
    page.set_viewport_size(PHONE)
    log_in(page, prov["email"])
    call = page.locator(f'article[data-booking="{booking["id"]}"]')
    expect(call).to_contain_text("Alex Client")
    expect(call).to_contain_text("20,00\xa0€ bloqués")
    call.get_by_role("button", name="Démarrer").click()
    timer = call.locator(".timer")
    expect(timer).to_have_text(re.compile(r"^00:0\d$"))
    _shot(page, "dashboard")
    # A call ended within its first second bills 0 minutes (see the report on end_call).
    expect(timer).to_have_text(re.compile(r"^00:0[2-9]$"))
    call.get_by_role("button", name="Terminer").click()
    dialog = page.get_by_role("dialog")  # the confirmation states what End captures
    expect(dialog).to_contain_text("1 minute à 1,00\xa0€ la minute\u202f: 1,00\xa0€.")
    dialog.get_by_role("button", name="Terminer et débiter 1,00\xa0€").click()
    expect(call).to_contain_text("1,00\xa0€ débités")  # one started minute at 1.00 EUR
    done = f.get(client, booking)
    assert done["status"] == "completed"
    assert f.captured_at_emulator(stripe_raw, done["payments"][0]["stripe_payment_intent_id"]) \
        == 100


def test_client_authorizes_a_booking_left_without_a_card(browser_page, client, stripe_raw):
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    page = browser_page
    challenges = count_3ds(page)
    page.goto(f"/b/{booking['id']}/{booking['client_token']}")
    expect(page.locator("#booking-status")).to_have_text("En attente de la carte")
    expect(page.locator("#cancel-preview")).to_have_text("Annuler maintenant est gratuit.")
    box = page.locator("#card-element")
    for placeholder, value in (("number", CARD_3DS), ("exp_month", "12"), ("exp_year", "30"),
                               ("cvc", "123")):
        box.locator(f'input[placeholder="{placeholder}"]').fill(value)
    page.click("#authorize-button")
    page.get_by_role("button", name=COMPLETE_3DS).click()
    _landed_held(page, client, stripe_raw)
    assert len(challenges) == 1
    expect(page.locator("#authorize")).to_have_count(0)
