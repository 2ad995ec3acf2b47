"""HTML pages through the Flask test client: accounts, public pages, links, CSRF, dashboard."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests import factories as f
from tests.support.stripe_helpers import CARD_OK

SIGNUP = {"email": "jeanne@example.test", "password": "kiwi-falcon-2291", "name": "Jeanne Martin",
          "slug": "jeanne", "timezone": "Europe/Paris", "siren": "123456789"}


def _slug(prov: dict) -> str:
    return prov["email"].split("@")[0].replace("provider", "provider-")


def _text(resp) -> str:
    return resp.get_data(as_text=True)


def test_signup_login_logout(client):
    assert client.get("/signup").status_code == 200
    resp = client.post("/signup", data=SIGNUP)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/dashboard/offers")
    assert client.get("/dashboard").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/dashboard").status_code == 302  # to the login page

    bad = client.post("/login", data={"email": SIGNUP["email"], "password": "wrong-one"})
    assert bad.status_code == 200 and "Adresse e-mail ou mot de passe incorrect" in _text(bad)
    good = client.post("/login", data={"email": SIGNUP["email"], "password": "kiwi-falcon-2291"})
    assert good.status_code == 302 and good.headers["Location"].endswith("/dashboard")
    assert "Vos appels" in _text(client.get("/dashboard"))


def test_signup_errors_are_shown_on_the_form(client):
    client.post("/signup", data=SIGNUP)
    client.post("/logout")
    taken = client.post("/signup", data=dict(SIGNUP, slug="other-slug"))
    assert taken.status_code == 200 and "Un compte existe déjà avec cette adresse" in _text(taken)
    bad = client.post("/signup", data=dict(SIGNUP, email="x@example.test", slug="Bad Slug",
                                           timezone="Mars/Olympus", password="short"))
    page = _text(bad)
    assert "Lettres minuscules, chiffres et tirets" in page
    assert "Fuseau horaire inconnu" in page
    assert "Au moins 10 caractères" in page


def test_public_page_lists_offers_in_both_languages(client):
    first = f.provider(client, title="Audit express", pricing="flat", duration_minutes=30,
               price={"amount_minor": 9000, "currency": "EUR"}, late_cancel_fee_percent=40)
    second = f.provider(client)  # another provider: its offer is not on the first page
    page = _text(client.get(f"/p/{_slug(first)}"))
    assert "Audit express" in page and "90,00\xa0€" in page
    assert "Frais d’annulation tardive\u202f: 40 %" in page and "Consultation" not in page
    english = _text(client.get(f"/p/{_slug(second)}?lang=en"))
    assert "€1.00 per minute" in english and "30 minutes" not in english
    assert client.get("/p/nobody").status_code == 404


def test_booking_page_shows_slots_in_the_client_zone_and_the_terms(client):
    prov = f.provider(client, minimum_minutes=10)
    page = _text(client.get(f"/p/{_slug(prov)}/o/{prov['offer_id']}?tz=America/New_York"))
    assert "America/New_York" in page
    assert page.count('name="start_at"') > 100
    assert "Annulation gratuite jusqu’à 24 heures avant l’appel" in page
    assert "20,00\xa0€" in page  # hold = 1.00 EUR x 20 scheduled minutes
    assert "deuxième paiement" in page
    assert client.get(f"/p/{_slug(prov)}/o/{prov['offer_id'] + 99}").status_code == 404


def _held_booking(client, card_pm):
    prov = f.provider(client, pricing="flat", duration_minutes=30,
                      price={"amount_minor": 9000, "currency": "EUR"})
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=3)))
    assert f.pay(client, booking, card_pm(CARD_OK).id)["status"] in ("held", "card_saved")
    return prov, booking


def test_manage_page_needs_the_right_token(client, card_pm):
    _, booking = _held_booking(client, card_pm)
    path = booking["manage_url"].split("://", 1)[1].split("/", 1)[1]
    ok = client.get("/" + path)
    assert ok.status_code == 200 and "Annuler la réservation" in _text(ok)
    assert client.get(f"/b/{booking['id']}/not-a-token").status_code == 404
    assert client.get(f"/b/{booking['id'] + 1}/{booking['client_token']}").status_code == 404
    ics = client.get(f"/{path}/invite.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    assert b"BEGIN:VEVENT" in ics.data


def test_client_cancels_early_for_free(client, card_pm, outbox):
    _, booking = _held_booking(client, card_pm)
    token = booking["client_token"]
    page = _text(client.get(f"/b/{booking['id']}/{token}"))
    assert "Annuler maintenant est gratuit" in page
    asked = _text(client.post(f"/b/{booking['id']}/{token}/cancel"))  # no confirm=1: asks
    assert "Annuler la réservation\u202f?" in asked and f.get(client, booking)["status"] == "held"
    resp = client.post(f"/b/{booking['id']}/{token}/cancel", data={"confirm": "1"})
    assert resp.status_code == 302
    assert f.get(client, booking)["status"] == "cancelled"
    assert any("annulé" in str(m["Subject"]) for m in outbox.to("client@example.test"))


def _login(client, email: str) -> None:
    resp = client.post("/login", data={"email": email, "password": "kiwi-falcon-2291"})
    assert resp.status_code == 302


def test_dashboard_lists_only_own_calls_and_refuses_others(client, card_pm):
    prov, booking = _held_booking(client, card_pm)
    other = f.provider(client)
    _login(client, prov["email"])
    page = _text(client.get("/dashboard"))
    assert "Alex Client" in page and "90,00\xa0€ bloqués" in page
    client.post("/logout")
    _login(client, other["email"])
    assert "Alex Client" not in _text(client.get("/dashboard"))
    assert client.post(f"/dashboard/bookings/{booking['id']}/start").status_code == 404
    assert f.get(client, booking)["status"] == "held"


@pytest.mark.usefixtures("start_any_time")
def test_dashboard_start_end_and_domain_errors(client, card_pm, stripe_raw):
    prov, booking = _held_booking(client, card_pm)
    _login(client, prov["email"])
    no_show = client.post(f"/dashboard/bookings/{booking['id']}/no-show", data={"confirm": "1"},
                          follow_redirects=True)
    assert "marqué" not in _text(no_show)  # before the start: refused, the reason is flashed
    assert f.get(client, booking)["status"] == "held"
    client.post(f"/dashboard/bookings/{booking['id']}/start")
    page = _text(client.get("/dashboard"))
    assert 'data-started-at="' in page and 'data-action="end"' in page
    client.post(f"/dashboard/bookings/{booking['id']}/end", data={"confirm": "1"})
    done = f.get(client, booking)
    assert done["status"] == "completed"
    assert f.captured_at_emulator(stripe_raw, done["payments"][0]["stripe_payment_intent_id"]) \
        == 9000


def test_offer_and_hours_forms(client):
    client.post("/signup", data=SIGNUP)
    resp = client.post("/dashboard/offers", data={
        "offer-title": "Conseil", "offer-duration_minutes": "20", "offer-pricing": "per_minute",
        "offer-price": "1,50", "offer-currency": "EUR", "offer-minimum_minutes": "10",
        "offer-late_cancel_fee_percent": "30"})
    assert resp.status_code == 302
    bad_price = client.post("/dashboard/offers", data={
        "offer-title": "X", "offer-duration_minutes": "20", "offer-pricing": "flat",
        "offer-price": "1.234", "offer-currency": "EUR"})
    assert bad_price.status_code == 422
    hours = {"hours-timezone": "Europe/Paris", "hours-buffer_minutes": "10",
             "hours-mon": "09:00-12:00, 14:00-18:00", "hours-fri": "10:00-12:00"}
    assert client.post("/dashboard/availability", data=hours).status_code == 302
    bad = client.post("/dashboard/availability", data=dict(hours, **{"hours-tue": "9h-12h"}))
    assert bad.status_code == 422 and "09:00-12:00, 14:00-18:00" in _text(bad)
    page = _text(client.get("/dashboard/offers"))
    assert "1,50\xa0€ par minute (minimum 10 minutes)" in page
    assert 'value="09:00-12:00, 14:00-18:00"' in page and 'value="10:00-12:00"' in page
    assert "1,50\xa0€" in _text(client.get("/p/jeanne"))


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_csrf_is_enforced_on_forms(client, csrf_on):
    refused = client.post("/signup", data=SIGNUP)
    assert refused.status_code == 400
    page = _text(client.get("/signup"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    accepted = client.post("/signup", data=dict(SIGNUP, csrf_token=token))
    assert accepted.status_code == 302
    assert client.post("/logout").status_code == 400  # no token: still logged in
    assert client.get("/dashboard").status_code == 200


def test_late_cancel_shows_then_takes_the_fee(client, card_pm):
    prov = f.provider(client, pricing="flat", duration_minutes=30,
                      price={"amount_minor": 9000, "currency": "EUR"})
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(hours=4)))
    assert f.pay(client, booking, card_pm(CARD_OK).id) == {"status": "held"}
    manage = f"/b/{booking['id']}/{booking['client_token']}"
    assert "frais d’annulation tardive de 45,00\xa0€" in _text(client.get(manage))
    page = _text(client.post(f"{manage}/cancel", data={"confirm": "1"}, follow_redirects=True))
    assert "Votre réservation est annulée." in page and "45,00\xa0€ débités" in page
    english = _text(client.get(f"{manage}?lang=en"))
    assert "Cancelled" in english and "€45.00 charged" in english
