"""No internal words on screen: payment purposes and declines in words on pages and e-mails,
and the styled error pages (404, 410, 405, 500) in the visitor's language; the API keeps JSON."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest

from tests import factories as f
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OFF_SESSION_DECLINE
from tests.test_projects_api import accept, new_project

GENERIC_FR = "Votre banque a refusé le paiement. Veuillez utiliser une autre carte ou"
GENERIC_EN = "Your bank declined the payment. Please use another card or contact your bank."
#: what must never reach a page or an e-mail
RAW = ("generic_decline", "card_declined", "soft_decline", "(error)", "answer\u202f:", "answer:")


def _no_raw(text: str) -> None:
    for word in RAW:
        assert word not in text, word


def _declined_booking(client, card_pm) -> dict:
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=2)))
    status, body = api(client, "POST", f"/api/v1/bookings/{booking['id']}/payment-method",
                       json={"payment_method": card_pm(CARD_OFF_SESSION_DECLINE).id},
                       token=booking["client_token"])
    assert status == 402 and body["error"]["fields"]["payment_method"] == ["generic_decline"]
    return booking


@pytest.mark.parametrize(("lang", "line"), [
    ("fr", "Appel\u202f: échec. " + GENERIC_FR), ("en", "Call: failed. " + GENERIC_EN)])
def test_a_declined_call_payment_reads_in_words_on_the_booking_page(client, card_pm, lang,
                                                                    line):
    booking = _declined_booking(client, card_pm)
    page = client.get(f"/b/{booking['id']}/{booking['client_token']}?lang={lang}")
    html = page.get_data(as_text=True).replace("&#39;", "'")
    assert page.status_code == 200 and line in re.sub(r"[ \t\r\n]+", " ", html)
    _no_raw(html.split("<script")[0])  # the page's text; the script gets the words by code


def test_the_card_pages_give_the_script_decline_labels_not_stripe_english(client, card_pm):
    booking = _declined_booking(client, card_pm)
    html = client.get(f"/b/{booking['id']}/{booking['client_token']}?lang=fr").get_data(
        as_text=True)
    assert '"insufficient_funds": "Votre banque a refusé le paiement' in html.replace(
        "\\u00e9", "é")


def test_a_declined_milestone_hold_in_words_on_the_project_page_and_e_mails(client, card_pm,
                                                                            outbox):
    prov = f.provider(client)
    project = new_project(client, prov, email="poor@example.test",
                          milestones=[("Build", 7000, 3)])
    outbox.clear()
    assert accept(client, project, card_pm(CARD_OFF_SESSION_DECLINE).id)["status"] == "accepted"
    for lang, line in (("fr", "Étape\u202f: échec. " + GENERIC_FR),
                       ("en", "Milestone: failed. " + GENERIC_EN)):
        html = client.get(f"/pr/{project['id']}/{project['client_token']}?lang={lang}")\
            .get_data(as_text=True).replace("&#39;", "'")
        assert line in re.sub(r"[ \t\r\n]+", " ", html)
        _no_raw(html.split("<script")[0])
    mails = outbox.to("poor@example.test") + outbox.to(prov["email"])
    texts = [m.get_body(("plain",)).get_content() for m in mails]
    assert any(GENERIC_FR in re.sub(r"[ \t\r\n]+", " ", t) for t in texts)
    for text in texts:
        _no_raw(text)


@pytest.mark.parametrize(("purpose", "word"), [
    ("hold", "Appel"), ("overrun", "Minutes"), ("late_cancel_fee", "annulation"),
    ("call_charge", "Appel"), ("answer", "Réponse"), ("deposit", "Acompte"),
    ("milestone", "Étape"), ("recovery", "impayé"), ("unknown_code", "Paiement")])
def test_every_purpose_and_own_failure_in_french_words(app, purpose, word):
    from skod.web import display

    payment = SimpleNamespace(purpose=purpose, status="failed", currency="EUR",
                              last_error_code="hold_expired", amount_refunded_minor=0,
                              amount_requested_minor=10, amount_held_minor=0,
                              amount_captured_minor=0, dispute_status=None,
                              application_fee_minor=0, application_fee_refunded_minor=0)
    with app.test_request_context("/?lang=fr"):
        line = display.payment_line(payment, "fr")
        assert word in line.split(" :")[0] and purpose not in line and "hold_expired" not in line
        assert "expiré" in line
        payment.last_error_code = "below_minimum"
        assert "minimum" in display.payment_line(payment, "fr")


def _styled(html: str) -> None:
    assert 'name="viewport"' in html and "css/skod.css" in html and 'class="top"' in html


def test_unknown_page_is_a_styled_french_404_and_the_api_stays_json(client):
    resp = client.get("/no/such/page", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 404 and "Page introuvable" in html and '<html lang="fr">' in html
    _styled(html)
    assert "Not Found" not in html
    english = client.get("/no/such/page?lang=en").get_data(as_text=True)
    assert "Page not found" in english
    resp = client.get("/api/v1/no-such-thing")
    assert resp.status_code == 404 and resp.is_json and resp.json["error"]["code"] == "not_found"


def test_wrong_method_on_a_page_is_a_styled_405(client):
    resp = client.delete("/login?lang=fr")
    assert resp.status_code == 405 and "Action impossible" in resp.get_data(as_text=True)
    assert "GET" in resp.headers["Allow"]


def test_expired_client_link_is_a_410_forged_stays_404(app, client, monkeypatch):
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=2)))
    url = f"/b/{booking['id']}/{booking['client_token']}?lang=fr"
    assert client.get(url).status_code == 200
    forged = f"/b/{booking['id']}/{booking['client_token'][:-3]}abc?lang=fr"
    other = f"/b/{booking['id'] + 1}/{booking['client_token']}?lang=fr"
    monkeypatch.setitem(app.config, "CLIENT_LINK_MAX_AGE", timedelta(seconds=-1))
    resp = client.get(url)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 410 and "Ce lien a expiré" in html
    assert "demander un nouveau lien au prestataire" in html
    _styled(html)
    assert client.get(forged).status_code == 404
    assert client.get(other).status_code == 404


def test_a_bad_request_on_a_page_is_a_styled_french_400(app):
    from werkzeug.exceptions import BadRequest

    with app.test_request_context("/projects/1/act", headers={"Accept-Language": "fr"}):
        resp = app.make_response(app.handle_http_exception(BadRequest()))
        html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "Requête incomprise" in html
    _styled(html)


def test_a_crash_is_a_styled_french_500(app, monkeypatch):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    with app.test_request_context("/somewhere", headers={"Accept-Language": "fr"}):
        resp = app.handle_exception(RuntimeError("boom"))
        html = resp.get_data(as_text=True)
    assert resp.status_code == 500 and "Une erreur est survenue" in html and "boom" not in html
    _styled(html)
    with app.test_request_context("/api/v1/somewhere"):
        resp = app.handle_exception(RuntimeError("boom"))
    assert resp.status_code == 500 and resp.is_json


@pytest.mark.browser
def test_a_card_refused_in_the_browser_reads_in_french_not_stripes_english(browser_page,
                                                                          client):
    from playwright.sync_api import expect

    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/b/{booking['id']}/{booking['client_token']}?lang=fr")
    box = page.locator("#card-element")
    for placeholder, value in (("number", "4000000000009995"), ("exp_month", "12"),
                               ("exp_year", "30"), ("cvc", "123")):
        box.locator(f'input[placeholder="{placeholder}"]').fill(value)
    page.click("#authorize-button")
    shown = page.locator('[data-error-for="card"]')
    expect(shown).to_have_text("Votre banque a refusé le paiement\u202f: provision insuffisante.")
    assert "insufficient" not in page.locator("main").inner_text().lower()
