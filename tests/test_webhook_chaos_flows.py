"""A call, a message and milestones, with Stripe's webhooks delivered in order and as Stripe
may deliver them (duplicates, any order, delays, retries: scripts/emulator/delivery.py): each
flow ends in the same rows (payments, invoices, receivables, e-mails sent once) and the same
amounts at Stripe under both modes.

Every flow's end state is written out once and asserted under both modes; the chaos seed is
printed (replay a failure with EMULATOR_WEBHOOKS_SEED=<seed>).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import requests

from tests import factories as f
from tests.dunning_support import working_instant
from tests.support import clock
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OFF_SESSION_DECLINE, CARD_OK, js_headers
from tests.support.webhook_chaos import MODES, drain, events_seen, use_mode
from tests.test_messages_api import held_message, reply
from tests.test_projects_api import accept, act, new_project, read

CARD_REFUND_PENDING = "4000000000007726"  # Stripe's test card whose refunds start pending


@pytest.fixture(params=MODES)
def webhook_mode(request, stripe_webhooks, app):
    """The app receives the emulator's webhooks, delivered in this mode."""
    use_mode(stripe_webhooks, request.param)
    yield request.param
    stripe_webhooks.webhook_mode("default")


def end_rows(app) -> dict:
    """Payments, invoices, receivables and e-mails as the database and the outbox hold them."""
    from sqlalchemy import select

    from skod.dunning.debts.models import Receivable
    from skod.extensions import db
    from skod.invoicing.models import Invoice
    from skod.payments.models import Payment
    from tests.support.outbox import Outbox

    with app.app_context():
        payments = [(p.purpose, p.status, p.amount_held_minor, p.amount_captured_minor,
                     p.last_error_code)
                    for p in db.session.scalars(select(Payment).order_by(Payment.id))]
        invoices = [(i.kind, i.ttc_minor, i.paid)
                    for i in db.session.scalars(select(Invoice).order_by(Invoice.id))]
        receivables = [(r.status, r.principal_minor, r.paid_minor)
                       for r in db.session.scalars(select(Receivable).order_by(Receivable.id))]
        db.session.commit()
    mails = sorted((_plain(str(m["To"])), _plain(str(m["Subject"])))
                   for m in Outbox(app.config["SKOD_INSTANCE_PATH"]).messages())
    return {"payments": payments, "invoices": invoices, "receivables": receivables,
            "mails": mails}


def _plain(text: str) -> str:
    """Without what depends on the tests run before (the provider's number) or on the day
    (the invoice number's year)."""
    text = re.sub(r"([Pp]rovider) ?\d+", r"\1 N", text)
    return re.sub(r"\b20\d\d-(\d{6})\b", r"YYYY-\1", text)


def _settled(app, stripe_webhooks, mode: str) -> dict:
    """Wait until every webhook is delivered and processed; the end rows."""
    status = drain(app, stripe_webhooks)
    seen = events_seen(app)
    assert seen and all(s in ("processed", "ignored") for _t, s in seen), seen
    if mode == "chaos":
        print(f"seed {status['seed']}: {status['stats']}; arrived: {[t for t, _s in seen]}")
    rows = end_rows(app)
    print(f"{mode}: {rows}")
    return rows


@pytest.mark.usefixtures("start_any_time")
def test_call_held_then_captured(app, client, card_pm, stripe_raw, webhook_mode,
                                 stripe_webhooks):
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    assert f.pay(client, booking, card_pm(CARD_OK).id) == {"status": "held"}
    tok = prov["token"]
    assert api(client, "POST", f"/api/v1/bookings/{booking['id']}/start", token=tok)[0] == 200
    status, ended = api(client, "POST", f"/api/v1/bookings/{booking['id']}/end",
                        json={"minutes": 17}, token=tok)
    assert status == 200 and ended["status"] == "completed"
    rows = _settled(app, stripe_webhooks, webhook_mode)
    assert f.get(client, booking)["status"] == "completed"
    assert rows["payments"] == [("hold", "captured", 0, 1700, None)]
    assert rows["invoices"] == [("invoice", 1700, True)]
    assert rows["receivables"] == []
    assert rows["mails"] == EXPECTED_MAILS["call"], rows["mails"]
    pi_id = ended["payments"][0]["stripe_payment_intent_id"]
    assert f.captured_at_emulator(stripe_raw, pi_id) == 1700
    assert f.captures_at_emulator(stripe_raw, pi_id) == 1


def test_message_answered_and_paid(app, client, card_pm, stripe_raw, webhook_mode,
                                   stripe_webhooks):
    prov, message = held_message(client, card_pm)
    status, out = reply(client, prov, message)
    assert status == 200 and out["status"] == "answered"
    rows = _settled(app, stripe_webhooks, webhook_mode)
    assert rows["payments"] == [("answer", "captured", 0, 1000, None)]
    assert rows["invoices"] == [("invoice", 1000, True)]
    assert rows["receivables"] == []
    assert rows["mails"] == EXPECTED_MAILS["message"], rows["mails"]
    pi_id = out["payments"][0]["stripe_payment_intent_id"]
    assert f.captured_at_emulator(stripe_raw, pi_id) == 1000
    assert f.captures_at_emulator(stripe_raw, pi_id) == 1


