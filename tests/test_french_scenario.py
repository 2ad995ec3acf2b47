"""French as a person writes it, across a whole scenario (#23 point 6, acceptance): a paid call,
a paid answer, a project whose milestone charge fails and the debt walked to J+45 with its
registered letter; every e-mail sent and every page of the scenario (the client's and the
provider's), in French, read for an English word, an ISO date, an amount in cents and a
":" ";" "?" "!" without its narrow no-break space (tests/french_scenario_support.py).

The amounts are chosen so that their minor units ("4150", "1370", "7350") are no year, no hour
and no other figure of the pages: seen anywhere, they are an amount written in cents.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

from pypdf import PdfReader

from skod.dunning.debts.models import Receivable
from skod.extensions import db
from tests import factories as f
from tests.formal_notice_support import paris_day, set_client_identity, walk_to_notice
from tests.french_scenario_support import mail_text, page_text, problems
from tests.support.api import api
from tests.support.dunning import at_offset, debt_facts, declined_debts
from tests.support.stripe_helpers import CARD_OK
from tests.test_dunning_walk import _post_letter

CALL, ANSWER, MILESTONE = 4150, 1370, 7350
CENTS = (CALL, ANSWER, MILESTONE)
PASSWORD = "kiwi-falcon-2291"


def _provider_pages(app, prov: dict, paths: list[str]) -> dict[str, str]:
    """The provider's pages in French, through a session of their own."""
    browser = app.test_client()
    assert browser.post("/login", data={"email": prov["email"], "password": PASSWORD}
                        ).status_code == 302
    return {path: _get(browser, path + ("&" if "?" in path else "?") + "lang=fr")
            for path in paths}


def _get(browser, path: str) -> str:  # noqa: ANN001 - a Flask test client
    resp = browser.get(path)
    assert resp.status_code == 200, (path, resp.status_code)
    return page_text(resp.get_data(as_text=True))


def _call(app, client, card_pm) -> tuple[dict, dict]:
    """A flat 41,50 € call booked, held, started and ended: its client and provider pages."""
    prov = f.provider(client, pricing="flat", price={"amount_minor": CALL, "currency": "EUR"},
                      duration_minutes=30)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)),
                     email="appel@example.test")
    assert f.pay(client, booking, card_pm(CARD_OK).id) == {"status": "held"}
    path = f"/api/v1/bookings/{booking['id']}"
    assert api(client, "POST", f"{path}/start", token=prov["token"])[0] == 200
    assert api(client, "POST", f"{path}/end", json={"minutes": 30}, token=prov["token"])[0] == 200
    pages = {"client booking": _get(client, f"/b/{booking['id']}/{booking['client_token']}"
                                            "?lang=fr")}
    pages |= _provider_pages(app, prov, ["/dashboard", "/dashboard/offers", "/invoices"])
    return prov, pages


def _answer(app, client, card_pm) -> dict:
    """A 13,70 € question, held, answered (captured, then delivered): both sides' pages."""
    prov = f.provider(client)
    status, offer = api(client, "POST", "/api/v1/offers", token=prov["token"], json={
        "kind": "message", "title": "Question fiscale",
        "price": {"amount_minor": ANSWER, "currency": "EUR"}})
    assert status == 201, offer
    status, message = api(client, "POST", "/api/v1/messages", json={
        "offer_id": offer["id"], "body": "Puis-je déduire la TVA de ma voiture", "accept_terms":
        True, "client": {"email": "question@example.test", "name": "Sam Martin",
                         "kind": "consumer", "locale": "fr",
                         "address": "3 rue des Lilas\n75011 Paris"}})
    assert status == 201, message
    status, out = api(client, "POST", f"/api/v1/messages/{message['id']}/payment-method",
                      json={"payment_method": card_pm(CARD_OK).id},
                      token=message["client_token"])
    assert status == 200 and out == {"status": "held"}, out
    status, replied = api(client, "POST", f"/api/v1/messages/{message['id']}/reply",
                          json={"body": "Seulement pour un véhicule utilitaire"},
                          token=prov["token"])
    assert status == 200, replied
    pages = {"client answer": _get(client, f"/m/{message['id']}/{message['client_token']}"
                                           "?lang=fr")}
    return pages | _provider_pages(app, prov, ["/inbox", f"/inbox/{message['id']}"])


