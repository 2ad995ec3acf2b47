"""Disputes (chargebacks) as Stripe sends them: read back, told to the provider with the
evidence deadline, and a lost one owed again on the invoice. Events come from the emulator."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests import factories as f
from tests.support.api import api
from tests.support.net import wait_until
from tests.support.stripe_helpers import CARD_OK
from tests.webhook_support import deliver, event

#: the time zone of the providers the factories make
PARIS = ZoneInfo("Europe/Paris")


def _captured_call(client, card_pm, kind="business"):
    prov = f.provider(client)
    b = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)), kind=kind)
    f.pay(client, b, card_pm(CARD_OK).id)
    status, body = api(client, "POST", f"/api/v1/bookings/{b['id']}/end",
                       json={"minutes": 15}, token=prov["token"])
    assert status == 200 and body["status"] == "completed"
    return prov, b, body["payments"][0]


def _invoice(client, prov) -> dict:
    status, invoices = api(client, "GET", "/api/v1/invoices", token=prov["token"])
    assert status == 200
    [invoice] = [i for i in invoices if i["kind"] == "invoice"]
    return invoice


def _disputes(client, prov, payment) -> list[dict]:
    status, body = api(client, "GET", f"/api/v1/payments/{payment['id']}/disputes",
                       token=prov["token"])
    assert status == 200, body
    return body


def _text(mail) -> str:
    return mail.get_body(("plain",)).get_content()


def test_dispute_opened_then_lost(client, card_pm, stripe_emulator, stripe_webhooks, outbox):
    prov, b, payment = _captured_call(client, card_pm)  # 1500 captured
    assert _invoice(client, prov)["balance_minor"] == 0
    outbox.clear()
    dispute = stripe_emulator.dispute(payment["stripe_payment_intent_id"], reason="fraudulent")
    wait_until(lambda: [d["status"] for d in _disputes(client, prov, payment)] == [
        "needs_response"], timeout=20, what="dispute recorded")
    [row] = _disputes(client, prov, payment)
    assert (row["amount_minor"], row["reason"]) == (1500, "fraudulent")
    assert row["evidence_due_by"] is not None
    wait_until(lambda: len(outbox.to(prov["email"])) == 1, timeout=10, what="provider told")
    [mail] = outbox.to(prov["email"])
    body = _text(mail)
    # the deadline (day of the month in the provider's words, in their time zone: between
    # 23:00 and midnight UTC it is already the next day in Paris) and the evidence Skod holds
    due_day = str(datetime.fromisoformat(row["evidence_due_by"]).astimezone(PARIS).day)
    assert due_day in mail["Subject"] and due_day in body
    for evidence in ("Appel commencé", "Appel terminé", "Alex Client",
                     "le titulaire de la carte dit ne pas avoir fait ce paiement"):
        assert evidence in body, evidence
    assert "fraudulent" not in body  # Stripe's code is said in words
    assert f.get(client, b, token=prov["token"])["payments"][0]["dispute_status"] == (
        "needs_response")

    stripe_emulator.close_dispute(dispute["id"], "lost")
    wait_until(lambda: _disputes(client, prov, payment)[0]["status"] == "lost", timeout=20,
               what="dispute lost")
    assert _invoice(client, prov)["balance_minor"] == 1500
    wait_until(lambda: len(outbox.to(prov["email"])) == 2, timeout=10, what="outcome told")
    # the provider's pages say it: the dashboard's payment line and the invoice list
    client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    assert "contesté par le client\u202f: perdu" in client.get("/dashboard").get_data(as_text=True)
    invoices_page = client.get("/invoices").get_data(as_text=True)
    assert "De nouveau dû après un litige perdu" in invoices_page
    # a late copy of an event changes nothing and sends nothing more
    late = event("charge.dispute.updated", {"id": dispute["id"], "object": "dispute",
                                            "status": "needs_response"})
    assert deliver(client, late, client.application.config["STRIPE_WEBHOOK_SECRET"]
                   ).status_code == 200
    assert _disputes(client, prov, payment)[0]["status"] == "lost"  # read back, not the body
    assert len(outbox.to(prov["email"])) == 2
    assert _invoice(client, prov)["balance_minor"] == 1500


def test_a_won_dispute_owes_nothing(client, card_pm, stripe_emulator, stripe_webhooks):
    prov, b, payment = _captured_call(client, card_pm, kind="consumer")
    dispute = stripe_emulator.dispute(payment["stripe_payment_intent_id"], amount=1000)
    wait_until(lambda: len(_disputes(client, prov, payment)) == 1, timeout=20,
               what="dispute recorded")
    stripe_emulator.update_dispute(dispute["id"])  # under review: charge.dispute.updated
    wait_until(lambda: _disputes(client, prov, payment)[0]["status"] == "under_review",
               timeout=20, what="dispute under review")
    stripe_emulator.close_dispute(dispute["id"], "won")
    wait_until(lambda: _disputes(client, prov, payment)[0]["status"] == "won", timeout=20,
               what="dispute won")
    assert _disputes(client, prov, payment)[0]["amount_minor"] == 1000
    assert _invoice(client, prov)["balance_minor"] == 0

