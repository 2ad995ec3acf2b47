"""Failures said to the one who must act (issue 23, point 2): marking a milestone done whose
charge is refused says so at once on the provider's page, with what Skod does next and the
link to the debt's case; the provider never reads the card holder's advice ("use another
card"). In the test client, then in Chromium at 390 px with axe passing."""

from __future__ import annotations

import html
import re

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.support import clock
from tests.support.api import api
from tests.support.browser import log_in
from tests.support.stripe_helpers import CARD_OFF_SESSION_DECLINE
from tests.test_accessibility import BLOCKING, _axe, axe_page  # noqa: F401 - a fixture

CLIENT_ADVICE = ("autre carte", "another card")


def _started(client, card_pm) -> tuple[dict, dict, dict]:
    """A project accepted with a card the bank refuses off-session; its milestone started."""
    prov = f.provider(client)
    expected = clock.paris_day(clock.current(), 40).isoformat()  # no hold before delivery
    status, project = api(client, "POST", "/api/v1/projects", token=prov["token"], json={
        "client": {"email": "dana@example.test", "name": "Dana", "kind": "business",
                   "company_name": "Dana SARL", "address": "4 quai Rambaud\n69002 Lyon"},
        "title": "Site", "currency": "EUR", "deposit_percent": 0, "approval": "none",
        "milestones": [{"title": "Build", "amount_minor": 180_000, "expected_on": expected}]})
    assert status == 201, project
    status, body = api(client, "POST", f"/api/v1/projects/{project['id']}/payment-method",
                       json={"payment_method": card_pm(CARD_OFF_SESSION_DECLINE).id},
                       token=project["client_token"])
    assert status == 200, body
    read = api(client, "GET", f"/api/v1/projects/{project['id']}",
               token=project["client_token"])[1]
    status, milestone = api(client, "POST", f"/api/v1/milestones/{read['milestones'][0]['id']}"
                            "/start", json={}, token=prov["token"])
    assert status == 200, milestone
    return prov, project, milestone


