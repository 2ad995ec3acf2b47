"""Confirmation before money moves (issue #13), in headless Chromium: each money button opens
a dialog stating the amount; Back or Escape closes it, gives the focus back and changes nothing
(database and emulator); Confirm moves the money as before. At phone width (390 px)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from tests import factories as f
from tests.support.browser import log_in
from tests.support.stripe_helpers import CARD_OK
from tests.test_confirm_pages import CARD, FLAT
from tests.test_messages_api import held_message
from tests.test_messages_api import read as read_message
from tests.test_pages_browser import PHONE, _shot
from tests.test_projects_api import accepted_project, act
from tests.test_projects_api import read as read_project
from tests.test_refunds import _ended_call

pytestmark = pytest.mark.browser

BACK = "Retour, ne rien changer"


def _intent(stripe_raw, pi_id: str) -> tuple[str, int]:
    pi = stripe_raw.v1.payment_intents.retrieve(pi_id)
    return pi["status"], pi["amount_received"]


def _opens(page: Page, button, *says: str):
    """Click `button`: the dialog opens, states `says`, the focus on Back; returns it."""
    button.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    for words in says:
        expect(dialog).to_contain_text(words)
    expect(dialog.get_by_role("button", name=BACK)).to_be_focused()
    return dialog


def _backs_out(page: Page, button, says: str, unchanged) -> None:
    """Open then leave the dialog twice (Escape, then Back): closed, focus back on `button`,
    and `unchanged()` holds each time."""
    for leave in ("Escape", "Back"):
        dialog = _opens(page, button, says)
        if leave == "Escape":
            page.keyboard.press("Escape")
        else:
            dialog.get_by_role("button", name=BACK).click()
        expect(dialog).to_be_hidden()
        expect(button).to_be_focused()
        unchanged()


def test_late_cancel_dialog_by_keyboard(browser_page, client, card_pm, stripe_raw):
    prov = f.provider(client, **FLAT)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(hours=4)))
    assert f.pay(client, booking, card_pm(CARD_OK).id) == {"status": "held"}
    pi_id = f.get(client, booking)["payments"][0]["stripe_payment_intent_id"]
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(f"/b/{booking['id']}/{booking['client_token']}")
    button = page.get_by_role("button", name="Annuler la réservation")
    says = f"45,00\xa0€ seront débités sur {CARD}"

    def unchanged() -> None:
        assert f.get(client, booking)["status"] == "held"
        assert _intent(stripe_raw, pi_id) == ("requires_capture", 0)

    _backs_out(page, button, says, unchanged)
    page.keyboard.press("Enter")  # the focus is on the cancel button again
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Le créneau est libéré")
    go = dialog.get_by_role("button", name="Annuler et payer 45,00\xa0€")
    assert go.bounding_box()["width"] > 300  # full width at 390 px
    _shot(page, "confirm-late-cancel")
    page.keyboard.press("Shift+Tab")
    expect(go).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#booking-status")).to_have_text("Annulé")
    assert f.get(client, booking)["status"] == "cancelled"
    assert f.captured_at_emulator(stripe_raw, pi_id) == 4500


def test_refund_dialog_states_the_amount_typed(browser_page, client, card_pm, stripe_raw):
    prov, booking, payment = _ended_call(client, card_pm)  # 15,00 € captured
    page = browser_page
    page.set_viewport_size(PHONE)
    log_in(page, prov["email"])
    call = page.locator(f'article[data-booking="{booking["id"]}"]')
    call.locator("details.refund summary").click()
    call.locator(f"#refund-amount-{payment['id']}").fill("2,50")
    call.locator(f"#refund-reason-{payment['id']}").fill("geste commercial")
    button = call.get_by_role("button", name="Rembourser", exact=True)
    _backs_out(page, button, f"2,50\xa0€ seront remboursés sur {CARD}", lambda: (
        f.refunds_at_emulator(stripe_raw, payment["stripe_payment_intent_id"]) == []
        or pytest.fail("refunded")))
    dialog = _opens(page, button, "Rembourser 2,50\xa0€\u202f?")
    dialog.get_by_role("button", name="Rembourser 2,50\xa0€").click()
    expect(page.locator(".flash.success")).to_be_visible()
    assert f.refunds_at_emulator(stripe_raw, payment["stripe_payment_intent_id"]) == [250]


def test_client_approve_dialog(browser_page, client, card_pm, stripe_raw):
    prov, project, body = accepted_project(client, card_pm, approval="client",
                                           milestones=[("Audit", 5000, 1)])
    m = body["milestones"][0]
    act(client, m["id"], "complete", prov["token"])
    pi_id = read_project(client, project)["milestones"][0]["payments"][-1][
        "stripe_payment_intent_id"]
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(f"/pr/{project['id']}/{project['client_token']}")
    button = page.locator('form[action$="/approve"] button')
    _backs_out(page, button, f"50,00\xa0€ seront débités maintenant sur le montant bloqué sur "
               f"{CARD}", lambda: (_intent(stripe_raw, pi_id) == ("requires_capture", 0)
                                   or pytest.fail("captured")))
    assert read_project(client, project)["milestones"][0]["status"] == "awaiting_approval"
    dialog = _opens(page, button, "Approuver «\u202fAudit\u202f»\u202f?")
    dialog.get_by_role("button", name="Approuver et payer 50,00\xa0€").click()
    expect(page.locator(".flash.success")).to_be_visible()
    assert read_project(client, project)["milestones"][0]["status"] == "paid"
    assert f.captured_at_emulator(stripe_raw, pi_id) == 5000


def test_send_answer_dialog(browser_page, client, card_pm, stripe_raw):
    prov, message = held_message(client, card_pm)
    pi_id = read_message(client, message)["payments"][0]["stripe_payment_intent_id"]
    page = browser_page
    page.set_viewport_size(PHONE)
    log_in(page, prov["email"])
    page.goto(f"/inbox/{message['id']}")
    page.locator("#reply-form textarea").fill("Yes, you can deduct it.")
    button = page.locator("#reply-form button[type=submit]")
    _backs_out(page, button, f"10,00\xa0€ seront débités maintenant sur le montant bloqué sur "
               f"{CARD}", lambda: (_intent(stripe_raw, pi_id) == ("requires_capture", 0)
                                   or pytest.fail("captured")))
    assert read_message(client, message)["status"] == "held"
    dialog = _opens(page, button, "Envoyer la réponse\u202f?")
    dialog.get_by_role("button", name=re.compile("Débiter 10,00")).click()
    expect(page.locator("#message-status")).not_to_have_text(re.compile("bloqué"))
    assert read_message(client, message)["status"] == "answered"
    assert f.captured_at_emulator(stripe_raw, pi_id) == 1000


def test_without_javascript_the_confirmation_is_a_page(_browser, live_server, client, card_pm,
                                                       stripe_raw):
    """No script: the cancel button leads to the confirmation page; Back leaves everything as
    it was; its Confirm button cancels and takes the fee."""
    prov = f.provider(client, **FLAT)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(hours=4)))
    f.pay(client, booking, card_pm(CARD_OK).id)
    pi_id = f.get(client, booking)["payments"][0]["stripe_payment_intent_id"]
    context = _browser.new_context(base_url=live_server.url, locale="fr-FR",
                                   java_script_enabled=False, viewport=PHONE)
    try:
        page = context.new_page()
        manage = f"/b/{booking['id']}/{booking['client_token']}"
        page.goto(manage)
        page.get_by_role("button", name="Annuler la réservation").click()
        expect(page.locator("h1")).to_have_text("Annuler la réservation\u202f?")
        expect(page.locator("#confirm-text")).to_contain_text(
            f"45,00\xa0€ seront débités sur {CARD}")
        assert f.get(client, booking)["status"] == "held"
        assert _intent(stripe_raw, pi_id) == ("requires_capture", 0)
        page.get_by_role("link", name=BACK).click()
        page.wait_for_url(re.compile(re.escape(manage) + "$"))
        assert f.get(client, booking)["status"] == "held"
        page.get_by_role("button", name="Annuler la réservation").click()
        page.get_by_role("button", name="Annuler et payer 45,00\xa0€").click()
        expect(page.locator("#booking-status")).to_have_text("Annulé")
        assert f.captured_at_emulator(stripe_raw, pi_id) == 4500
    finally:
        context.close()
