"""Bank transfers that match themselves (issue 22, point 2), end to end on the real emulator with
its webhooks delivered to the app: a receivable of 1,200.00 whose J+7 e-mail and pay page give
the client's virtual IBAN and the reference; 500.00 arrives (the emulator's fund control) -> the
balance is 700.00 and interest runs on 700.00 from that day, the same event processed again
counts nothing more; 700.00 more -> the case is paid, the invoice too, the provider is told and
no J+15 e-mail goes; 50.00 more -> the client's credit is shown on the case page and refunded
in one click.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from skod.accounts.bank import grouped
from skod.core.clock import local_date
from tests import factories as f
from tests.support.dunning import (
    assert_in_both,
    at_offset,
    debt_facts,
    declined_debts,
    money,
    walk,
)
from tests.support.net import wait_until


def _transfer(app, rid: int) -> dict:
    from skod.dunning.transfers.store import current
    from skod.extensions import db

    with app.app_context():
        row = current(rid)
        db.session.refresh(row)
        return {"iban": row.iban, "reference": row.reference, "customer": row.stripe_customer_id,
                "status": row.status, "funded": row.funded_minor, "credit": row.credit_minor,
                "intent": row.stripe_payment_intent_id}


def _fund(stripe_emulator, customer: str, amount: int, reference: str) -> None:
    stripe_emulator.control(f"customers/{customer}/fund",
                            {"amount": amount, "currency": "eur", "reference": reference})


def _pay_page(app, client, rid: int) -> str:
    from skod.dunning.debts import links
    from skod.dunning.debts.models import Receivable
    from skod.extensions import db

    with app.app_context():
        url = links.pay_url(db.session.get(Receivable, rid))
    resp = client.get(url[url.index("/pay/"):])
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _interest_check(app, rid: int, until) -> None:
    """The 500.00 counts from the day it arrived: interest on 1,200.00 until then, 700.00 after."""
    from skod.dunning.debts.models import Receivable
    from skod.dunning.owed import rates
    from skod.dunning.owed.history import payments_of, penalties_of
    from skod.dunning.rules.penalties import compute
    from skod.extensions import db

    with app.app_context():
        r = db.session.get(Receivable, rid)
        [(day, amount)] = payments_of(r, until)
        assert amount == 50000 and day == local_date(r.opened_at, r.provider.timezone) or (
            day >= r.due_date)
        table = rates.table()
        real = penalties_of(r, until, table)
        expected = compute(amount_minor=120000, currency="EUR", due=r.due_date, until=until,
                           client_kind=r.client_kind, table=table, payments=[(day, 50000)])
        on_700 = compute(amount_minor=70000, currency="EUR", due=r.due_date, until=until,
                         client_kind=r.client_kind, table=table)
        assert real.interest_minor == expected.interest_minor > 0
        if day <= r.due_date:  # paid before interest started: all of it runs on 700.00
            assert real.interest_minor == on_700.interest_minor


def _replay_partial_funding(app) -> None:
    """The partially_funded event processed once more: nothing more is counted. (An event of
    an earlier test, delivered late, is ignored: not one of this database's intents.)"""
    from skod.core.clock import utcnow
    from skod.extensions import db
    from skod.webhooks.models import StripeEvent
    from skod.webhooks.processing import process

    def processed() -> int | None:
        with app.app_context():
            return db.session.scalar(select(StripeEvent.id).where(
                StripeEvent.type == "payment_intent.partially_funded",
                StripeEvent.status == "processed"))
    wait_until(lambda: processed() is not None, timeout=20,
               what="the partially_funded event processed")
    with app.app_context():
        assert process(processed(), utcnow(), replay=True) == "processed"


def test_a_receivable_paid_by_two_transfers_then_a_credit(
        app, client, card_pm, stripe_emulator, stripe_webhooks, outbox):
    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator,
                                          milestones=(("Build", 120000),))
    email = project["email"]
    outbox.clear()
    t0, t1 = walk(app, rid, until_step=1)  # the notice, then J+7
    notice, friendly = outbox.to(email)
    shown = _transfer(app, rid)
    assert shown["status"] == "open" and shown["iban"].startswith("FR") and shown["reference"]
    assert_in_both(friendly, shown["iban"], shown["reference"], money(120000, "fr"))
    page = _pay_page(app, client, rid)
    assert grouped(shown["iban"]) in page and shown["reference"] in page  # grouped by four
    assert _transfer(app, rid)["intent"] == shown["intent"]  # the page made no second one

    _fund(stripe_emulator, shown["customer"], 50000, shown["reference"])
    wait_until(lambda: debt_facts(app, rid)["balance"] == 70000, timeout=20, what="500.00")
    _replay_partial_funding(app)
    assert debt_facts(app, rid)["balance"] == 70000 and _transfer(app, rid)["funded"] == 50000
    due = debt_facts(app, rid)["due"]
    t2 = at_offset(due, 15, t1)
    _interest_check(app, rid, t2.date())
    assert shown["reference"] in _pay_page(app, client, rid)  # still open for the rest

    provider_mails = len(outbox.to(prov["email"]))
    _fund(stripe_emulator, shown["customer"], 70000, shown["reference"])
    wait_until(lambda: debt_facts(app, rid)["paid"] == 120000, timeout=20, what="700.00")
    facts = debt_facts(app, rid)
    with app.app_context():
        from skod.dunning.debts.models import Receivable
        from skod.extensions import db

        r = db.session.get(Receivable, rid)
        assert r.status == "paid" and r.invoice.paid and r.invoice.payment_method

    def told_paid() -> bool:  # the provider's e-mail: the invoice settled (and the milestone)
        return any(facts["number"] in m["Subject"]
                   for m in outbox.to(prov["email"])[provider_mails:])
    wait_until(told_paid, timeout=20, what="the provider's e-mail")
    assert _transfer(app, rid)["status"] == "succeeded"

    client_mails = [m["Subject"] for m in outbox.to(email)]
    f.tick(app, t2)  # J+15: the case is paid, no formal reminder
    f.tick(app, t2 + timedelta(days=20))
    assert [m["Subject"] for m in outbox.to(email)] == client_mails

    _fund(stripe_emulator, shown["customer"], 5000, shown["reference"])
    wait_until(lambda: _transfer(app, rid)["credit"] == 5000, timeout=20, what="the credit")
    assert debt_facts(app, rid)["paid"] == 120000  # the credit is not a payment of the debt
    client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    case = client.get(f"/dashboard/receivables/{rid}?lang=fr").get_data(as_text=True)
    assert "data-transfer-credit" in case and money(5000, "fr") in case
    done = client.post(f"/dashboard/receivables/{rid}/refund-credit", data={})
    assert done.status_code == 302
    assert _transfer(app, rid)["credit"] == 0
    with app.app_context():
        from skod.stripe_gateway import gateway

        account = prov["account"]
        assert gateway().on(account).cash_balance(shown["customer"], "EUR") == 0
    case = client.get(f"/dashboard/receivables/{rid}").get_data(as_text=True)
    assert "data-transfer-credit" not in case