def _flat(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def test_marking_done_a_refused_charge_says_so_with_what_follows(client, card_pm):
    prov, project, milestone = _started(client, card_pm)
    resp = client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    assert resp.status_code == 302
    resp = client.post(f"/projects/{project['id']}/milestones/{milestone['id']}/complete",
                       data={"confirm": "1", "note": "v1"}, follow_redirects=True)
    page = _flat(html.unescape(resp.get_data(as_text=True)))
    flash = re.search(r'<p class="flash error" role="status">(.*?)</p>', page).group(1)
    assert flash.startswith("L'étape est marquée comme terminée."), flash
    assert "Le débit de 1 800,00 € sur la carte du client a échoué" in flash
    assert "Skod envoie au client un avis avec un lien pour payer en ligne." in flash
    assert "relances" in flash.lower()
    # the case is one click away, and the client's advice is not the provider's to read
    case = re.search(r'id="debt-case-\d+"', page)
    assert case and re.search(r'href="/dashboard/receivables/\d+" id="debt-case-', page)
    assert not any(words in page for words in CLIENT_ADVICE), page
    # the client's own page keeps the advice meant for the card holder
    client_page = client.get(f"/pr/{project['id']}/{project['client_token']}")
    assert "autre carte" in client_page.get_data(as_text=True)


def test_a_charge_that_goes_through_says_done_only(client, card_pm):
    from tests.support.stripe_helpers import CARD_OK

    prov = f.provider(client)
    expected = clock.paris_day(clock.current(), 2).isoformat()
    status, project = api(client, "POST", "/api/v1/projects", token=prov["token"], json={
        "client": {"email": "eve@example.test", "name": "Eve", "kind": "business",
                   "company_name": "Eve SAS", "address": "1 rue de Rivoli\n75001 Paris"},
        "title": "Audit", "currency": "EUR", "deposit_percent": 0, "approval": "none",
        "milestones": [{"title": "Report", "amount_minor": 40_000, "expected_on": expected}]})
    api(client, "POST", f"/api/v1/projects/{project['id']}/payment-method",
        json={"payment_method": card_pm(CARD_OK).id}, token=project["client_token"])
    [m] = api(client, "GET", f"/api/v1/projects/{project['id']}",
              token=project["client_token"])[1]["milestones"]
    client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    resp = client.post(f"/projects/{project['id']}/milestones/{m['id']}/complete",
                       data={"confirm": "1"}, follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert '<p class="flash success" role="status">' in page and "flash error" not in page
    assert "debt-next-" not in page


@pytest.mark.browser
def test_the_failure_on_the_providers_page_at_390px_passes_axe(axe_page, client, card_pm):  # noqa: F811
    prov, project, milestone = _started(client, card_pm)
    page = axe_page
    log_in(page, prov["email"])
    page.goto(f"/projects/{project['id']}")
    form = page.locator(f'form[action$="/milestones/{milestone["id"]}/complete"]')
    form.locator('input[name="note"]').fill("v1")
    form.locator("button").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.locator("#confirm-dialog-go").click()
    flash = page.locator("p.flash.error[role=status]").first
    expect(flash).to_contain_text("a échoué")
    expect(flash).to_contain_text("Skod envoie au client un avis")
    expect(page.locator(f"#debt-next-{milestone['id']}")).to_be_visible()
    link = page.locator(f"#debt-case-{milestone['id']}")
    expect(link).to_be_visible()
    body = page.locator("main").inner_text()
    assert not any(words in body for words in CLIENT_ADVICE), body
    # nothing wider than the phone, and axe finds nothing serious
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    violations = [v for v in _axe(page) if v["impact"] in BLOCKING]
    assert violations == [], violations
    link.click()
    page.wait_for_url(re.compile(r"/dashboard/receivables/\d+$"))


def test_sending_an_answer_whose_capture_fails_says_what_follows(app, client, card_pm):
    from skod.extensions import db
    from skod.payments.models import Payment
    from tests.test_messages_api import ANSWER, held_message

    prov, message = held_message(client, card_pm)
    with app.app_context():  # the intent is gone at Stripe (as after an expired hold)
        payment = db.session.scalar(db.select(Payment))
        payment.stripe_payment_intent_id = "pi_gone_at_stripe"
        db.session.commit()
    client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    resp = client.post(f"/inbox/{message['id']}/reply", data={"body": ANSWER, "confirm": "1"},
                       follow_redirects=True)
    page = _flat(html.unescape(resp.get_data(as_text=True)))
    flash = re.search(r'<p class="flash error" role="status">(.*?)</p>', page).group(1)
    assert "Le paiement a échoué" in flash and "a échoué :" in flash, flash
    assert "Skod envoie au client un avis avec un lien pour payer en ligne." in flash
    assert re.search(r'href="/dashboard/receivables/\d+" id="debt-case-', page)
    assert not any(words in page for words in CLIENT_ADVICE), page


def test_ending_a_call_whose_capture_is_refused_says_what_follows(client, card_pm,
                                                                   stripe_emulator):
    from datetime import timedelta

    from tests.support.stripe_helpers import CARD_OK
    from tests.test_capture_refused_hold import TOO_LARGE

    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    assert f.pay(client, booking, card_pm(CARD_OK).id)["status"] == "held"
    [payment] = f.get(client, booking)["payments"]
    stripe_emulator.control("faults", {
        "path": f"/v1/payment_intents/{payment['stripe_payment_intent_id']}/capture",
        "times": 1, "status": 400, "error": TOO_LARGE})
    client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    resp = client.post(f"/dashboard/bookings/{booking['id']}/end", data={"confirm": "1"},
                       follow_redirects=True)
    page = _flat(html.unescape(resp.get_data(as_text=True)))
    flash = re.search(r'<p class="flash error" role="status">(.*?)</p>', page).group(1)
    assert flash.startswith("L’appel est terminé."), flash
    assert "a échoué" in flash and "Skod envoie au client un avis" in flash, flash
    # the call's card keeps saying it, with the case one click away
    assert re.search(rf'href="/dashboard/receivables/\d+" id="debt-case-b{booking["id"]}"',
                     page)


@pytest.mark.browser
def test_the_failure_in_english_at_1280px_passes_axe(_browser, live_server, client, card_pm):
    prov, project, milestone = _started(client, card_pm)
    context = _browser.new_context(base_url=live_server.url, locale="en-GB",
                                   viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        log_in(page, prov["email"])
        page.goto(f"/projects/{project['id']}?lang=en")
        form = page.locator(f'form[action$="/milestones/{milestone["id"]}/complete"]')
        form.locator("button").click()
        page.get_by_role("dialog").locator("#confirm-dialog-go").click()
        flash = page.locator("p.flash.error[role=status]").first
        expect(flash).to_contain_text("The milestone is marked done.")
        expect(flash).to_contain_text("on the client's card failed")
        expect(flash).to_contain_text("Skod sends the client a notice with a link to pay")
        expect(page.locator(f"#debt-case-{milestone['id']}")).to_have_text("Open the debt case")
        body = page.locator("main").inner_text()
        assert not any(words in body for words in CLIENT_ADVICE), body
        violations = [v for v in _axe(page) if v["impact"] in BLOCKING]
        assert violations == [], violations
    finally:
        context.close()
