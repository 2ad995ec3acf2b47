"""A payment plan paid by SEPA Direct Debit: when the saved card cannot carry instalments, the
client signs a mandate on the plan page (a SetupIntent for sepa_debit, confirmed as Stripe.js
does, with the client's acceptance); each instalment is debited under it on its date
(`processing`), paid when the bank pays (webhook, then the next tick), and a returned debit fails
the plan as a refused card instalment does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from skod.core.clock import parse_iso
from tests import factories as f
from tests.dunning_paypage_support import business_at, debt, recovery_intents, state
from tests.support import clock
from tests.support.api import api
from tests.support.net import wait_until
from tests.test_dunning_plans import _ask, _decide, _plan_rows
from tests.test_emulator_sepa import ACCEPTANCE, IBAN_OK

HARD = {"decline_code": "stolen_card"}  # the saved card can carry no instalment


@pytest.fixture
def webhooks(stripe_webhooks):
    """The emulator's events delivered to the app; at teardown, every copy delivered before
    the database is emptied (a late one would race the next test's cleanup)."""
    yield stripe_webhooks
    wait_until(lambda: stripe_webhooks.webhooks_status()["pending"] == 0, timeout=20,
               what="the webhooks delivered")


def _token(d: dict) -> str:
    return d["path"].rsplit("/", 1)[1]


def _sign(app, client, stripe_raw, d: dict) -> str:
    """The mandate signed through the plan page's API; the saved bank account's id."""
    base = f"/api/v1/pay/{d['id']}/plan"
    status, step = api(client, "POST", f"{base}/sepa-setup", token=_token(d))
    assert (status, step["status"], step["intent"]) == (200, "open", "setup"), step
    status, again = api(client, "POST", f"{base}/sepa-setup", token=_token(d))
    assert again["client_secret"] == step["client_secret"]  # a page that comes back
    status, body = api(client, "POST", f"{base}/sepa-mandate", token=_token(d))
    assert (status, body["error"]["code"]) == (409, "mandate_not_signed")
    setup_id = step["client_secret"].split("_secret_")[0]
    setup = stripe_raw.v1.setup_intents.confirm(setup_id, params={
        "payment_method_data": {"type": "sepa_debit", "sepa_debit": {"iban": IBAN_OK},
                                "billing_details": {"name": "Dana Buyer",
                                                    "email": d["email"]}},
        "mandate_data": ACCEPTANCE})
    assert setup.status == "succeeded" and setup.mandate
    status, body = api(client, "POST", f"{base}/sepa-mandate", token=_token(d))
    assert (status, body["status"]) == (200, "card_saved"), body
    assert state(app, d["id"])["card"] == setup.payment_method
    return setup.payment_method


def _payment(app, pi_id: str) -> tuple[str, str | None]:
    from skod.extensions import db
    from skod.payments.models import Payment

    with app.app_context():
        db.session.expire_all()
        row = db.session.scalar(select(Payment).where(
            Payment.stripe_payment_intent_id == pi_id))
        return row.status, row.method


def test_instalments_are_debited_under_the_mandate_and_a_returned_debit_fails_the_plan(
        app, client, stripe_emulator, webhooks, stripe_raw, card_pm, outbox):
    d = debt(app, client, stripe_emulator, card_pm, refusal=HARD)
    assert _ask(client, d, 2).status_code == 303  # no card for instalments: the card step
    assert _plan_rows(app, d["id"]) == []
    bank_account = _sign(app, client, stripe_raw, d)
    assert _ask(client, d, 2).status_code == 303
    assert _plan_rows(app, d["id"]) == [("proposed", ["scheduled", "scheduled"])]

    status, plan = _decide(client, d, "accept")
    assert status == 200, plan
    assert [i["status"] for i in plan["schedule"]] == ["scheduled", "scheduled"]
    assert recovery_intents(app, d["id"], "instalment:") == []  # debited on its date
    first_due = parse_iso(plan["schedule"][0]["due_at"])
    f.tick(app, first_due + timedelta(minutes=1))
    [first] = recovery_intents(app, d["id"], "instalment:")
    pi = stripe_raw.v1.payment_intents.retrieve(first)
    assert (pi.status, pi.amount, pi.payment_method) == ("processing", 6_000, bank_account)
    assert pi.payment_method_types == ["sepa_debit"]
    assert _payment(app, first) == ("processing", "sepa_debit")
    f.tick(app, first_due + timedelta(minutes=5))  # still at the bank: nothing moves
    assert _plan_rows(app, d["id"]) == [("accepted", ["charging", "scheduled"])]

    stripe_emulator.settle_debit(first)
    wait_until(lambda: _payment(app, first)[0] == "captured", timeout=20,
               what="the first debit paid")
    f.tick(app, first_due + timedelta(minutes=10))
    assert _plan_rows(app, d["id"]) == [("accepted", ["paid", "scheduled"])]
    assert state(app, d["id"])["balance"] == 6_000

    second = parse_iso(plan["schedule"][1]["due_at"])
    f.tick(app, second + timedelta(minutes=1))
    [_, debit] = recovery_intents(app, d["id"], "instalment:")
    assert _payment(app, debit) == ("processing", "sepa_debit")
    told = len(outbox.to(d["email"]))
    stripe_emulator.fail_debit(debit, "insufficient_funds")
    wait_until(lambda: _payment(app, debit)[0] == "failed", timeout=20,
               what="the second debit returned unpaid")
    f.tick(app, business_at(second.astimezone(clock.PARIS).date() + timedelta(days=1)))
    assert _plan_rows(app, d["id"]) == [("failed", ["paid", "failed"])]
    case = state(app, d["id"])
    assert (case["status"], case["pause_reason"], case["balance"]) == ("open", None, 6_000)
    subjects = [m["Subject"] for m in outbox.to(d["email"])[told:]]
    assert subjects.count("Une mensualité n'a pas pu être prélevée") == 1
    assert stripe_raw.v1.payment_intents.retrieve(debit).amount_received == 0

    # the bank account is the debt's payment method now: no card retry is made on it
    later = business_at(second.astimezone(clock.PARIS).date() + timedelta(days=3))
    with app.app_context():
        from skod.dunning.debts.models import DunningEvent, Receivable
        from skod.extensions import db

        receivable = db.session.get(Receivable, d["id"])  # a retry due (the sweep's index)
        receivable.next_retry_at = receivable.next_action_at = later - timedelta(hours=1)
        db.session.commit()
    f.tick(app, later)
    assert recovery_intents(app, d["id"], "retry:") == []
    with app.app_context():
        skipped = db.session.scalars(select(DunningEvent.data).where(
            DunningEvent.receivable_id == d["id"], DunningEvent.kind == "retry_skipped")).all()
        assert skipped == [{"why": "bank_account"}]
        assert db.session.get(Receivable, d["id"]).next_retry_at is None


def test_sepa_for_a_plan_takes_euros_only_and_the_pay_link_only(
        app, client, stripe_emulator, card_pm):
    d = debt(app, client, stripe_emulator, card_pm, refusal=HARD)
    base = f"/api/v1/pay/{d['id']}/plan"
    assert api(client, "POST", f"{base}/sepa-setup")[0] == 401
    assert api(client, "POST", f"{base}/sepa-setup", token="nope")[0] == 404
    with app.app_context():
        from skod.dunning.debts.models import Receivable
        from skod.extensions import db

        db.session.get(Receivable, d["id"]).currency = "USD"
        db.session.commit()
    status, body = api(client, "POST", f"{base}/sepa-setup", token=_token(d))
    assert (status, body["error"]["code"]) == (409, "currency_not_supported")
