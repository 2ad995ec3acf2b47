"""Issue 20 point 5, the consumer's address: a consumer's mise en demeure goes by registered
mail, so without the client's postal address the step waits (no letter is made or sent), the
provider is asked once (case page banner, one e-mail, not one per sweep) and the ladder resumes
when the address is filled in through the API or the client page; the client API takes a
public body and refuses bad details."""

from __future__ import annotations

from datetime import timedelta

from skod.dunning.debts.document_models import MiseEnDemeure
from skod.dunning.debts.models import DunningStep, Receivable
from skod.extensions import db
from tests import factories as f
from tests.formal_notice_support import notice_of, notice_pdf, pdf_words
from tests.support import clock
from tests.support.api import api
from tests.support.dunning import at_offset, debt_facts, declined_debts, walk, working_hour


def _later() -> str:
    return clock.paris_day(clock.current(), 21).isoformat()


def _client_id(app, rid: int) -> int:
    with app.app_context():
        return db.session.get(Receivable, rid).client_id


def _case(app, rid: int) -> tuple[str, str | None, int | None]:
    with app.app_context():
        r = db.session.get(Receivable, rid)
        return r.status, r.pause_reason, r.last_step


def _letters(app) -> int:
    with app.app_context():
        return db.session.query(MiseEnDemeure).count()


def _asked(outbox, prov: dict) -> list:
    return [m for m in outbox.to(prov["email"]) if "postal address" in str(m["Subject"])
            or "adresse postale" in str(m["Subject"])]


def test_a_consumer_without_an_address_waits_for_it(app, client, card_pm, stripe_emulator,
                                                    outbox):
    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator,
                                          kind="consumer")
    cid = _client_id(app, rid)
    status, body = api(client, "PATCH", f"/api/v1/clients/{cid}", token=prov["token"],
                       json={"address": None})
    assert status == 200 and body["address"] is None, body
    t2 = walk(app, rid)[-1]
    due = debt_facts(app, rid)["due"]
    to_client = len(outbox.to(project["email"]))
    t3 = at_offset(due, 30, t2)
    f.tick(app, t3)
    # no letter made nor sent; the step is given back; the case waits
    assert _letters(app) == 0 and len(outbox.to(project["email"])) == to_client
    assert _case(app, rid) == ("paused", "address", 2)
    with app.app_context():
        assert db.session.query(DunningStep).filter_by(receivable_id=rid, step=3).count() == 0
    assert len(_asked(outbox, prov)) == 1
    for days in (1, 2, 5):  # later sweeps ask no more
        f.tick(app, t3 + timedelta(days=days))
    assert len(_asked(outbox, prov)) == 1 and _letters(app) == 0
    status, case = api(client, "GET", f"/api/v1/receivables/{rid}", token=prov["token"])
    assert case["status"] == "paused" and case["pause"]["reason"] == "address", case
    # the provider may not resume it by hand while the address is missing
    status, body = api(client, "POST", f"/api/v1/receivables/{rid}/resume",
                       token=prov["token"], json={})
    assert status == 409 and "address" in str(body["error"]), body
    # the address, filled through the API: the case resumes, the letter goes once
    status, body = api(client, "PATCH", f"/api/v1/clients/{cid}", token=prov["token"],
                       json={"address": "8 rue Victor Hugo\n69002 Lyon"})
    assert status == 200, body
    assert _case(app, rid)[0:2] == ("open", None)
    t4 = working_hour(t3 + timedelta(days=6))
    f.tick(app, t4)
    f.tick(app, t4 + timedelta(hours=1))
    notice = notice_of(app, rid)
    assert notice is not None and notice["status"] == "sent" and _letters(app) == 1
    letter = outbox.to(project["email"])[-1]
    assert len(outbox.to(project["email"])) == to_client + 1
    assert "8 rue Victor Hugo" in pdf_words(notice_pdf(letter))
    print(f"asked {len(_asked(outbox, prov))} time(s) over 4 sweeps; letter "
          f"{notice['id']} sent after the address, at {t4.isoformat()}")


