"""Step 4 of the ladder, the recourse file: the sweep opens it at J+45 for a debt that went
through the mise en demeure (rows made here the way step 3 leaves them: its MiseEnDemeure with a
real PDF and tracking data, its step 3 row), tells the provider and sends nothing to the client;
the ZIP holds every listed document and its summary prints the penalty engine's figures; the
route follows the client kind and amount; a debt paid before J+45 gets no file; the insolvency
check refuses bad answers without changing anything; another provider gets 404.

The reminders of steps 0-2 are sent by notify.send_step itself, so the .eml files are real.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from skod.core.clock import utcnow
from skod.core.money import Money
from skod.dunning.debts import store as recv
from skod.dunning.debts.document_models import MiseEnDemeure, RecourseFile
from skod.dunning.debts.models import DunningStep, Receivable
from skod.dunning.owed import rates
from skod.dunning.reminders import notify
from skod.dunning.rules.penalties import compute
from skod.extensions import db
from skod.invoicing.ledger import local_day
from skod.invoicing.queries import filename
from tests import factories as f
from tests.support import clock
from tests.support.api import api
from tests.support.browser import log_in
from tests.test_accessibility import BLOCKING, _axe, _violations, axe_page  # noqa: F401 (fixture)
from tests.test_dunning_provider_api import (
    act,
    business_morning,
    case,
    open_debt,
    provider_id,
)

TRACKING = "1A01234567890"


def debt_at_step_three(app, pid: int, now, *, amount: int, kind: str,
                       client_id: int | None = None, days_late: int = 90) -> dict:
    """An invoice unpaid for 90 days, its reminders 0-2 e-mailed, and its mise en demeure
    sent and posted 9 days ago (the step 3 row points at it): step 4 is due at once."""
    debt = open_debt(app, pid, now, amount=amount, kind=kind, days_late=days_late,
                     client_id=client_id)
    with app.app_context():
        r = db.session.get(Receivable, debt["id"])
        for step in (0, 1, 2):
            message_id = notify.send_step(step, [r.id], now - timedelta(days=40 - 7 * step))
            db.session.add(DunningStep(receivable_id=r.id, step=step, claimed_at=now,
                                       sent_at=now, status="sent", message_id=message_id))
        today = local_day(now, "Europe/Paris")
        notice = MiseEnDemeure(
            provider_id=pid, client_id=r.client_id, client_email=r.client.email.lower(),
            status="sent", created_at=now - timedelta(days=10), issued_on=today - timedelta(10),
            deadline=today - timedelta(days=2), sent_at=now - timedelta(days=10),
            message_id="<notice@example.test>", currency="EUR", total_minor=amount,
            pdf=b"%PDF-1.4\n% a mise en demeure\n%%EOF\n", mail_task="done",
            tracking_number=TRACKING, posted_on=today - timedelta(days=9))
        db.session.add(notice)
        db.session.flush()
        db.session.add(DunningStep(receivable_id=r.id, step=3, claimed_at=now, sent_at=now,
                                   status="sent", channel="letter", notice_id=notice.id))
        r.last_step, r.last_step_at = 3, now - timedelta(days=9)
        recv.schedule(r, now)
        db.session.commit()
        debt.update(notice_id=notice.id, posted_on=notice.posted_on, due=r.due_date,
                    filename=filename(r.invoice), kind=kind)
    return debt


def file_of(app, receivable_id: int) -> RecourseFile | None:
    with app.app_context():
        row = db.session.scalar(select(RecourseFile).join(
            DunningStep, DunningStep.recourse_id == RecourseFile.id).where(
            DunningStep.receivable_id == receivable_id))
        if row is not None:
            db.session.expunge(row)
        return row


def get_zip(client, token: str, file_id: int) -> zipfile.ZipFile:
    resp = client.get(f"/api/v1/recourse-files/{file_id}.zip",
                      headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(resp.data))


def pdf_words(content: bytes) -> str:
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"[\s\u202f\xa0]+", " ", text)


def cash(minor: int, locale: str = "fr") -> str:
    return re.sub(r"[\s\u202f\xa0]+", " ", Money(minor, "EUR").format(locale))


def expected(app, debt: dict, provider_tz: str = "Europe/Paris"):
    """The penalty engine's figures as of today (the ZIP is made now, on the real clock)."""
    with app.app_context():
        return compute(amount_minor=debt["amount"], currency="EUR", due=debt["due"],
                       until=local_day(utcnow(), provider_tz), client_kind=debt["kind"],
                       table=rates.table(),
                       mise_en_demeure_on=debt["posted_on"] if debt["kind"] == "consumer"
                       else None)