def test_milestone_held_then_captured(app, client, card_pm, stripe_raw, webhook_mode,
                                      stripe_webhooks):
    prov = f.provider(client)
    project = new_project(client, prov, approval="client", milestones=[("Audit", 5000, 1)])
    assert accept(client, project, card_pm(CARD_OK).id) == {"status": "accepted"}
    [m] = read(client, project)["milestones"]
    act(client, m["id"], "complete", prov["token"])
    assert act(client, m["id"], "approve", project["client_token"])["status"] == "paid"
    rows = _settled(app, stripe_webhooks, webhook_mode)
    [m] = read(client, project)["milestones"]
    assert m["status"] == "paid"
    assert rows["payments"] == [("milestone", "captured", 0, 5000, None)]
    assert rows["invoices"] == [("invoice", 5000, True)]
    assert rows["receivables"] == []
    assert rows["mails"] == EXPECTED_MAILS["milestone"], rows["mails"]
    pi_id = m["payments"][0]["stripe_payment_intent_id"]
    assert f.captured_at_emulator(stripe_raw, pi_id) == 5000
    assert f.captures_at_emulator(stripe_raw, pi_id) == 1


def test_milestone_refused_becomes_a_receivable(app, client, card_pm, stripe_raw, webhook_mode,
                                                stripe_webhooks):
    prov = f.provider(client)
    project = new_project(client, prov, email="poor@example.test",
                          milestones=[("Build", 7000, 3)])
    assert accept(client, project, card_pm(CARD_OFF_SESSION_DECLINE).id)["status"] == "accepted"
    [m] = read(client, project)["milestones"]
    done = act(client, m["id"], "complete", prov["token"])
    assert done["status"] == "payment_failed"
    drain(app, stripe_webhooks)
    first = working_instant(clock.current())
    f.tick(app, first)  # the notice, on the next business day's morning
    # the first card retry is due one day after the failure to the minute: a run that starts
    # after 10:00 Paris reaches it only after the tick above (later that day or at night)
    f.tick(app, max(first, clock.current() + timedelta(days=1, minutes=5)))
    rows = _settled(app, stripe_webhooks, webhook_mode)
    [m] = read(client, project)["milestones"]
    assert m["status"] == "payment_failed"
    # the hold refused before delivery, the charge at done, the dunning's first try
    assert rows["payments"] == [("milestone", "failed", 0, 0, "generic_decline")] * 2 + [
        ("recovery", "failed", 0, 0, "generic_decline")]
    assert rows["invoices"] == [("invoice", 7000, False)]
    assert rows["receivables"] == [("open", 7000, 0)]
    assert rows["mails"] == EXPECTED_MAILS["refused"], rows["mails"]
    intents = stripe_raw.v1.payment_intents.list()["data"]
    by_card = [pi for pi in intents if pi["payment_method_types"] != ["customer_balance"]]
    assert [pi["status"] for pi in by_card] == ["requires_payment_method"] * 3
    # the notice also offers a bank transfer to the client's virtual IBAN: it waits for money
    assert [pi["status"] for pi in intents if pi not in by_card] == ["requires_action"]