def test_the_client_page_fills_the_address_and_the_banner_goes(app, client, card_pm,
                                                               stripe_emulator, outbox):
    prov, _project, [rid] = declined_debts(app, client, card_pm, stripe_emulator,
                                           kind="consumer")
    cid = _client_id(app, rid)
    api(client, "PATCH", f"/api/v1/clients/{cid}", token=prov["token"], json={"address": ""})
    t2 = walk(app, rid)[-1]
    f.tick(app, at_offset(debt_facts(app, rid)["due"], 30, t2))
    assert _case(app, rid)[1] == "address"
    page = app.test_client()
    page.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    case_page = page.get(f"/dashboard/receivables/{rid}?lang=en").get_data(as_text=True)
    assert "data-address-needed" in case_page and f"/dashboard/clients/{cid}#details" in case_page
    client_page = page.get(f"/dashboard/clients/{cid}")
    assert client_page.status_code == 200 and 'name="address"' in client_page.get_data(True)
    form = {"name": "Dana Buyer", "kind": "consumer", "trade_register": "",
            "address": "8 rue Victor Hugo\n69002 Lyon"}
    for bad in ({"name": ""}, {"kind": "alien"}, {"siren": "12"}):
        resp = page.post(f"/dashboard/clients/{cid}", data=form | bad)
        assert resp.status_code == 422 and _case(app, rid)[1] == "address", bad
    done = page.post(f"/dashboard/clients/{cid}", data=form)
    assert done.status_code == 302
    assert _case(app, rid)[0:2] == ("open", None)
    after = page.get(f"/dashboard/receivables/{rid}").get_data(as_text=True)
    assert "data-address-needed" not in after


def test_the_client_api_takes_a_public_body_and_refuses_bad_details(app, client):
    prov = f.provider(client)
    status, project = api(client, "POST", "/api/v1/projects", token=prov["token"], json={
        "client": {"email": "mairie@example.test", "name": "Service financier",
                   "kind": "public", "company_name": "Mairie de Brume",
                   "address": "1 place de la Mairie\n69500 Bron"},
        "title": "Site", "currency": "EUR", "deposit_percent": 0, "approval": "none",
        "milestones": [{"title": "Build", "amount_minor": 5000, "expected_on": _later()}]})
    assert status == 201, project
    from skod.accounts.models import Client

    with app.app_context():
        row = db.session.query(Client).filter_by(email="mairie@example.test").one()
        assert (row.kind, row.company_name) == ("public", "Mairie de Brume")
        cid = row.id
    url = f"/api/v1/clients/{cid}"
    for bad in ({"kind": "state"}, {"registry": "rcs-paris"}, {"siren": "12"}, {},
                {"address": "x" * 501}):
        status, body = api(client, "PATCH", url, token=prov["token"], json=bad)
        assert status == 422, (bad, body)
    status, body = api(client, "PATCH", url, token=prov["token"],
                       json={"kind": "business", "legal_form": "SCI", "registry": "rcs"})
    assert status == 200 and (body["kind"], body["legal_form"], body["registry"]) == (
        "business", "SCI", "rcs")
    stranger = f.provider(client)
    assert api(client, "PATCH", url, token=stranger["token"], json={"name": "X"})[0] == 404
    assert api(client, "GET", url, token=stranger["token"])[0] == 404
    # a public body without a name is refused, as a business is
    status, body = api(client, "POST", "/api/v1/projects", token=prov["token"], json={
        "client": {"email": "other@example.test", "name": "X", "kind": "public"},
        "title": "Site", "currency": "EUR", "deposit_percent": 0, "approval": "none",
        "milestones": [{"title": "Build", "amount_minor": 5000, "expected_on": _later()}]})
    assert status == 422 and "company_name" in str(body["error"]), body
