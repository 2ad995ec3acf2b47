"""A transfer intent never asks a stale amount (issue 22, point 2), on the real emulator with
its webhooks: when the debt's balance changes another way, its open transfer PaymentIntent is
cancelled at Stripe and offered again for what is still owed.

- 1,200.00 owed, 500.00 recorded by the provider: the transfer now asks 700.00 (the old intent
  cancelled at Stripe); a 700.00 transfer closes the case.
- 500.00 arrived by transfer, then the provider records the rest: the 500.00 counted to the debt
  is not left stuck on the cancelled intent nor handed back: an intent of exactly 500.00 takes it
  from the client's cash balance and succeeds (the provider receives it); the debt counted once.
- 500.00 arrived by transfer, then the invoice is paid in full another way: the 500.00 goes back
  to the client's credit, shown on the case page with its refund.
"""

from __future__ import annotations

from tests.support.dunning import debt_facts, declined_debts, mark_transfer, walk
from tests.support.net import wait_until
from tests.support.webhook_chaos import drain
from tests.test_dunning_bank_transfer import _fund, _pay_page, _transfer


def _at_stripe(app, prov: dict, intent: str):
    from skod.stripe_gateway import gateway

    with app.app_context():
        return gateway().on(prov["account"]).retrieve_transfer_intent(intent)


def _now(app):
    from skod.core.clock import utcnow

    with app.app_context():
        return utcnow()


def _rows(app, rid: int) -> list[tuple[str, int, int]]:
    from sqlalchemy import select

    from skod.dunning.transfers.models import TransferIntent
    from skod.extensions import db

    with app.app_context():
        return [(r.status, r.amount_minor, r.funded_minor) for r in db.session.scalars(
            select(TransferIntent).where(TransferIntent.receivable_id == rid)
            .order_by(TransferIntent.id))]


def _debt_with_transfer(app, client, card_pm, stripe_emulator) -> tuple[dict, int, dict]:
    prov, _project, [rid] = declined_debts(app, client, card_pm, stripe_emulator,
                                           milestones=(("Build", 120000),))
    _pay_page(app, client, rid)  # the page offers the transfer: 1,200.00
    first = _transfer(app, rid)
    assert first["status"] == "open" and _at_stripe(app, prov, first["intent"]).amount == 120000
    return prov, rid, first


def test_a_payment_recorded_brings_the_transfer_to_the_new_balance(
        app, client, card_pm, stripe_emulator, stripe_webhooks, outbox):
    prov, rid, first = _debt_with_transfer(app, client, card_pm, stripe_emulator)
    mark_transfer(app, prov, rid, 50000, _now(app))
    assert debt_facts(app, rid)["balance"] == 70000
    now = _transfer(app, rid)
    assert now["intent"] != first["intent"] and now["status"] == "open"
    assert _at_stripe(app, prov, first["intent"]).status == "canceled"
    asked = _at_stripe(app, prov, now["intent"])
    assert (asked.status, asked.amount, asked.amount_remaining) == ("requires_action", 70000,
                                                                     70000)
    assert _rows(app, rid) == [("canceled", 120000, 0), ("open", 70000, 0)]
    page = _pay_page(app, client, rid)
    assert now["reference"] in page and _transfer(app, rid)["intent"] == now["intent"]

    _fund(stripe_emulator, now["customer"], 70000, now["reference"])
    wait_until(lambda: debt_facts(app, rid)["paid"] == 120000, timeout=20, what="700.00")
    assert _transfer(app, rid)["status"] == "succeeded"
    from skod.dunning.debts.models import Receivable
    from skod.extensions import db

    with app.app_context():
        assert db.session.get(Receivable, rid).status == "paid"
    drain(app, stripe_emulator)  # every event handled (none failed) before the next test


def test_a_partly_funded_transfer_of_a_debt_paid_otherwise_pays_the_provider(
        app, client, card_pm, stripe_emulator, stripe_webhooks, outbox):
    prov, rid, first = _debt_with_transfer(app, client, card_pm, stripe_emulator)
    _fund(stripe_emulator, first["customer"], 50000, first["reference"])
    wait_until(lambda: debt_facts(app, rid)["balance"] == 70000, timeout=20, what="500.00")
    mark_transfer(app, prov, rid, None, _now(app))  # the rest, recorded by the provider
    assert _at_stripe(app, prov, first["intent"]).status == "canceled"
    wait_until(lambda: _transfer(app, rid)["status"] == "succeeded", timeout=20,
               what="the 500.00 taken back by an intent of its own")
    last = _transfer(app, rid)
    taken = _at_stripe(app, prov, last["intent"])
    assert (taken.status, taken.amount) == ("succeeded", 50000)
    assert _rows(app, rid) == [("canceled", 120000, 50000), ("succeeded", 50000, 50000)]
    with app.app_context():
        from skod.stripe_gateway import gateway

        assert gateway().on(prov["account"]).cash_balance(first["customer"], "EUR") == 0
    wait_until(lambda: _transfer(app, rid)["credit"] == 0, timeout=20, what="no credit")
    facts = debt_facts(app, rid)
    assert (facts["paid"], facts["balance"]) == (120000, 0)  # counted once
    drain(app, stripe_emulator)


def test_a_partly_funded_transfer_of_an_invoice_paid_elsewhere_becomes_credit(
        app, client, card_pm, stripe_emulator, stripe_webhooks, outbox):
    prov, rid, first = _debt_with_transfer(app, client, card_pm, stripe_emulator)
    walk(app, rid, until_step=0)  # the notice: the debt's invoice is issued with it
    assert _transfer(app, rid)["intent"] == first["intent"]
    _fund(stripe_emulator, first["customer"], 50000, first["reference"])
    wait_until(lambda: debt_facts(app, rid)["balance"] == 70000, timeout=20, what="500.00")
    with app.app_context():
        from skod.invoicing import ledger

        ledger.mark_paid(debt_facts(app, rid)["invoice_id"], _now(app), method="card")
    assert _at_stripe(app, prov, first["intent"]).status == "canceled"
    wait_until(lambda: _transfer(app, rid)["credit"] == 50000, timeout=20, what="the credit")
    assert _rows(app, rid) == [("canceled", 120000, 50000)]
    client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    case = client.get(f"/dashboard/receivables/{rid}").get_data(as_text=True)
    assert "data-transfer-credit" in case and 'data-action="refund-credit"' in case
    drain(app, stripe_emulator)