def test_a_debt_paid_another_way_withdraws_its_transfer(
        app, client, card_pm, stripe_emulator, stripe_webhooks, outbox):
    """The provider records the whole balance as paid: the unfunded transfer intent is
    cancelled at Stripe, and a transfer arriving afterwards stays the client's credit."""
    from tests.support.dunning import mark_transfer

    prov, _project, [rid] = declined_debts(app, client, card_pm, stripe_emulator,
                                           milestones=(("Build", 120000),))
    _pay_page(app, client, rid)  # the page offers the transfer
    shown = _transfer(app, rid)
    assert shown["status"] == "open"
    with app.app_context():
        from skod.core.clock import utcnow

        now = utcnow()
    mark_transfer(app, prov, rid, None, now)
    assert debt_facts(app, rid)["balance"] == 0 and _transfer(app, rid)["status"] == "canceled"
    with app.app_context():
        from skod.stripe_gateway import gateway

        gw = gateway().on(prov["account"])
        assert gw.retrieve_transfer_intent(shown["intent"]).status == "canceled"
    _fund(stripe_emulator, shown["customer"], 120000, shown["reference"])
    wait_until(lambda: _transfer(app, rid)["credit"] == 120000, timeout=20, what="the credit")
    assert debt_facts(app, rid)["paid"] == 120000  # counted once, by the provider's record