def test_page_confirmed_booking_races_its_webhooks(app, client, card_pm, stripe_raw,
                                                   webhook_mode, stripe_webhooks):
    """Stripe.js confirms the page intent; the page's /confirm and the events race (chaos: the
    events may come first, twice, in any order): held once, the card saved, one e-mail."""
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    secret = booking["payment"]["client_secret"]
    pi_id, pm = secret.split("_secret_")[0], card_pm(CARD_OK).id
    r = requests.post(f"{app.config['STRIPE_API_BASE']}/v1/payment_intents/{pi_id}/confirm",
                      json={"key": app.config["STRIPE_PUBLISHABLE_KEY"], "client_secret": secret,
                            "payment_method": pm}, headers=js_headers(), timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "requires_capture", r.text
    status, body = api(client, "POST", f"/api/v1/bookings/{booking['id']}/confirm",
                       token=booking["client_token"])
    assert status == 200 and body["status"] == "held", body
    rows = _settled(app, stripe_webhooks, webhook_mode)
    assert f.get(client, booking)["status"] == "held"
    assert rows["payments"] == [("hold", "held", 2000, 0, None)]
    assert rows["invoices"] == [] and rows["receivables"] == []
    assert rows["mails"] == EXPECTED_MAILS["call"][1:], rows["mails"]
    assert stripe_raw.v1.payment_intents.retrieve(pi_id)["status"] == "requires_capture"


@pytest.mark.usefixtures("start_any_time")
def test_refunds_pending_then_settled_one_credit_note_each(app, client, card_pm, stripe_raw,
                                                           webhook_mode, stripe_webhooks):
    """A refund through the API and one made in Stripe's dashboard (known from the events
    only), both pending then settled: refund.created / charge.refunded / refund.updated in
    any order, twice: 1,200 refunded, one credit note per refund."""
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    f.pay(client, booking, card_pm(CARD_REFUND_PENDING).id)
    status, ended = api(client, "POST", f"/api/v1/bookings/{booking['id']}/end",
                        json={"minutes": 15}, token=prov["token"])
    assert status == 200 and ended["status"] == "completed"
    payment = ended["payments"][0]
    pi_id = payment["stripe_payment_intent_id"]
    status, refund = api(client, "POST", f"/api/v1/payments/{payment['id']}/refund",
                         json={"amount_minor": 1000}, token=prov["token"])
    assert status == 201 and refund["status"] == "pending"
    stripe_raw.v1.refunds.create(params={"payment_intent": pi_id, "amount": 200})
    for pending in stripe_raw.v1.refunds.list(params={"payment_intent": pi_id})["data"]:
        stripe_webhooks.settle_refund(pending["id"])
    rows = _settled(app, stripe_webhooks, webhook_mode)
    assert rows["payments"] == [("hold", "captured", 0, 1500, None)]
    assert f.get(client, booking)["payments"][0]["amount_refunded"] == 1200
    assert sorted(rows["invoices"]) == [("credit_note", 200, True), ("credit_note", 1000, True),
                                        ("invoice", 1500, True)]
    assert rows["mails"] == sorted(EXPECTED_MAILS["call"] + [
        ("client@example.test", "Remboursement de Provider N SAS")] * 2), rows["mails"]
    assert f.refunds_at_emulator(stripe_raw, pi_id) == [200, 1000]


@pytest.mark.usefixtures("start_any_time")
def test_dispute_opened_then_lost_is_owed_once(app, client, card_pm, stripe_raw, webhook_mode,
                                                stripe_webhooks):
    """A dispute opened and lost (created, funds_withdrawn, closed: closed may come first):
    the dispute row lost, one receivable of 1,000, the provider told as in order."""
    from sqlalchemy import select

    from skod.extensions import db
    from skod.payments.disputes import Dispute

    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)), kind="business")
    f.pay(client, booking, card_pm(CARD_OK).id)
    status, ended = api(client, "POST", f"/api/v1/bookings/{booking['id']}/end",
                        json={"minutes": 15}, token=prov["token"])
    assert status == 200 and ended["status"] == "completed"
    pi_id = ended["payments"][0]["stripe_payment_intent_id"]
    dispute = stripe_webhooks.dispute(pi_id, amount=1000, reason="product_not_received")
    stripe_webhooks.close_dispute(dispute["id"], "lost")
    rows = _settled(app, stripe_webhooks, webhook_mode)
    with app.app_context():
        disputes = [(d.amount_minor, d.status) for d in db.session.scalars(select(Dispute))]
        db.session.commit()
    assert disputes == [(1000, "lost")]
    assert rows["payments"] == [("hold", "captured", 0, 1500, None)]
    assert rows["receivables"] == [("open", 1000, 0)]
    assert rows["mails"] == EXPECTED_MAILS["dispute"], rows["mails"]


#: (To, Subject) of every e-mail each flow sends, sorted: the same in both modes, each once
EXPECTED_MAILS: dict[str, list[tuple[str, str]]] = {
    "call": [("client@example.test", "Reçu de votre appel"),
             ("client@example.test", "Votre appel avec Provider N est réservé"),
             ("provider N@example.test", "Nouvelle réservation n° 1")],
    "message": [("asker@example.test", "Provider N answered your question"),
                ("asker@example.test", "Your question to Provider N is sent"),
                ("provider N@example.test", "Nouvelle question payante n° 1")],
    "milestone": [("buyer@example.test", "Proposition de projet\u202f: New website"),
                  ("buyer@example.test", "Vous avez accepté le projet New website"),
                  ("buyer@example.test", "Étape livrée\u202f: Audit"),
                  ("buyer@example.test", "Étape payée\u202f: Audit"),
                  ("provider N@example.test", "Projet accepté\u202f: New website"),
                  ("provider N@example.test", "Étape payée\u202f: Audit")],
    "dispute": [("client@example.test", "Reçu de votre appel"),
                ("client@example.test", "Votre appel avec Provider N est réservé"),
                ("provider N@example.test", "Litige de 10,00\xa0€ clos\u202f: perdu"),
                ("provider N@example.test", "Nouvelle réservation n° 1")],
    "refused": [("poor@example.test", "Action requise\u202f: garantissez le paiement de Build"),
                ("poor@example.test", "Facture YYYY-000001\u202f: le paiement n'a pas abouti"),
                ("poor@example.test", "Proposition de projet\u202f: New website"),
                ("poor@example.test", "Vous avez accepté le projet New website"),
                ("poor@example.test", "Étape livrée\u202f: Build"),
                ("provider N@example.test", "Paiement non garanti\u202f: Build"),
                ("provider N@example.test", "Paiement refusé\u202f: facture YYYY-000001"),
                ("provider N@example.test", "Projet accepté\u202f: New website")],
}
