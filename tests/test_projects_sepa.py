"""A project paid by SEPA Direct Debit, with the emulator's own webhooks (issue #22, point 1).

The client signs the mandate (the page's SetupIntent, confirmed here as Stripe.js would with the
IBAN Element); no hold: each milestone is debited when it starts, shown `processing` ("debit in
progress") to both sides until the bank answers. Paid: the provider may deliver, and the
delivered milestone is paid with its paid invoice, never charged twice. Returned unpaid before
delivery: `action_required` as after a refused hold (client asked to pay another way, provider
warned), nothing owed. Taken back after delivery (a dispute): a debt with the delivery as
evidence.
"""

from __future__ import annotations

from sqlalchemy import select

from tests import factories as f
from tests.dunning_support import receivable_of
from tests.support.api import api
from tests.support.net import wait_until
from tests.support.stripe_helpers import CARD_OK
from tests.test_emulator_sepa import ACCEPTANCE, IBAN_OK
from tests.test_projects_api import act, new_project, pi, read
from tests.test_projects_hold_failures import _invoices_of, _provider_page, _text

CLIENT = "compta@client.example.test"


def sign_mandate(client, stripe_raw, project: dict, iban: str = IBAN_OK) -> dict:
    """The page: a SetupIntent from our API, confirmed at Stripe with the IBAN (never sent to
    us) and the client's acceptance, then the acceptance with the mandate."""
    base = f"/api/v1/projects/{project['id']}"
    status, step = api(client, "POST", f"{base}/sepa-setup", token=project["client_token"])
    assert (status, step["intent"]) == (200, "setup"), step
    setup_id = step["client_secret"].split("_secret_")[0]
    pm = stripe_raw.v1.payment_methods.create(params={
        "type": "sepa_debit", "sepa_debit": {"iban": iban},
        "billing_details": {"name": "Dana Buyer", "email": CLIENT}})
    stripe_raw.v1.setup_intents.confirm(setup_id, params={"payment_method": pm.id,
                                                          "mandate_data": ACCEPTANCE})
    status, body = api(client, "POST", f"{base}/sepa-mandate", token=project["client_token"])
    assert status == 200, body
    return body


def payment_status(app, payment_id: int) -> str:
    from skod.extensions import db
    from skod.payments.models import Payment

    with app.app_context():
        db.session.remove()
        return db.session.get(Payment, payment_id).status


def milestone_status(client, project: dict, index: int) -> str:
    return read(client, project)["milestones"][index]["status"]


