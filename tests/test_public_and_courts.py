"""Issue 20 points 3 and 4: a public buyer entered through the API is chased at ECB + 8 points
of the half-year in which interest started, for the whole delay, with 40 EUR per invoice, and
its recourse file goes to the tribunal administratif (référé-provision, mandatement d'office);
a business debtor's court follows its legal form and register (SCI, association, profession
libérale: tribunal judiciaire; SAS: tribunal de commerce, the TAE by name in its seat); the
provider can take another route, its reason kept in the file and on the timeline."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest

from skod.dunning.owed import rates
from skod.dunning.recourse import archive as recourse_archive
from skod.dunning.recourse import services as recourse
from skod.dunning.rules.penalties import compute, half_of
from skod.extensions import db
from tests import factories as f
from tests.formal_notice_support import paris_day
from tests.support.api import api
from tests.support.dunning import (
    PARIS,
    assert_in_both,
    at_offset,
    debt_facts,
    declined_debts,
    money,
    parts,
    penalties_to,
    walk,
)
from tests.test_dunning_provider_api import business_morning, provider_id
from tests.test_dunning_recourse import (
    cash,
    debt_at_step_three,
    file_of,
    get_zip,
    pdf_words,
)


def _file_body(client, token: str, file_id: int) -> dict:
    status, body = api(client, "GET", f"/api/v1/recourse-files/{file_id}", token=token)
    assert status == 200, body
    return body


def test_public_buyer_walked_to_its_recourse_file(app, client, card_pm, stripe_emulator,
                                                   outbox):
    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator, kind="public")
    assert debt_facts(app, rid)["kind"] == "public"
    t2 = walk(app, rid)[-1]
    debt = debt_facts(app, rid)
    formal = outbox.to(project["email"])[-1]  # J+15
    owed = penalties_to(app, debt, t2.astimezone(PARIS).date())
    start = debt["due"] + timedelta(days=1)
    with app.app_context():
        ecb = rates.table().rate(half_of(start), "ecb_bp").bp
    # one segment: the start half-year's ECB rate + 8 points, for the whole delay
    assert [(s.basis, s.rate_bp, s.start) for s in owed.segments] == [
        ("ecb_plus_8", ecb + 800, start)]
    assert owed.indemnity_minor == 4000
    assert_in_both(formal, "8 points", money(owed.interest_minor, "fr"), money(4000, "fr"))
    assert "10 points" not in parts(formal)[0]
    t3 = at_offset(debt["due"], 30, t2)
    f.tick(app, t3)  # the mise en demeure
    t4 = at_offset(debt["due"], 45, t3)
    f.tick(app, t4)  # the recourse file
    file = file_of(app, rid)
    assert file is not None
    body = _file_body(client, prov["token"], file.id)
    assert body["route"] == "refere_provision" and body["alternatives"] == ["mediation"]
    assert body["court"] is None
    with app.app_context():
        figures = compute(amount_minor=debt["balance"], currency="EUR", due=debt["due"],
                          until=paris_day(t4), client_kind="public", table=rates.table())
        _name, content = recourse_archive.build(recourse.of_receivable(rid), t4)
    assert [s.rate_bp for s in figures.segments] == [ecb + 800]  # still the start's rate
    assert figures.interest_minor > owed.interest_minor and figures.indemnity_minor == 4000
    summary = pdf_words(zipfile.ZipFile(io.BytesIO(content)).read("summary.pdf"))
    for words in ("tribunal administratif", "R541-1", "mandatement d'office", "L1612-15",
                  "80-539", cash(figures.interest_minor), cash(4000),
                  cash(figures.total_minor)):
        assert words in summary, words
    # no commercial court, no injonction de payer offered (the reasons say why not)
    assert "Injonction de payer devant" not in summary and "12946" not in summary
    assert "12948" not in summary
    print(f"public: ECB {ecb} bp + 800 from {start}; J+15 interest {owed.interest_minor}; "
          f"summary at {paris_day(t4)}: interest {figures.interest_minor}, indemnity "
          f"{figures.indemnity_minor}, total {figures.total_minor}")


def _debtor(app, client_id: int, legal_form: str | None, registry: str | None,
            address: str | None = None) -> None:
    from skod.accounts.models import Client

    with app.app_context():
        row = db.session.get(Client, client_id)
        row.legal_form, row.trade_register = legal_form, registry
        if address is not None:
            row.address = address
        db.session.commit()


@pytest.mark.parametrize(("legal_form", "registry", "route", "court", "words"), [
    ("SCI", "rcs", "injonction_judiciaire", "judiciaire", "tribunal judiciaire"),
    ("Association", None, "injonction_judiciaire", "judiciaire", "tribunal judiciaire"),
    ("Profession libérale", None, "injonction_judiciaire", "judiciaire",
     "tribunal judiciaire"),
    ("SAS", "rcs", "injonction_commerce", "commerce",
     "tribunal des activités économiques de Lyon"),
])
def test_the_debtors_form_decides_the_court(app, client, now, legal_form, registry, route,
                                            court, words):
    prov = f.provider(client)
    pid = provider_id(app, prov)
    debt = debt_at_step_three(app, pid, now, amount=600_000, kind="business")
    _debtor(app, debt["client_id"], legal_form, registry)  # the client's seat is in Lyon
    f.tick(app, business_morning(now))
    file = file_of(app, debt["id"])
    body = _file_body(client, prov["token"], file.id)
    assert (body["route"], body["court"]) == (route, court), body
    summary = pdf_words(get_zip(client, prov["token"], file.id).read("summary.pdf"))
    assert words in summary
    if court == "judiciaire":
        assert "12948" in summary and "tribunal de commerce" not in summary
        assert "injonction_commerce" not in body["alternatives"]
    else:
        assert body["tae_seat"] == "Lyon" and "12946" in summary


def test_the_provider_takes_another_route_with_a_reason(app, client, now):
    prov = f.provider(client)
    pid = provider_id(app, prov)
    debt = debt_at_step_three(app, pid, now, amount=600_000, kind="business")
    f.tick(app, business_morning(now))
    file = file_of(app, debt["id"])
    url = f"/api/v1/recourse-files/{file.id}"
    for bad, field in (({"route": "injonction_judiciaire"}, "reason"),
                       ({"route": "court_of_appeal", "reason": "because"}, "route"),
                       ({"route": "mediation", "reason": "x"}, "reason")):
        status, body = api(client, "PATCH", url, token=prov["token"], json=bad)
        assert status == 422 and field in body["error"]["fields"], body
    assert file_of(app, debt["id"]).route == "injonction_commerce"
    reason = "The client signed our terms naming the tribunal judiciaire de Lyon."
    status, body = api(client, "PATCH", url, token=prov["token"],
                       json={"route": "injonction_judiciaire", "reason": reason})
    assert status == 200, body
    assert (body["route"], body["recommended"]) == ("injonction_judiciaire",
                                                    "injonction_commerce")
    assert body["chosen"]["reason"] == reason
    summary = pdf_words(get_zip(client, prov["token"], file.id).read("summary.pdf"))
    assert reason in summary
    status, case = api(client, "GET", f"/api/v1/receivables/{debt['id']}", token=prov["token"])
    chosen = [e for e in case["events"] if e["kind"] == "route_chosen"]
    assert len(chosen) == 1 and chosen[0]["data"]["reason"] == reason
    # the tick after keeps the provider's route
    f.tick(app, business_morning(now) + timedelta(days=1))
    assert file_of(app, debt["id"]).route == "injonction_judiciaire"
    stranger = f.provider(client)
    status, _ = api(client, "PATCH", url, token=stranger["token"],
                    json={"route": "mediation", "reason": "not mine"})
    assert status == 404
