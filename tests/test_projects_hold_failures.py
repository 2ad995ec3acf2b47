"""A milestone's hold that fails before delivery owes nothing: no invoice, the client is asked
to authorize, the provider is warned once not to work unpaid, then told when it is secured.
A milestone that fails to be charged once done is delivered value: unpaid invoice."""

from __future__ import annotations

from datetime import timedelta

from skod.core.clock import utcnow
from tests import factories as f
from tests.dunning_support import working_instant
from tests.support import clock
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OFF_SESSION_DECLINE, CARD_OK
from tests.test_projects_api import accept, act, new_project, pi, read

POOR = "poor@example.test"


def _invoices_of(app, milestone_id: int) -> list[tuple[str, int, bool]]:
    """Every invoice row (credit notes too) linked to the milestone, read from the database."""
    from sqlalchemy import select

    from skod.extensions import db
    from skod.invoicing.models import Invoice

    with app.app_context():
        rows = db.session.scalars(select(Invoice).where(Invoice.milestone_id == milestone_id))
        return [(i.kind, i.ttc_minor, i.paid) for i in rows]


def _text(mail) -> str:
    return mail.get_body(("plain",)).get_content()


def _pdfs(mail) -> list[str]:
    return [part.get_filename() for part in mail.iter_attachments()]


def _provider_page(client, prov: dict, project_id: int) -> str:
    resp = client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    assert resp.status_code == 302
    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    client.post("/logout")
    return page


def _declined_before_delivery(client, card_pm, outbox, **kw) -> tuple[dict, dict, dict]:
    """A project accepted with a card that saves but declines charges: the first milestone
    starts and its off-session hold is declined at once."""
    prov = f.provider(client)
    project = new_project(client, prov, email=POOR, **kw)
    outbox.clear()
    assert accept(client, project, card_pm(CARD_OFF_SESSION_DECLINE).id)["status"] == "accepted"
    return prov, project, read(client, project)["milestones"][0]


def test_hold_declined_before_delivery_asks_the_client_warns_the_provider_no_invoice(
        app, client, card_pm, stripe_raw, outbox, now):
    prov, project, m = _declined_before_delivery(client, card_pm, outbox,
                                                 milestones=[("Build", 7000, 3)])
    [refused] = m["payments"]
    assert (m["status"], m["completed_at"]) == ("action_required", None)
    assert (refused["status"], refused["last_error_code"]) == ("failed", "generic_decline")
    assert _invoices_of(app, m["id"]) == []
    # The client: asked to authorize, with the link; told nothing is owed; no invoice attached
    [asked] = [mail for mail in outbox.to(POOR) if "Build" in mail["Subject"]]
    body = _text(asked)
    assert f"/pr/{project['id']}/" in body and "Vous ne devez rien pour l'instant" in body
    assert asked["Subject"] == "Action requise\u202f: garantissez le paiement de Build"
    assert _pdfs(asked) == [] and len(outbox.to(POOR)) == 2  # and "you accepted"
    # The provider: the acceptance, then one warning not to work unpaid
    accepted, warned = outbox.to(prov["email"])
    assert warned["Subject"] == "Paiement non garanti\u202f: Build"
    assert "ne pas travailler sur cette étape sans garantie" in _text(warned)
    assert f'id="unsecured-{m["id"]}"' in _provider_page(client, prov, project["id"])
    # Ticks (the invoicing sweep, the hold jobs) and the same outcome applied again (a retried
    # job, a late webhook): still no invoice, no new hold, nobody told twice
    f.tick(app, now + timedelta(hours=1))
    from skod.projects.settlement import after_payment

    with app.app_context():
        after_payment(m["id"], refused["id"], utcnow(), settling=False)
    f.tick(app, now + timedelta(days=1))
    m = read(client, project)["milestones"][0]
    assert (m["status"], len(m["payments"])) == ("action_required", 1)
    assert _invoices_of(app, m["id"]) == []
    assert (len(outbox.to(POOR)), len(outbox.to(prov["email"]))) == (2, 2)
    # The same card on the page is declined again: still nothing owed, nobody e-mailed
    status, again = api(client, "POST", f"/api/v1/milestones/{m['id']}/authorize", json={},
                        token=project["client_token"])
    assert (status, again["error"]["code"]) == (402, "soft_decline")
    assert read(client, project)["milestones"][0]["status"] == "action_required"
    assert (len(outbox.to(POOR)), len(outbox.to(prov["email"]))) == (2, 2)
    # Another card: held on-session, back to work, and the provider hears it is secured
    good = card_pm(CARD_OK).id
    assert act(client, m["id"], "authorize", project["client_token"],
               {"payment_method": good}) == {"status": "held"}
    m = read(client, project)["milestones"][0]
    hold = m["payments"][-1]
    assert (m["status"], hold["status"]) == ("in_progress", "held")
    assert pi(stripe_raw, hold)["status"] == "requires_capture"
    secured = outbox.to(prov["email"])[-1]
    assert (len(outbox.to(prov["email"])), secured["Subject"]) == (
        3, "Paiement garanti\u202f: Build")
    assert "unsecured-" not in _provider_page(client, prov, project["id"])
    assert _invoices_of(app, m["id"]) == []
    # Delivered: the hold is captured, and the one invoice is issued, paid
    assert act(client, m["id"], "complete", prov["token"])["status"] == "paid"
    assert f.captured_at_emulator(stripe_raw, hold["stripe_payment_intent_id"]) == 7000
    f.tick(app, now + timedelta(days=1, hours=1))
    assert _invoices_of(app, m["id"]) == [("invoice", 7000, True)]