def test_milestones_debited_when_they_start(app, client, stripe_raw, stripe_emulator,
                                            stripe_webhooks, outbox, card_pm):
    prov = f.provider(client)
    project = new_project(client, prov, email=CLIENT,
                          milestones=[("Audit", 80000, 2), ("Refonte", 120000, 9)])
    outbox.clear()
    # Before the mandate is signed, accepting with it changes nothing
    status, body = api(client, "POST", f"/api/v1/projects/{project['id']}/sepa-mandate",
                       token=project["client_token"])
    assert status == 422 and read(client, project)["status"] == "sent", body
    assert sign_mandate(client, stripe_raw, project) == {"status": "accepted"}
    body = read(client, project)
    assert (body["status"], body["payment_method_kind"]) == ("accepted", "sepa_debit")
    first = body["milestones"][0]
    [debit] = first["payments"]
    assert (first["status"], debit["status"], debit["amount_held"]) == (
        "in_progress", "processing", 0)
    assert pi(stripe_raw, debit)["status"] == "processing"
    assert pi(stripe_raw, debit)["amount"] == 80000
    # "Debit in progress" to both; the provider is told not to deliver before it is paid
    page = client.get(f"/pr/{project['id']}/{project['client_token']}").get_data(as_text=True)
    assert f'id="debit-{first["id"]}" data-debit="processing"' in page
    provider_page = _provider_page(client, prov, project["id"])
    assert f'id="debit-{first["id"]}" data-debit="processing"' in provider_page
    assert "Ne livrez pas avant" in provider_page
    [notice] = [m for m in outbox.to(CLIENT) if "Audit" in m["Subject"]]
    assert "800,00" in _text(notice) and "mandat" in _text(notice)
    warned = [m for m in outbox.to(prov["email"]) if "Audit" in m["Subject"]]
    assert [m["Subject"] for m in warned] == ["Prélèvement en cours\u202f: Audit"]
    # Marked done while the debit is at the bank: nothing charged twice, not paid yet
    assert act(client, first["id"], "complete", prov["token"])["status"] == "in_progress"
    assert len(read(client, project)["milestones"][0]["payments"]) == 1
    # The bank pays (emulator control) -> webhook -> paid, invoice paid
    stripe_emulator.settle_debit(debit["stripe_payment_intent_id"])
    wait_until(lambda: milestone_status(client, project, 0) == "paid", timeout=20,
               what="milestone paid after the debit settled")
    wait_until(lambda: _invoices_of(app, first["id"]), timeout=20, what="its invoice")
    assert _invoices_of(app, first["id"]) == [("invoice", 80000, True)]
    assert payment_status(app, debit["id"]) == "captured"
    # Milestone 2 started with it, debited; its debit is returned unpaid
    wait_until(lambda: any("Refonte" in m["Subject"] for m in outbox.to(CLIENT)), timeout=20,
               what="milestone 2 debited when it started, the client pre-notified")
    second = read(client, project)["milestones"][1]
    [debit2] = second["payments"]
    assert (second["status"], debit2["status"]) == ("in_progress", "processing")
    outbox.clear()
    stripe_emulator.fail_debit(debit2["stripe_payment_intent_id"], "insufficient_funds")
    wait_until(lambda: milestone_status(client, project, 1) == "action_required", timeout=20,
               what="milestone 2 action_required after its debit failed")
    failed = read(client, project)["milestones"][1]["payments"][0]
    assert (failed["status"], failed["last_error_code"]) == ("failed", "insufficient_funds")
    # the e-mails go after the milestone's commit: waited for, not raced
    wait_until(lambda: outbox.to(CLIENT) and outbox.to(prov["email"]), timeout=20,
               what="both told of the failed debit")
    [asked] = outbox.to(CLIENT)
    assert asked["Subject"] == "Action requise\u202f: le prélèvement de Refonte a échoué"
    assert f"/pr/{project['id']}/" in _text(asked) and "Vous ne devez rien" in _text(asked)
    [warning] = outbox.to(prov["email"])
    assert warning["Subject"] == "Prélèvement refusé\u202f: Refonte"
    # Nothing delivered, nothing owed: no invoice, no debt
    assert _invoices_of(app, second["id"]) == []
    assert receivable_of(app, f"milestone:{second['id']}") is None
    # The client pays another way, by card: held, back to work; the project pays by card now
    assert act(client, second["id"], "authorize", project["client_token"],
               {"payment_method": card_pm(CARD_OK).id}) == {"status": "held"}
    body = read(client, project)
    assert (body["milestones"][1]["status"], body["payment_method_kind"]) == (
        "in_progress", "card")
    assert outbox.to(prov["email"])[-1]["Subject"] == "Paiement garanti\u202f: Refonte"


def test_cancelled_after_its_debit_is_refunded(app, client, stripe_raw, stripe_emulator,
                                               stripe_webhooks):
    prov = f.provider(client)
    project = new_project(client, prov, email=CLIENT,
                          milestones=[("Audit", 80000, 2), ("Refonte", 120000, 9)])
    sign_mandate(client, stripe_raw, project)
    first = read(client, project)["milestones"][0]
    [debit] = first["payments"]
    # At the bank, a debit cannot be called back: not cancelled meanwhile
    status, body = api(client, "POST", f"/api/v1/milestones/{first['id']}/cancel",
                       json={}, token=prov["token"])
    assert (status, body["error"]["code"]) == (409, "debit_in_progress")
    stripe_emulator.settle_debit(debit["stripe_payment_intent_id"])
    wait_until(lambda: payment_status(app, debit["id"]) == "captured", timeout=20,
               what="debit captured")
    assert act(client, first["id"], "cancel", prov["token"])["status"] == "cancelled"
    assert f.refunds_at_emulator(stripe_raw, debit["stripe_payment_intent_id"]) == [80000]
    second = read(client, project)["milestones"][1]
    assert [p["status"] for p in second["payments"]] == ["processing"]  # the next one starts