def test_business_file_has_every_document_and_the_engines_figures(app, client, outbox, now):
    prov = f.provider(client)
    pid = provider_id(app, prov)
    debt = debt_at_step_three(app, pid, now, amount=120_000, kind="business")
    debt["amount"] = 120_000
    assert len(outbox.to(debt["email"])) == 3
    f.tick(app, business_morning(now))
    assert len(outbox.to(debt["email"])) == 3  # nothing goes to the client at step 4
    told = outbox.to(prov["email"])[-1]
    assert "recourse" in str(told["Subject"]).lower() or "recours" in str(told["Subject"])
    file = file_of(app, debt["id"])
    assert file is not None and file.route == "small_claims" and file.status == "open"
    with app.app_context():
        row = db.session.scalar(select(DunningStep).where(
            DunningStep.receivable_id == debt["id"], DunningStep.step == 4))
        assert (row.status, row.channel, row.recourse_id) == ("sent", "file", file.id)
    status, body = api(client, "GET", f"/api/v1/recourse-files/{file.id}", token=prov["token"])
    assert status == 200 and body["route"] == "small_claims", body
    assert body["alternatives"] == ["injonction_commerce", "mediation"]
    assert body["limitation_on"] == debt["due"].replace(year=debt["due"].year + 5).isoformat()
    figures = expected(app, debt)
    assert figures.indemnity_minor == 4000 and figures.interest_minor > 0
    assert body["amounts"]["interest_minor"] == figures.interest_minor
    assert body["amounts"]["total_minor"] == figures.total_minor
    archive = get_zip(client, prov["token"], file.id)
    notice = f"formal-notice/formal-notice-{debt['notice_id']}"
    names = set(archive.namelist())
    assert {"summary.pdf", "timeline.pdf", f"invoices/{debt['filename']}", f"{notice}.pdf",
            f"{notice}-tracking.txt"} <= names
    emls = sorted(n for n in names if n.startswith("reminders/"))
    assert [n.split("-step-")[1][0] for n in emls] == ["0", "1", "2"]
    assert len(names) == 5 + 3
    assert b"Message-ID" in archive.read(emls[0]) and archive.read(f"{notice}.pdf")[:4] == b"%PDF"
    assert TRACKING in archive.read(f"{notice}-tracking.txt").decode()
    summary = pdf_words(archive.read("summary.pdf"))
    for amount in (figures.principal_minor, figures.interest_minor, figures.indemnity_minor,
                   figures.total_minor):
        assert cash(amount) in summary, (cash(amount), summary)
    for name in names:
        assert name in summary  # the list of documents
    assert "552100554" in summary and "123456789" in summary  # both SIRENs
    timeline = pdf_words(archive.read("timeline.pdf"))
    assert debt["number"] in timeline


def test_consumer_file_has_no_indemnity_and_interest_from_the_posting(app, client, now):
    prov = f.provider(client)
    pid = provider_id(app, prov)
    small = debt_at_step_three(app, pid, now, amount=400_000, kind="consumer")
    big = debt_at_step_three(app, pid, now, amount=600_000, kind="consumer")
    small["amount"], big["amount"] = 400_000, 600_000
    f.tick(app, business_morning(now))
    assert file_of(app, small["id"]).route == "small_claims"
    assert file_of(app, big["id"]).route == "injonction_judiciaire"
    file = file_of(app, big["id"])
    assert file.limitation_on == big["due"].replace(year=big["due"].year + 2)
    figures = expected(app, big)
    with app.app_context():  # interest runs from the posting: not from the due date
        assert figures.segments[0].start == big["posted_on"] + timedelta(days=1)
    assert figures.indemnity_minor == 0 and figures.interest_minor > 0
    summary = pdf_words(get_zip(client, prov["token"], file.id).read("summary.pdf"))
    assert cash(figures.interest_minor) in summary and cash(figures.total_minor) in summary
    assert cash(4000) not in summary and "40 €" not in summary and "40 EUR" not in summary