def test_marked_done_after_a_refused_hold_the_failed_charge_is_invoiced(app, client, card_pm,
                                                                       outbox, now):
    """Delivered without a hold (the client never authorized): the saved card is charged
    off-session at done; declined, it is a debt for delivered work: payment_failed, with
    its unpaid invoice sent to the client."""
    prov, project, m = _declined_before_delivery(client, card_pm, outbox,
                                                 milestones=[("Build", 7000, 3)])
    outbox.clear()
    done = act(client, m["id"], "complete", prov["token"])
    assert done["status"] == "payment_failed" and done["completed_at"]
    assert [(p["status"], p["last_error_code"]) for p in done["payments"]] == [
        ("failed", "generic_decline"), ("failed", "generic_decline")]
    # a debt now: its notice is the dunning ladder's step 0, sent in working hours, with the
    # unpaid invoice; the provider hears of it at the same time (not twice)
    assert [mail["Subject"] for mail in outbox.to(POOR)] == ["Étape livrée\u202f: Build"]
    assert outbox.to(prov["email"]) == []
    outbox.clear()
    f.tick(app, working_instant(clock.current()))
    [invoice] = _invoices_of(app, m["id"])
    assert invoice == ("invoice", 7000, False)
    [notice] = outbox.to(POOR)
    assert "paiement" in notice["Subject"].lower() and len(_pdfs(notice)) == 1
    [told] = outbox.to(prov["email"])
    assert told["Subject"].startswith("Paiement refusé\u202f: facture ")


def test_done_without_a_hold_and_declined_still_gets_its_unpaid_invoice(app, client, card_pm,
                                                                        outbox, now):
    """Expected in three weeks: no hold at start, so no failure before delivery; marked done,
    the off-session charge is declined: payment_failed and one unpaid invoice, also after
    the sweep."""
    prov, project, m = _declined_before_delivery(client, card_pm, outbox,
                                                 milestones=[("Launch", 9000, 21)])
    assert (m["status"], m["payments"]) == ("in_progress", [])
    assert len(outbox.to(prov["email"])) == 1  # accepted; no warning
    done = act(client, m["id"], "complete", prov["token"])
    assert done["status"] == "payment_failed"
    assert [p["status"] for p in done["payments"]] == ["failed"]
    f.tick(app, now + timedelta(hours=1))
    assert _invoices_of(app, m["id"]) == [("invoice", 9000, False)]
    status, invoices = api(client, "GET", "/api/v1/invoices", token=prov["token"])
    assert status == 200 and [(i["milestone_id"], i["paid"]) for i in invoices] == [
        (m["id"], False)]


def test_an_undelivered_milestone_in_payment_failed_is_never_invoiced(app, client, card_pm,
                                                                      outbox, now):
    """A row left in payment_failed before delivery (as holds that failed were recorded
    before): neither the issuer nor the invoicing sweep gives it an invoice."""
    from skod.extensions import db
    from skod.invoicing import issuing
    from skod.invoicing import jobs as invoice_jobs
    from skod.projects.models import Milestone

    _, _, m = _declined_before_delivery(client, card_pm, outbox, milestones=[("Build", 7000, 3)])
    with app.app_context():
        db.session.get(Milestone, m["id"]).status = "payment_failed"
        db.session.commit()
        assert m["id"] not in invoice_jobs.missing_milestones()
        assert issuing.issue_for_milestone(m["id"], utcnow()) is None
    f.tick(app, now + timedelta(hours=1))
    assert _invoices_of(app, m["id"]) == []