def test_deposit_debited_and_a_debit_taken_back_after_delivery_is_owed(
        app, client, stripe_raw, stripe_emulator, stripe_webhooks, outbox):
    prov = f.provider(client)
    project = new_project(client, prov, email=CLIENT, deposit=30,
                          milestones=[("Audit", 100000, 2), ("Refonte", 100000, 9)])
    assert sign_mandate(client, stripe_raw, project) == {"status": "accepted"}
    body = read(client, project)
    [deposit] = body["payments"]  # debited at acceptance: no hold with SEPA
    assert (deposit["purpose"], deposit["status"]) == ("deposit", "processing")
    assert pi(stripe_raw, deposit)["amount"] == 60000
    stripe_emulator.settle_debit(deposit["stripe_payment_intent_id"])
    wait_until(lambda: any("Acompte payé" in m["Subject"] for m in outbox.to(CLIENT)),
               timeout=20, what="deposit paid, the client told with its invoice")
    [paid_mail] = [m for m in outbox.to(CLIENT) if "Acompte payé" in m["Subject"]]
    assert [p.get_filename() for p in paid_mail.iter_attachments()] != []
    first = body["milestones"][0]
    assert first["status"] == "in_progress"
    [debit] = first["payments"]
    assert pi(stripe_raw, debit)["amount"] == 100000  # the deposit pays the last milestone
    stripe_emulator.settle_debit(debit["stripe_payment_intent_id"])
    wait_until(lambda: payment_status(app, debit["id"]) == "captured", timeout=20,
               what="debit captured")
    page = _provider_page(client, prov, project["id"])
    assert f'id="debit-{first["id"]}" data-debit="paid"' in page
    assert act(client, first["id"], "complete", prov["token"],
               {"note": "Rapport d'audit livré"})["status"] == "paid"
    # The client's bank takes the debit back (SEPA refund right) after delivery
    stripe_emulator.dispute(debit["stripe_payment_intent_id"], reason="general")

    def debt():  # noqa: ANN202
        from skod.dunning.debts.models import Receivable
        from skod.extensions import db

        with app.app_context():
            db.session.remove()
            return db.session.scalar(select(Receivable).where(
                Receivable.payment_id == debit["id"]))
    wait_until(lambda: debt() is not None, timeout=20, what="debt of the returned debit")
    owed = debt()
    assert (owed.principal_minor, owed.source.startswith("dispute:")) == (100000, True)
    assert owed.failure_code == "dispute_lost"  # no card retry on a returned debit
    evidence = dict(owed.evidence)
    assert "Rapport d'audit livré" in evidence.values()


def test_debit_taken_back_before_delivery_is_not_paid_any_more(
        app, client, stripe_raw, stripe_emulator, stripe_webhooks, outbox):
    prov = f.provider(client)
    project = new_project(client, prov, email=CLIENT, milestones=[("Audit", 80000, 2)])
    sign_mandate(client, stripe_raw, project)
    first = read(client, project)["milestones"][0]
    [debit] = first["payments"]
    stripe_emulator.settle_debit(debit["stripe_payment_intent_id"])
    wait_until(lambda: payment_status(app, debit["id"]) == "captured", timeout=20,
               what="debit captured")
    outbox.clear()
    stripe_emulator.dispute(debit["stripe_payment_intent_id"], reason="general")
    wait_until(lambda: milestone_status(client, project, 0) == "action_required", timeout=20,
               what="milestone unpaid again after its debit was taken back")
    # the client's e-mail goes after the milestone's commit: waited for, not raced
    wait_until(lambda: "Action requise\u202f: le prélèvement de Audit a échoué" in [
        m["Subject"] for m in outbox.to(CLIENT)], timeout=20, what="client asked to pay")
    assert receivable_of(app, f"milestone:{first['id']}") is None  # nothing delivered
    # Marked done now: no new debit under the disputed mandate, not paid, no invoice
    act(client, first["id"], "complete", prov["token"])
    m = read(client, project)["milestones"][0]
    assert (m["status"], len(m["payments"])) == ("action_required", 1)
    assert _invoices_of(app, first["id"]) == []