def test_one_file_per_client_and_its_route_from_the_total(app, client, now):
    prov = f.provider(client)
    pid = provider_id(app, prov)
    first = debt_at_step_three(app, pid, now, amount=300_000, kind="business")
    second = debt_at_step_three(app, pid, now, amount=300_000, kind="business",
                                client_id=first["client_id"])
    f.tick(app, business_morning(now))
    file = file_of(app, first["id"])
    assert file_of(app, second["id"]).id == file.id
    assert file.route == "injonction_commerce"  # 6,000 EUR together: no small claims
    status, body = api(client, "GET", f"/api/v1/recourse-files/{file.id}", token=prov["token"])
    assert sorted(body["receivable_ids"]) == sorted([first["id"], second["id"]])
    assert body["amounts"]["indemnity_minor"] == 2 * 4000  # 40 EUR per invoice
    act(client, prov["token"], first["id"], "mark-paid", json={})
    assert file_of(app, first["id"]).status == "open"  # the other debt is still owed
    act(client, prov["token"], second["id"], "write-off", json={})
    assert file_of(app, first["id"]).status == "closed"


def test_a_debt_paid_before_step_four_gets_no_file_and_a_paid_file_closes(app, client, now):
    prov = f.provider(client)
    pid = provider_id(app, prov)
    paid = debt_at_step_three(app, pid, now, amount=50_000, kind="business")
    act(client, prov["token"], paid["id"], "mark-paid", json={})
    later = debt_at_step_three(app, pid, now, amount=70_000, kind="business")
    f.tick(app, business_morning(now))
    assert file_of(app, paid["id"]) is None
    assert case(client, prov["token"], paid["id"])["status"] == "paid"
    with app.app_context():
        assert db.session.scalar(select(DunningStep).where(
            DunningStep.receivable_id == paid["id"], DunningStep.step == 4)) is None
    file = file_of(app, later["id"])
    assert file.status == "open"
    act(client, prov["token"], later["id"], "mark-paid", json={})
    assert file_of(app, later["id"]).status == "closed"


def test_a_consumer_debt_near_its_two_years_is_flagged(app, client, now):
    prov = f.provider(client)
    debt = debt_at_step_three(app, provider_id(app, prov), now, amount=30_000,
                              kind="consumer", days_late=700)
    f.tick(app, business_morning(now))
    file = file_of(app, debt["id"])
    assert file.limitation_on == debt["due"].replace(year=debt["due"].year + 2)
    status, body = api(client, "GET", f"/api/v1/recourse-files/{file.id}", token=prov["token"])
    assert status == 200 and body["limitation"] == "near"
    _login(client, prov)
    page = client.get(f"/dashboard/receivables/{debt['id']}").get_data(as_text=True)
    assert 'data-limitation="near"' in page and "Less than 90 days left" in page


def _login(client, prov: dict) -> None:
    resp = client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    assert resp.status_code == 302
    client.get("/dashboard/receivables?lang=en")


def test_insolvency_check_refuses_bad_answers_and_stops_the_ladder(app, client, now):
    prov = f.provider(client)
    pid = provider_id(app, prov)
    debt = debt_at_step_three(app, pid, now, amount=120_000, kind="business")
    f.tick(app, business_morning(now))
    file = file_of(app, debt["id"])
    _login(client, prov)
    page = client.get(f"/dashboard/receivables/{debt['id']}").get_data(as_text=True)
    assert 'data-route="small_claims"' in page and 'data-insolvency="unchecked"' in page
    url = f"/dashboard/recourse-files/{file.id}/insolvency"
    today = local_day(utcnow(), "Europe/Paris")
    for bad in ({"answer": "solvent"}, {"answer": "solvent", "checked_on": "soon"},
                {"answer": "solvent", "checked_on": (today + timedelta(1)).isoformat()},
                {"answer": "solvent", "checked_on": (today - timedelta(31)).isoformat()},
                {"answer": "maybe"}, {}):
        resp = client.post(url, data=bad)
        assert resp.status_code == 422, bad
        assert 'class="error"' in resp.get_data(as_text=True)
        assert file_of(app, debt["id"]).insolvent is None
    done = client.post(url, data={"answer": "solvent", "checked_on": today.isoformat()})
    assert done.status_code == 302
    assert file_of(app, debt["id"]).insolvent is False
    page = client.get(f"/dashboard/receivables/{debt['id']}").get_data(as_text=True)
    assert 'data-insolvency="solvent"' in page
    assert client.post(url, data={"answer": "insolvent"}).status_code == 302
    assert file_of(app, debt["id"]).insolvent is True
    with app.app_context():
        r = db.session.get(Receivable, debt["id"])
        assert (r.status, r.pause_reason, r.next_action_at) == ("paused", "insolvency", None)
    act(client, prov["token"], debt["id"], "resume", expect=409)
    page = client.get(f"/dashboard/receivables/{debt['id']}").get_data(as_text=True)
    assert "within 2 months" in page and 'id="insolvency"' not in page


