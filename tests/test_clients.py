"""One client row per (provider, e-mail): the same person booking two providers is two rows and
two Stripe customers, nothing of one provider's row reaches the other, a returning client reuses
the provider's row and customer, and details given again never change an issued invoice."""

from __future__ import annotations

import threading
from datetime import timedelta
from io import BytesIO

import pytest
import stripe
from pypdf import PdfReader
from sqlalchemy import func, select

import tests.factories as f
from skod.accounts.models import Client
from skod.calls.models import Booking
from skod.extensions import db
from tests.support.api import api
from tests.support.stripe_helpers import on

EMAIL = "same.person@example.test"


def _book(client, prov: dict, days: int, email: str = EMAIL, kind: str = "consumer") -> dict:
    return f.book(client, prov["offer_id"], f.start_in(timedelta(days=days)), email=email,
                  kind=kind)


def _row(app, booking_id: int) -> tuple[int, str | None, str | None, str | None]:
    """(client id, client's customer, booking's customer, its SetupIntent) of a booking."""
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        return (booking.client_id, booking.client.stripe_customer_id,
                booking.stripe_customer_id, booking.stripe_setup_intent_id)


def _login(client, prov: dict) -> None:
    resp = client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    assert resp.status_code == 302


def test_two_providers_two_rows_and_customers_a_returning_client_reuses_them(
        app, client, stripe_raw):
    a, b = f.provider(client), f.provider(client)
    first = _row(app, _book(client, a, 10)["id"])
    with_b = _row(app, _book(client, b, 10)["id"])
    again = _row(app, _book(client, a, 11, email=EMAIL.upper())["id"])
    assert first[0] == again[0] != with_b[0]
    assert first[1] == again[1] != with_b[1] and None not in (first[1], with_b[1])
    for (client_id, customer, holder_customer, setup_id), account in (
            (first, a["account"]), (with_b, b["account"]), (again, a["account"])):
        assert holder_customer == customer  # the card is saved on the row's customer
        # each customer lives on its provider's connected account, and only there
        assert stripe_raw.v1.setup_intents.retrieve(setup_id, options=on(account))[
            "customer"] == customer
        at_stripe = stripe_raw.v1.customers.retrieve(customer, options=on(account))
        assert at_stripe["email"] == EMAIL
        assert at_stripe["metadata"]["skod_client_id"] == str(client_id)
    with pytest.raises(stripe.InvalidRequestError):  # A's customer does not exist on B's
        stripe_raw.v1.customers.retrieve(first[1], options=on(b["account"]))
    with app.app_context():
        rows = db.session.scalars(select(Client).where(func.lower(Client.email) == EMAIL)).all()
        assert len(rows) == 2


def test_another_providers_client_file_and_api_show_nothing_of_it(app, client):
    a, b = f.provider(client), f.provider(client)
    of_a = _book(client, a, 10, kind="business")  # A's row: a company, a SIREN, an address
    of_b = _book(client, b, 10)
    a_row, b_row = _row(app, of_a["id"])[0], _row(app, of_b["id"])[0]
    _login(client, b)
    assert client.get(f"/dashboard/clients/{a_row}").status_code == 404  # the route that leaked
    page = client.get(f"/dashboard/clients/{b_row}?lang=en").get_data(as_text=True)
    assert EMAIL in page and "Consumer" in page
    assert f.BUSINESS["company_name"] not in page and f.BUSINESS["siren"] not in page
    status, listed = api(client, "GET", "/api/v1/bookings", token=b["token"])
    assert status == 200 and [x["id"] for x in listed] == [of_b["id"]]
    assert listed[0]["client"] == {"name": "Alex Client", "email": EMAIL, "kind": "consumer"}
    status, _ = api(client, "GET", f"/api/v1/bookings/{of_a['id']}", token=b["token"])
    assert status == 404
    status, body = api(client, "GET", f"/api/v1/receivables?client_id={a_row}",
                       token=b["token"])
    assert status == 200 and body["total"] == 0
    as_a = app.test_client()
    _login(as_a, a)
    assert as_a.get(f"/dashboard/clients/{b_row}").status_code == 404
    assert as_a.get(f"/dashboard/clients/{a_row}").status_code == 200


