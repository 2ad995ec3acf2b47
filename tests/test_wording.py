"""Explanations that read right (#13 point 6): plurals of minutes, a flat call's price for its
slot, the fee named as a fee, deposit and approval lines that follow the project, the client
on the provider's e-mail, business fields only for a business, VAT wording."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from skod.core.clock import parse_iso
from skod.web import display
from tests import factories as f
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OK


def _terms(**kw) -> SimpleNamespace:
    base = {"pricing": "per_minute", "price_minor": 150, "currency": "EUR", "minimum_minutes": 0,
            "duration_minutes": 30, "late_cancel_fee_percent": 0}
    return SimpleNamespace(**(base | kw))


@pytest.mark.parametrize(("locale", "one", "two"), [
    ("en", "(minimum 1 minute)", "(minimum 2 minutes)"),
    ("fr", "(minimum 1 minute)", "(minimum 2 minutes)")])
def test_minutes_are_singular_for_one_and_plural_above(app, locale, one, two):
    with app.test_request_context(), force_locale(locale):
        assert display.price_words(_terms(minimum_minutes=1), locale).endswith(one)
        assert display.price_words(_terms(minimum_minutes=2), locale).endswith(two)
        held = " ".join(display.terms_lines(_terms(duration_minutes=1), locale))
        assert ("× 1 scheduled minute)" if locale == "en" else "× 1 minute prévue)") in held


def _ended_two_minutes_in(client, card_pm, **offer) -> dict:
    prov = f.provider(client, **offer)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    assert f.pay(client, booking, card_pm(CARD_OK).id) == {"status": "held"}
    path = f"/api/v1/bookings/{booking['id']}"
    assert api(client, "POST", f"{path}/start", token=prov["token"])[0] == 200
    status, ended = api(client, "POST", f"{path}/end", json={"minutes": 2}, token=prov["token"])
    assert status == 200 and ended["status"] == "completed", ended
    return booking


def _receipt_and_invoice_text(app, outbox, booking) -> str:
    import json

    from skod.invoicing.models import Invoice
    # a French client: "Reçu de votre appel"
    [receipt] = [m for m in outbox.to("client@example.test") if "Reçu" in m["Subject"]]
    with app.app_context():
        [invoice] = Invoice.query.filter_by(booking_id=booking["id"]).all()
        lines = json.dumps(invoice.snapshot, ensure_ascii=False)
    return receipt.get_body(("plain",)).get_content() + lines


@pytest.mark.usefixtures("start_any_time")
def test_a_flat_call_is_charged_for_its_slot_never_per_minutes_used(app, client, card_pm,
                                                                    outbox):
    booking = _ended_two_minutes_in(client, card_pm, pricing="flat", price={
        "amount_minor": 9000, "currency": "EUR"}, duration_minutes=30)
    text = _receipt_and_invoice_text(app, outbox, booking)
    assert "pour l'appel de 30 minutes" in text and "appel du" in text
    assert "2 minutes" not in text


@pytest.mark.usefixtures("start_any_time")
def test_a_per_minute_call_is_charged_for_the_minutes_used(app, client, card_pm, outbox):
    booking = _ended_two_minutes_in(client, card_pm)
    text = _receipt_and_invoice_text(app, outbox, booking)
    assert "pour 2 minutes." in text and "2 minutes" in text.split("appel du")[1]


@pytest.mark.parametrize(("lang", "line"), [
    ("fr", "Frais d’annulation tardive\u202f: 36,00\xa0€ débités"),
    ("en", "Late-cancellation fee: €36.00 charged")])
def test_a_late_cancellation_fee_taken_from_the_hold_is_labelled_as_the_fee(app, client, card_pm,
                                                                          lang, line):
    from skod.calls import lifecycle

    prov = f.provider(client, pricing="flat", duration_minutes=30, late_cancel_fee_percent=40,
                      price={"amount_minor": 9000, "currency": "EUR"})
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(hours=5)))
    assert f.pay(client, booking, card_pm(CARD_OK).id) == {"status": "held"}
    start = parse_iso(f.get(client, booking)["start_at"])
    with app.app_context():  # 2 h before: too late to cancel for free
        lifecycle.cancel_booking(booking["id"], "client", start - timedelta(hours=2))
    page = client.get(f"/b/{booking['id']}/{booking['client_token']}?lang={lang}")
    text = re.sub(r"[ \t\r\n]+", " ", page.get_data(as_text=True).replace("&#39;", "'"))
    assert line in text and ("Appel\u202f:" not in text and "Call:" not in text)


def _bodies(outbox, *addresses: str) -> str:
    return " ".join(m.get_body(("plain",)).get_content() for a in addresses
                    for m in outbox.to(a))


@pytest.mark.parametrize(("deposit", "line"), [(0, None), (30, "Acompte débité\u202f: 180,00")])
def test_the_acceptance_e_mails_speak_of_a_deposit_only_when_one_was_charged(
        client, card_pm, outbox, deposit, line):
    from tests.test_projects_api import accepted_project

    prov, _project, _body = accepted_project(client, card_pm, deposit=deposit)
    text = _bodies(outbox, "buyer@example.test", prov["email"])
    assert "Acompte débité" in text if line else "Acompte" not in text
    if line:
        assert line in text


@pytest.mark.parametrize(("approval", "said", "not_said"), [
    ("client", "débitée lorsque vous validez sa livraison", "débitée à sa livraison"),
    ("none", "débitée à sa livraison", "lorsque vous validez sa livraison")])
def test_when_a_milestone_is_charged_follows_the_approval_setting(client, outbox, approval,
                                                                 said, not_said):
    from tests.test_projects_api import new_project

    project = new_project(client, f.provider(client), approval=approval)
    page = client.get(f"/pr/{project['id']}/{project['client_token']}?lang=fr")
    text = " ".join((_bodies(outbox, "buyer@example.test")
                     + page.get_data(as_text=True)).split())
    assert text.count(said) >= 2 and not_said not in text  # the invitation and the page


def test_the_unsecured_hold_e_mail_says_when_the_milestone_is_charged(app):
    from skod.projects.notify import _not_owed_yet

    with app.test_request_context(), force_locale("fr"):
        assert _not_owed_yet(SimpleNamespace(approval="client")).endswith(
            "débité lorsque vous validez sa livraison.")
        assert _not_owed_yet(SimpleNamespace(approval="none")).endswith("l'étape livrée.")


def test_the_provider_copy_of_a_booking_names_the_client_not_the_provider(client, card_pm,
                                                                         outbox):
    from tests.test_projects_api import accepted_project

    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    assert f.pay(client, booking, card_pm(CARD_OK).id) == {"status": "held"}
    mine = _bodies(outbox, prov["email"])
    theirs = _bodies(outbox, "client@example.test")
    assert "Avec" in theirs and "Avec" not in mine and "Alex Client <client@example.test>" in mine
    prov2, _project, _body = accepted_project(client, card_pm)
    mine = _bodies(outbox, prov2["email"])
    assert mine and "Avec" not in mine and "Dana Buyer <buyer@example.test>" in mine


def test_a_consumer_booking_ignores_company_and_siren(app, client):
    from sqlalchemy import select

    from skod.accounts.models import Client
    from skod.extensions import db

    prov = f.provider(client)
    status, body = api(client, "POST", "/api/v1/bookings", json={
        "offer_id": prov["offer_id"], "start_at": f.start_in(timedelta(days=1)).isoformat(),
        "accept_terms": True, "client": {"email": "me@example.test", "name": "Me",
                                         "kind": "consumer", "company_name": "Left over SAS",
                                         "siren": "not a siren"}})
    assert status == 201, body  # a leftover business field never blocks a private person
    with app.app_context():
        row = db.session.scalar(select(Client).where(Client.email == "me@example.test"))
        assert (row.kind, row.company_name, row.siren) == ("consumer", None, None)
        db.session.remove()


@pytest.mark.parametrize("script", [True, False])
def test_the_booking_page_shows_company_and_siren_only_for_a_business(_browser, live_server,
                                                                      client, script):
    prov = f.provider(client)
    context = _browser.new_context(base_url=live_server.url, locale="fr-FR",
                                   java_script_enabled=script)
    try:
        page = context.new_page()
        page.goto(f"/p/{prov['email'].split('@')[0].replace('provider', 'provider-')}/o/"
                  f"{prov['offer_id']}")
        assert not page.locator("#siren").is_visible()
        assert not page.locator("#company_name").is_visible()
        page.locator("input[name=kind][value=business]").check()
        assert page.locator("#siren").is_visible() and page.locator("#company_name").is_visible()
        page.locator("input[name=kind][value=consumer]").check()
        assert not page.locator("#siren").is_visible()
    finally:
        context.close()
