"""Invoice pages: the provider's list (filters, CSV, PDF) through the Flask test client, the
client's downloads behind the signed links of bookings, messages and projects, and the list in
headless Chromium at a phone width."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from skod.accounts.models import Provider
from skod.extensions import db
from skod.invoicing.models import Invoice
from tests import factories as f
from tests.invoice_support import credit, issue, make_client
from tests.support.browser import log_in
from tests.test_messages_api import ask, message_provider
from tests.test_projects_api import new_project

JAN, FEB, MAR = (datetime(2026, month, 15, 10, tzinfo=UTC) for month in (1, 2, 3))
PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp/shots")


def _login(client, prov: dict) -> None:
    resp = client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    assert resp.status_code == 302


def _provider_id(app, prov: dict) -> int:
    with app.app_context():
        return db.session.scalar(select(Provider.id).where(Provider.email == prov["email"]))


def _issue(app, provider_id: int, amount: int, *, paid: bool = True, now: datetime = MAR,
           **links: int) -> dict:
    """An invoice of a new client; `links` (booking_id=...) tie it to a client page."""
    with app.app_context():
        invoice = issue(provider_id, make_client(provider_id), amount, paid=paid, now=now)
        for column, value in links.items():
            setattr(invoice, column, value)
        db.session.commit()
        return {"id": invoice.id, "number": invoice.number}


def _shown(client, query: str = "") -> set[int]:
    resp = client.get(f"/invoices{query}")
    assert resp.status_code == 200
    return {int(i) for i in re.findall(r'data-invoice="(\d+)"', resp.get_data(as_text=True))}


def _is_pdf(resp, number: str) -> None:
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.data.startswith(b"%PDF")
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and f"invoice-{number}.pdf" in disposition


def test_list_filters_by_status_and_period(app, client):
    prov = f.provider(client)
    pid = _provider_id(app, prov)
    jan = _issue(app, pid, 12000, now=JAN)
    feb = _issue(app, pid, 4500, paid=False, now=FEB)
    mar = _issue(app, pid, 9000, now=MAR)
    _login(client, prov)
    page = client.get("/invoices").get_data(as_text=True)
    assert all(i["number"] in page for i in (jan, feb, mar)) and "120,00\xa0€" in page
    assert f'href="/invoices/{jan["id"]}/pdf"' in page
    assert _shown(client) == {jan["id"], feb["id"], mar["id"]}
    assert _shown(client, "?status=paid") == {jan["id"], mar["id"]}
    assert _shown(client, "?status=unpaid") == {feb["id"]}
    assert _shown(client, "?status=all&since=2026-02-01&until=2026-02-28") == {feb["id"]}
    assert _shown(client, "?status=paid&since=2026-02-01") == {mar["id"]}
    assert _shown(client, "?until=31/01/2026") == {jan["id"]}  # a date typed by hand
    assert _shown(client, "?status=paid&until=2026-02-28") == {jan["id"]}
    csv = client.get("/invoices.csv?status=unpaid")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).strip().splitlines()
    assert len(lines) == 2 and feb["number"] in lines[1] and ",45.00," in lines[1]


def test_credit_notes_are_listed_negative(app, client):
    prov = f.provider(client)
    pid = _provider_id(app, prov)
    with app.app_context():
        note = credit(db.session.get(Invoice, _issue(app, pid, 9000)["id"]), 3000)
        note_id = note.id
    _login(client, prov)
    page = client.get("/invoices?lang=en").get_data(as_text=True)
    row = page.split(f'data-invoice="{note_id}"', 1)[1].split("</tr>", 1)[0]
    assert "Credit note" in row and "-€30.00" in row


def test_bad_filters_give_a_message_not_an_error(app, client):
    prov = f.provider(client)
    only = _issue(app, _provider_id(app, prov), 5000)
    assert client.get("/invoices").status_code == 302  # to the login page
    _login(client, prov)
    bad = client.get("/invoices?lang=en&since=2026-13-45")
    assert bad.status_code == 200 and "Not a valid date value." in bad.get_data(as_text=True)
    assert _shown(client, "?since=2026-13-45") == {only["id"]}  # the bad date is left out
    reversed_ = client.get("/invoices?since=2026-03-01&until=2026-02-01").get_data(as_text=True)
    assert "The end date is before the start date." in reversed_
    assert 'id="no-invoice"' in reversed_
    assert _shown(client, "?status=bogus") == {only["id"]}
    assert client.get("/invoices.csv?since=nonsense").status_code == 200


def test_another_provider_sees_none_and_gets_404(app, client):
    owner = f.provider(client)
    mine = _issue(app, _provider_id(app, owner), 9000)
    other = f.provider(client)
    _login(client, other)
    assert _shown(client) == set()
    assert client.get(f"/invoices/{mine['id']}/pdf").status_code == 404
    assert client.get("/invoices/999999/pdf").status_code == 404
    assert len(client.get("/invoices.csv").get_data(as_text=True).strip().splitlines()) == 1
    client.post("/logout")
    _login(client, owner)
    _is_pdf(client.get(f"/invoices/{mine['id']}/pdf"), mine["number"])


def test_client_links_open_only_their_own_invoices(app, client):
    prov = message_provider(client)
    pid = _provider_id(app, prov)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=2)))
    other_booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=3)),
                           email="someone@example.test")
    message = ask(client, prov)
    project = new_project(client, prov)
    pages = {
        "booking": (booking, f"/b/{booking['id']}/{booking['client_token']}"),
        "message": (message, f"/m/{message['id']}/{message['client_token']}"),
        "project": (project, f"/pr/{project['id']}/{project['client_token']}"),
    }
    invoices = {kind: _issue(app, pid, 2000 + n, **{f"{kind}_id": obj["id"]})
                for n, (kind, (obj, _url)) in enumerate(pages.items())}
    for kind, (obj, url) in pages.items():
        mine, token = invoices[kind], obj["client_token"]
        page = client.get(url).get_data(as_text=True)
        assert mine["number"] in page and f'href="/i/{mine["id"]}/{token}"' in page
        assert all(i["number"] not in page for k, i in invoices.items() if k != kind)
        _is_pdf(client.get(f"/i/{mine['id']}/{token}"), mine["number"])
        for other_kind, other in invoices.items():
            if other_kind != kind:  # the token of another object opens nothing
                assert client.get(f"/i/{other['id']}/{token}").status_code == 404
    inv = invoices["booking"]["id"]
    assert client.get(f"/i/{inv}/{other_booking['client_token']}").status_code == 404
    assert client.get(f"/i/{inv}/forged").status_code == 404
    assert client.get(f"/i/999999/{booking['client_token']}").status_code == 404
    empty = client.get(f"/b/{other_booking['id']}/{other_booking['client_token']}")
    assert empty.status_code == 200 and 'id="invoices"' not in empty.get_data(as_text=True)


@pytest.mark.browser
def test_invoice_list_fits_a_phone(app, browser_page, client):
    prov = f.provider(client)
    pid = _provider_id(app, prov)
    for n, (when, paid) in enumerate(((JAN, True), (FEB, False), (MAR, True))):
        _issue(app, pid, 123456 + n, paid=paid, now=when)
    page = browser_page
    page.set_viewport_size(PHONE)
    log_in(page, prov["email"])
    page.goto("/invoices")
    expect(page.locator("#invoice-filters")).to_be_visible()
    expect(page.locator("#invoices")).to_be_visible()
    expect(page.locator("#invoices tbody tr")).to_have_count(3)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "invoices.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.select_option("#status", "unpaid")
    page.locator("#invoice-filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"status=unpaid"))
    expect(page.locator("#invoices tbody tr")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