def test_details_given_again_update_the_row_not_an_issued_invoice(app):
    from skod.accounts.clients import client_for
    from skod.invoicing import document, pdf
    from tests.invoice_support import issue, make_provider

    with app.app_context():
        pid = make_provider()
        given = {"email": EMAIL, "name": "Bruno Petit", "kind": "business",
                 "company_name": "Petit Conseil SAS", "siren": "552100554",
                 "address": "5 avenue Foch\n69006 Lyon"}
        row = client_for(pid, given)
        db.session.commit()
        invoice = issue(pid, row.id, 12_000)
        before = dict(invoice.snapshot["buyer"])
        moved = client_for(pid, {**given, "email": EMAIL.upper(), "name": "Bruno Grand",
                                 "company_name": "Grand Conseil SAS"})
        db.session.commit()
        assert moved.id == row.id and moved.company_name == "Grand Conseil SAS"
        db.session.expire_all()
        invoice = db.session.get(type(invoice), invoice.id)
        assert invoice.snapshot["buyer"] == before
        reader = PdfReader(BytesIO(pdf.render_pdf(document.build(invoice))))
        text = "".join(page.extract_text() for page in reader.pages)
        assert "Petit Conseil SAS" in text and "Grand Conseil SAS" not in text


def test_two_requests_at_once_make_one_row_and_no_error(app):
    """The first request's insert is not committed when the second looks for the row: the
    second insert waits on the unique index, fails once the first commits, and reads its row."""
    from skod.accounts.clients import client_for
    from tests.invoice_support import make_provider

    with app.app_context():
        pid = make_provider()
    inserted, got, errors = threading.Event(), {}, []

    def first() -> None:
        with app.app_context():
            got["first"] = client_for(pid, {"email": EMAIL, "name": "First"}).id
            inserted.set()
            threading.Event().wait(0.5)  # the second request is blocked on the index now
            db.session.commit()

    def second() -> None:
        inserted.wait(10)
        with app.app_context():
            try:
                got["second"] = client_for(pid, {"email": EMAIL, "name": "Second"}).id
                db.session.commit()
            except Exception as err:  # noqa: BLE001 - the test reports it
                errors.append(err)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and got["first"] == got["second"]
    with app.app_context():
        rows = db.session.scalars(select(Client).where(Client.provider_id == pid)).all()
        assert [(r.id, r.name) for r in rows] == [(got["first"], "Second")]


def test_a_saved_card_is_charged_on_the_customer_it_was_saved_on(app, client, card_pm,
                                                                 stripe_raw):
    """When its booking's client row changes (the migration merges rows, the newest with its
    own customer), the card is still charged on the customer it is attached to."""
    from skod.accounts.clients import client_for
    from skod.calls import lifecycle
    from skod.payments.cards import ensure_customer
    from tests.support.stripe_helpers import CARD_OK

    prov = f.provider(client, pricing="flat", duration_minutes=30, late_cancel_fee_percent=40,
                      price={"amount_minor": 9000, "currency": "EUR"})
    start = f.start_in(timedelta(days=10))
    booking = f.book(client, prov["offer_id"], start, email=EMAIL)
    assert f.pay(client, booking, card_pm(CARD_OK).id) == {"status": "card_saved"}
    with app.app_context():
        row = db.session.get(Booking, booking["id"])
        saved_on = row.client.stripe_customer_id
        merged = client_for(row.provider_id, {"email": "kept@example.test", "name": "Kept"})
        db.session.flush()
        other = ensure_customer(merged, prov["account"])
        row.client_id = merged.id
        db.session.commit()
        lifecycle.cancel_booking(booking["id"], "client", start - timedelta(hours=20))
    [fee] = f.get(client, booking)["payments"]
    assert (fee["purpose"], fee["status"]) == ("late_cancel_fee", "captured")
    pi = stripe_raw.v1.payment_intents.retrieve(fee["stripe_payment_intent_id"])
    assert pi["customer"] == saved_on != other


def test_a_near_calls_page_intent_is_on_the_returning_clients_customer(app, client,
                                                                       stripe_raw):
    prov = f.provider(client)
    far = _row(app, _book(client, prov, 10)["id"])
    near = f.book(client, prov["offer_id"], f.start_in(timedelta(hours=5)), email=EMAIL)
    with app.app_context():
        booking = db.session.get(Booking, near["id"])
        assert (booking.client_id, booking.stripe_customer_id) == far[:2]
        intent_id = booking.hold_payment().stripe_payment_intent_id
    assert stripe_raw.v1.payment_intents.retrieve(intent_id)["customer"] == far[1]