def _debt(app, client, card_pm, stripe_emulator) -> dict:
    """A business client's 73,50 € milestone refused, the debt walked to J+45 with its letter
    posted: the project's, the case's and the pay page's pages."""
    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator,
                                          kind="business", milestones=(("Site", MILESTONE),))
    set_client_identity(app, rid)
    t3 = walk_to_notice(app, rid)
    _post_letter(app, rid, paris_day(t3))
    f.tick(app, at_offset(debt_facts(app, rid)["due"], 45, t3))
    pages = {"client project": _get(client, f"/pr/{project['id']}/{project['client_token']}"
                                            "?lang=fr")}
    with app.app_context():
        client_id = db.session.get(Receivable, rid).client_id
    return pages | _provider_pages(app, prov, [f"/dashboard/clients/{client_id}",
        "/projects", f"/projects/{project['id']}", "/dashboard/receivables",
        f"/dashboard/receivables/{rid}", "/dashboard/reminders", "/dashboard/penalties",
        "/invoices", "/projects/new"])


def _refusals(app, client, prov: dict) -> dict:
    """What a French client and provider read when they type wrong: the booking API's field
    messages (marshmallow's, "Length must be between 1 and 200." in English before #23) and
    the offer form's, each on its field."""
    status, body = api(client, "POST", "/api/v1/bookings", headers={"Accept-Language": "fr"},
                       json={"offer_id": prov["offer_id"], "accept_terms": False,
                             "start_at": f.start_in(timedelta(days=2)).isoformat(),
                             "client": {"email": "pas-une-adresse", "name": "x" * 201,
                                        "kind": "consumer"}})
    fields = body["error"]["fields"]
    assert status == 422 and {"email", "name"} <= set(fields["client"]), body
    browser = app.test_client()
    browser.post("/login", data={"email": prov["email"], "password": PASSWORD})
    browser.get("/dashboard/offers?lang=fr")
    html = browser.post("/dashboard/offers", data={
        "offer-kind": "call", "offer-title": "Trop cher", "offer-pricing": "flat",
        "offer-duration_minutes": "30", "offer-price": "2000000", "offer-currency": "EUR",
        "offer-minimum_minutes": "0", "offer-late_cancel_fee_percent": "50"}
                        ).get_data(as_text=True)
    said = page_text(html)
    assert "Trop cher" in html and "price" not in said, said  # on its field, no raw name
    return {"booking API refusal": "\n".join(str(m) for m in _messages(fields)),
            "offer form refusal": said}


def _messages(fields: object) -> list:
    if isinstance(fields, dict):
        return [m for value in fields.values() for m in _messages(value)]
    return list(fields) if isinstance(fields, list) else [fields]


def _client_links(client, mails: list) -> dict:
    """The pages the e-mails send the clients to: the pay page (and its promise form sent
    with a day that is no date: the example it gives), each invoice (a PDF)."""
    text = "\n".join(mail_text(mail) for mail in mails)
    pays = sorted(set(re.findall(r"/pay/\d+/[\w.-]+", text)))
    invoices = sorted(set(re.findall(r"/i/\d+/[\w.-]+", text)))
    assert pays and invoices, "no pay or invoice link in the e-mails"
    pages = {"pay page": _get(client, pays[0] + "?lang=fr")}
    refused = client.post(pays[0] + "/promise", data={"day": "bientôt"})
    assert refused.status_code == 422
    pages["pay page, promise refused"] = page_text(refused.get_data(as_text=True))
    assert "par exemple" in pages["pay page, promise refused"]
    return pages | {f"invoice PDF {link}": _pdf(client, link) for link in invoices}


def _pdf(client, link: str) -> str:  # noqa: ANN001 - a Flask test client
    resp = client.get(link)
    assert resp.status_code == 200 and resp.mimetype == "application/pdf", link
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(resp.data)).pages)


def _public(client, prov: dict) -> dict:
    """The call provider's public page and booking page, as a French visitor sees them."""
    slug = prov["email"].split("@")[0].replace("provider", "provider-")
    return {"public page": _get(client, f"/p/{slug}?lang=fr"),
            "booking page": _get(client, f"/p/{slug}/o/{prov['offer_id']}?lang=fr")}


def test_every_page_and_e_mail_of_the_scenario_reads_as_french(app, client, card_pm,
                                                                 stripe_emulator, outbox,
                                                                 start_any_time):
    prov, pages = _call(app, client, card_pm)
    pages |= _refusals(app, client, prov) | _public(client, prov)
    pages |= _answer(app, client, card_pm)
    pages |= _debt(app, client, card_pm, stripe_emulator)
    mails = outbox.messages()
    pages |= _client_links(client, mails)
    texts = {name: text for name, text in pages.items()}
    texts |= {f"mail {i} to {m['To']}: {m['Subject']}": mail_text(m)
              for i, m in enumerate(mails)}
    assert len(mails) >= 10 and len(pages) >= 15
    found = {name: p for name, text in texts.items() if (p := problems(text, CENTS))}
    assert found == {}, "\n".join(f"{name}:\n  " + "\n  ".join(p) for name, p in found.items())
