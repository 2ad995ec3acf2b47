"""Invoices issued by the real flows (emulator + PostgreSQL): a call, its overrun, a late-cancel
fee, refunds (credit notes), the sweep that issues what a crash left out, the API and the CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from tests import factories as f
from tests.support import clock
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OK
from tests.webhook_support import deliver, event

CLIENT = "client@example.test"


@pytest.fixture
def year(now) -> int:
    """The series of what the test issues: the Paris year (the UTC one is wrong at New Year)."""
    return clock.paris_year(now)


def _ended(client, card_pm, minutes: int = 17, **offer):
    prov = f.provider(client, **offer)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)), kind="business")
    f.pay(client, booking, card_pm(CARD_OK).id)
    status, body = api(client, "POST", f"/api/v1/bookings/{booking['id']}/end",
                       json={"minutes": minutes}, token=prov["token"])
    assert status == 200 and body["status"] == "completed"
    return prov, booking, body


def _invoices(client, prov, query: str = "") -> list[dict]:
    status, body = api(client, "GET", f"/api/v1/invoices{query}", token=prov["token"])
    assert status == 200, body
    return sorted(body, key=lambda i: i["number"])


def _receipts(outbox) -> list:
    return [m for m in outbox.to(CLIENT) if m["Subject"] == "Reçu de votre appel"]


def _pdfs(message) -> dict[str, bytes]:
    return {p.get_filename(): p.get_content() for p in message.iter_attachments()
            if p.get_content_type() == "application/pdf"}


def test_ended_call_gets_a_paid_invoice_attached_to_the_receipt(client, card_pm, outbox, year):
    prov, booking, _ = _ended(client, card_pm)
    [invoice] = _invoices(client, prov)
    assert (invoice["number"], invoice["kind"], invoice["ttc_minor"], invoice["paid"]) == (
        f"{year}-000001", "invoice", 1700, True)
    assert invoice["booking_id"] == booking["id"] and invoice["payment_method"]
    [receipt] = _receipts(outbox)
    pdfs = _pdfs(receipt)
    assert list(pdfs) == [f"invoice-{year}-000001.pdf"]
    assert pdfs[f"invoice-{year}-000001.pdf"].startswith(b"%PDF")
    # the client reaches it with the token of its booking; the API gives the same PDF
    status, same = api(client, "GET", f"/api/v1/invoices/{invoice['id']}",
                       token=booking["client_token"])
    assert status == 200 and same["number"] == invoice["number"]
    resp = client.get(f"/api/v1/invoices/{invoice['id']}/pdf",
                      headers={"Authorization": f"Bearer {booking['client_token']}"})
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.data.startswith(b"%PDF")


def test_overrun_is_invoiced_apart_from_the_call(client, card_pm):
    prov, _booking, _ = _ended(client, card_pm, minutes=25)  # hold 2000, 500 beyond it
    call, overrun = _invoices(client, prov)
    assert (call["ttc_minor"], call["paid"], call["payment_id"]) == (2000, True, None)
    assert (overrun["ttc_minor"], overrun["paid"]) == (500, True)
    assert overrun["payment_id"] is not None


def test_late_cancel_fee_is_invoiced(client, card_pm):
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(hours=5)))
    f.pay(client, booking, card_pm(CARD_OK).id)
    status, body = api(client, "POST", f"/api/v1/bookings/{booking['id']}/cancel",
                       token=booking["client_token"])
    assert status == 200 and body["status"] == "cancelled"
    [fee] = _invoices(client, prov)
    assert (fee["ttc_minor"], fee["paid"], fee["booking_id"]) == (1000, True, booking["id"])


def test_free_cancellation_issues_nothing(client, card_pm):
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=3)))
    f.pay(client, booking, card_pm(CARD_OK).id)
    api(client, "POST", f"/api/v1/bookings/{booking['id']}/cancel", token=booking["client_token"])
    assert _invoices(client, prov) == []


def test_refund_issues_a_credit_note_referring_to_the_invoice(client, card_pm, outbox, year):
    prov, booking, body = _ended(client, card_pm, minutes=15)
    payment_id = body["payments"][0]["id"]
    outbox.clear()
    status, _ = api(client, "POST", f"/api/v1/payments/{payment_id}/refund",
                    json={"amount_minor": 400, "reason": "short call"}, token=prov["token"])
    assert status == 201
    invoice, note = _invoices(client, prov)
    assert (note["kind"], note["number"], note["ttc_minor"]) == ("credit_note",
                                                                  f"{year}-000002", 400)
    assert note["credited_number"] == invoice["number"] == f"{year}-000001"
    assert note["booking_id"] == booking["id"] and note["payment_id"] == payment_id
    [mail] = outbox.to(CLIENT)
    assert list(_pdfs(mail)) == [f"credit-note-{year}-000002.pdf"]
    assert invoice["number"] in mail.get_body(("plain",)).get_content()
    # the rest, refunded later: a second credit note, its own number
    api(client, "POST", f"/api/v1/payments/{payment_id}/refund", json={}, token=prov["token"])
    notes = [i for i in _invoices(client, prov) if i["kind"] == "credit_note"]
    assert [(n["number"], n["ttc_minor"]) for n in notes] == [
        (f"{year}-000002", 400), (f"{year}-000003", 1100)]


def test_refund_made_in_the_stripe_dashboard_gets_its_credit_note(app, client, card_pm,
                                                                  stripe_raw, year):
    prov, _booking, body = _ended(client, card_pm, minutes=15)
    pi_id = body["payments"][0]["stripe_payment_intent_id"]
    stripe_raw.v1.refunds.create(params={"payment_intent": pi_id, "amount": 600})
    obj = {"id": "ch_x", "object": "charge", "payment_intent": pi_id}
    secret = app.config["STRIPE_WEBHOOK_SECRET"]
    for _ in range(2):  # a duplicate delivery credits nothing more
        assert deliver(client, event("charge.refunded", obj), secret).status_code == 200
    notes = [i for i in _invoices(client, prov) if i["kind"] == "credit_note"]
    assert [(n["ttc_minor"], n["credited_number"]) for n in notes] == [(600, f"{year}-000001")]


def test_the_sweep_issues_what_a_crash_left_without_invoice(app, client, card_pm, monkeypatch,
                                                             now):
    import skod.calls.notify

    # the process dies between the capture and the invoice: the receipt goes without one
    monkeypatch.setattr(skod.calls.notify, "documents_for", lambda *a, **k: [])
    prov, booking, _ = _ended(client, card_pm)
    assert _invoices(client, prov) == []
    output = f.tick(app, now)
    assert '"invoices_issued": 1' in output
    [invoice] = _invoices(client, prov)
    assert (invoice["booking_id"], invoice["ttc_minor"], invoice["paid"]) == (booking["id"],
                                                                              1700, True)
    assert '"invoices_issued": 0' in f.tick(app, now)  # never twice


def test_invoice_api_filters_and_access(app, client, card_pm, now):
    prov, booking, _ = _ended(client, card_pm)
    _ended(client, card_pm)  # another provider, another invoice
    other = f.provider(client)
    [mine] = _invoices(client, prov)
    assert _invoices(client, prov, "?paid=true") == [mine]
    assert _invoices(client, prov, "?paid=false") == []
    today = clock.paris_today(now)
    assert _invoices(client, prov, f"?from={today - timedelta(days=1)}&to={today}") == [mine]
    assert _invoices(client, prov, f"?from={today + timedelta(days=2)}") == []
    status, body = api(client, "GET", "/api/v1/invoices?from=yesterday", token=prov["token"])
    assert status == 422 and "from" in str(body["error"])
    assert api(client, "GET", f"/api/v1/invoices/{mine['id']}", token=other["token"])[0] == 404
    assert client.get(f"/api/v1/invoices/{mine['id']}/pdf",
                      headers={"Authorization": f"Bearer {other['token']}"}).status_code == 404
    stranger = f.book(client, prov["offer_id"], f.start_in(timedelta(days=2)),
                      email="other@example.test")
    assert api(client, "GET", f"/api/v1/invoices/{mine['id']}",
               token=stranger["client_token"])[0] == 404
    assert api(client, "GET", "/api/v1/invoices")[0] == 401


def test_csv_export_of_a_period(app, client, card_pm, tmp_path, monkeypatch, now, year):
    from skod.invoicing import export

    monkeypatch.setattr(export, "CHUNK", 1)  # every row from its own read: order kept across
    prov, _booking, body = _ended(client, card_pm, minutes=15)
    api(client, "POST", f"/api/v1/payments/{body['payments'][0]['id']}/refund",
        json={"amount_minor": 250}, token=prov["token"])
    today = clock.paris_today(now)
    out = tmp_path / "export.csv"
    result = app.test_cli_runner().invoke(args=[
        "skod", "invoices", "export", "--from", str(today - timedelta(days=1)),
        "--to", str(today + timedelta(days=1)), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 invoices exported" in result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(r["number"], r["kind"], r["ttc"], r["credited_number"]) for r in rows] == [
        (f"{year}-000001", "invoice", "15.00", ""),
        (f"{year}-000002", "credit_note", "-2.50", f"{year}-000001")]
    empty = app.test_cli_runner().invoke(args=[
        "skod", "invoices", "export", "--from", "2020-01-01", "--to", "2020-12-31"])
    assert empty.exit_code == 0 and empty.output.splitlines()[0].startswith("provider_id,")


def test_provider_is_told_what_invoices_still_miss(client):
    status, _ = api(client, "POST", "/api/v1/providers", json={
        "email": "bare@example.test", "password": "kiwi-falcon-2291", "name": "Bare",
        "slug": "bare", "timezone": "Europe/Paris"})
    assert status == 201
    token = api(client, "POST", "/api/v1/auth/tokens",
                json={"email": "bare@example.test", "password": "kiwi-falcon-2291"})[1]["token"]
    me = api(client, "GET", "/api/v1/me", token=token)[1]
    assert set(me["missing_legal"]) == {"company_name", "legal_form", "siren", "address", "vat",
                                        "mediator"}
    status, me = api(client, "PATCH", "/api/v1/me", token=token, json={"legal": {
        "company_name": "Bare SAS", "legal_form": "SAS", "siren": "732829320",
        "address": "1 rue Haute, 75001 Paris", "vat_rate_bp": 2000,
        "mediator": "CM2C, www.cm2c.net"}})
    # a company (SAS) also prints its register and share capital (R123-237, R123-238)
    assert status == 200 and me["missing_legal"] == ["vat_number", "registry", "registry_city",
                                                     "share_capital"]
    status, me = api(client, "PATCH", "/api/v1/me", token=token, json={"legal": {
        "registry": "rcs", "registry_city": "Paris", "share_capital_minor": 1_000_000}})
    assert status == 200 and me["missing_legal"] == ["vat_number"]
    # one VAT regime at a time: the franchise mention alone ends the rate
    status, me = api(client, "PATCH", "/api/v1/me", token=token, json={"legal": {
        "vat_exempt_mention": "TVA non applicable, art. 293 B du CGI"}})
    assert status == 200 and me["missing_legal"] == []
    assert (me["legal"]["vat_rate_bp"], me["legal"]["vat_exempt_mention"]) == (
        None, "TVA non applicable, art. 293 B du CGI")
    for bad in ({"vat_rate_bp": 20.5}, {"vat_rate_bp": 0}, {"vat_number": "44732829320"}):
        status, body = api(client, "PATCH", "/api/v1/me", token=token, json={"legal": bad})
        assert status == 422 and next(iter(bad)) in str(body["error"]), bad
    # numbers typed with spaces and dots are the same numbers
    status, me = api(client, "PATCH", "/api/v1/me", token=token, json={"legal": {
        "siren": "732 829 320", "vat_number": "fr 44-732.829.320"}})
    assert status == 200
    assert (me["legal"]["siren"], me["legal"]["vat_number"]) == ("732829320", "FR44732829320")


def test_the_sweep_credits_a_refund_left_without_its_credit_note(app, client, card_pm,
                                                                 monkeypatch, now):
    from skod.payments import hooks

    monkeypatch.setattr(hooks, "_ON_REFUND", [])  # the process died right after the refund
    prov, _booking, body = _ended(client, card_pm, minutes=15)
    api(client, "POST", f"/api/v1/payments/{body['payments'][0]['id']}/refund",
        json={"amount_minor": 300}, token=prov["token"])
    assert [i["kind"] for i in _invoices(client, prov)] == ["invoice"]
    assert '"credit_notes_issued": 1' in f.tick(app, now)
    invoice, note = _invoices(client, prov)
    assert (note["kind"], note["ttc_minor"], note["credited_number"]) == (
        "credit_note", 300, invoice["number"])
    assert '"credit_notes_issued": 0' in f.tick(app, now)


def test_the_sweep_marks_paid_an_invoice_whose_payment_went_through_later(app, client, card_pm,
                                                                         monkeypatch, now):
    import skod.calls.notify
    from skod.invoicing import ledger

    monkeypatch.setattr(skod.calls.notify, "documents_for", lambda *a, **k: [])
    prov, booking, _ = _ended(client, card_pm)
    with app.app_context():  # issued while the capture still looked failed
        from skod.calls.models import Booking
        from skod.extensions import db

        row = db.session.get(Booking, booking["id"])
        ledger.issue(ledger.IssueSpec(
            provider_id=row.provider_id, client_id=row.client_id, source=f"booking:{row.id}",
            lines=[("call", 1700)], now=now, currency="EUR",
            links={"booking_id": row.id}))
    [unpaid] = _invoices(client, prov)
    assert unpaid["paid"] is False
    assert '"invoices_marked_paid": 1' in f.tick(app, now)
    [paid] = _invoices(client, prov)
    assert (paid["id"], paid["paid"], paid["number"]) == (unpaid["id"], True, unpaid["number"])


def test_a_business_client_must_give_its_company_and_address(client):
    prov = f.provider(client)
    status, body = api(client, "POST", "/api/v1/bookings", json={
        "offer_id": prov["offer_id"], "start_at": f.start_in(timedelta(days=1)).isoformat(),
        "accept_terms": True, "client": {"email": CLIENT, "name": "Alex", "kind": "business"}})
    assert status == 422
    assert set(body["error"]["fields"]["client"]) == {"company_name", "address"}
    status, _ = api(client, "GET", "/api/v1/bookings", token=prov["token"])
    assert _ == []  # nothing booked


def test_a_broken_invoice_never_breaks_the_delivery_or_the_refund(app, client, card_pm, outbox,
                                                                  monkeypatch, now):
    from skod.invoicing import ledger

    real_issue = ledger.issue

    def broken(spec):  # noqa: ANN001, ANN202
        raise RuntimeError("invoicing is down")

    monkeypatch.setattr(ledger, "issue", broken)
    prov, _booking, body = _ended(client, card_pm, minutes=15)  # End answered 200 all the same
    [receipt] = _receipts(outbox)  # the receipt went, without the PDF
    assert _pdfs(receipt) == {}
    status, refund = api(client, "POST", f"/api/v1/payments/{body['payments'][0]['id']}/refund",
                         json={"amount_minor": 200}, token=prov["token"])
    assert status == 201 and refund["status"] == "succeeded"
    assert _invoices(client, prov) == []
    monkeypatch.setattr(ledger, "issue", real_issue)
    output = f.tick(app, now)  # invoicing back: the sweep issues both documents
    assert '"invoices_issued": 1' in output and '"credit_notes_issued": 1' in output
    assert [(i["kind"], i["ttc_minor"]) for i in _invoices(client, prov)] == [
        ("invoice", 1500), ("credit_note", 200)]