def test_another_provider_cannot_see_or_download_the_file(app, client, now):
    owner, stranger = f.provider(client), f.provider(client)
    debt = debt_at_step_three(app, provider_id(app, owner), now, amount=120_000,
                              kind="business")
    f.tick(app, business_morning(now))
    file = file_of(app, debt["id"])
    for path in (f"/api/v1/recourse-files/{file.id}", f"/api/v1/recourse-files/{file.id}.zip"):
        status, _body = api(client, "GET", path, token=stranger["token"])
        assert status == 404
    _login(client, stranger)
    assert client.get(f"/dashboard/recourse-files/{file.id}.zip").status_code == 404
    assert client.post(f"/dashboard/recourse-files/{file.id}/insolvency",
                       data={"answer": "insolvent"}).status_code == 404
    assert file_of(app, debt["id"]).insolvent is None
    own = app.test_client()
    _login(own, owner)
    resp = own.get(f"/dashboard/recourse-files/{file.id}.zip")
    assert resp.status_code == 200 and "summary.pdf" in zipfile.ZipFile(
        io.BytesIO(resp.data)).namelist()


@pytest.mark.browser
def test_recourse_section_fits_a_phone_and_records_the_check(app, browser_page, client, now):
    prov = f.provider(client)
    debt = debt_at_step_three(app, provider_id(app, prov), now, amount=600_000,
                              kind="business")
    f.tick(app, business_morning(now))
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, prov["email"])
    page.goto(f"/dashboard/receivables/{debt['id']}")
    section = page.locator("#recourse")
    expect(section.locator('[data-route="injonction_commerce"]')).to_be_visible()
    expect(section.locator('[data-download="zip"]')).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    Path("/tmp/shots").mkdir(parents=True, exist_ok=True)
    section.screenshot(path="/tmp/shots/recourse-section.png")
    page.locator('#insolvency input[value="solvent"]').check()
    page.locator('[data-confirm="insolvency"]').click()  # no date: refused, nothing recorded
    expect(page.locator("#insolvency .error")).to_be_visible()
    assert file_of(app, debt["id"]).insolvent is None
    page.locator('#insolvency input[value="solvent"]').check()
    page.fill("#checked_on", local_day(utcnow(), "Europe/Paris").isoformat())
    page.locator('[data-confirm="insolvency"]').click()
    expect(page.locator('[data-insolvency="solvent"]')).to_be_visible()
    assert file_of(app, debt["id"]).insolvent is False
    with page.expect_download() as download:
        page.locator('[data-download="zip"]').click()
    assert "summary.pdf" in zipfile.ZipFile(download.value.path()).namelist()


@pytest.mark.browser
def test_the_case_page_with_its_recourse_file_passes_axe(app, client, axe_page):  # noqa: F811
    """The recourse section (and the page after a refused check) in French at a phone's
    width: no serious accessibility violation, no ISO date, seconds or raw code."""
    prov = f.provider(client)
    debt = debt_at_step_three(app, provider_id(app, prov), clock.current(), amount=120_000,
                              kind="consumer")
    f.tick(app, business_morning(clock.current()))
    log_in(axe_page, prov["email"])
    url = f"/dashboard/receivables/{debt['id']}"
    found = _violations(axe_page, url)
    axe_page.locator('#insolvency input[value="solvent"]').check()
    axe_page.locator('[data-confirm="insolvency"]').click()
    axe_page.wait_for_selector("#insolvency .error")
    found += [dict(v, url="refused check") for v in _axe(axe_page) if v["impact"] in BLOCKING]
    assert found == [], found
