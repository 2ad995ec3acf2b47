"""Debts built the real way for the pay page and payment plan tests: a project's milestone is
marked done, its off-session charge on the client's saved card is refused (the emulator's
scripted declines), and the project's own code opens the receivable. Plus the instants the
ladder sends at (French business days, 10:00 in Paris) and small readers of the database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from skod.core.signing import make_token
from skod.dunning.rules.ladder import is_business_day
from tests import factories as f
from tests.support import clock
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OK

AMOUNT = 12_000
SOFT = {"decline_code": "insufficient_funds"}
AUTH = {"authentication_required": True}
IBAN = "FR7630006000011234567890189"


def business_at(day: date, hour: int = 10) -> datetime:
    """`hour`:00 in Paris on the first French business day from `day` (UTC)."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, time(hour), clock.PARIS).astimezone(UTC)


def debt(app, client, stripe_emulator, card_pm, refusal: dict | None = SOFT,
         amount: int = AMOUNT, email: str = "dana@example.test", number: str = CARD_OK) -> dict:
    """A delivered milestone whose charge was refused: its provider, project, receivable id,
    pay page path and the saved card (a good card: later charges succeed unless scripted;
    `number` 4000000000000341 with `refusal` None: a card that refuses every charge)."""
    prov = f.provider(client)
    status, project = api(client, "POST", "/api/v1/projects", token=prov["token"], json={
        "client": {"email": email, "name": "Dana Buyer", "kind": "business",
                   "company_name": "Buyer SARL", "address": "4 quai Rambaud\n69002 Lyon"},
        "title": "New website", "currency": "EUR",
        "milestones": [{"title": "Build", "amount_minor": amount,
                        "expected_on": clock.paris_day(clock.current(), 21).isoformat()}]})
    assert status == 201, project
    card = card_pm(number).id
    status, body = api(client, "POST", f"/api/v1/projects/{project['id']}/payment-method",
                       json={"payment_method": card}, token=project["client_token"])
    assert status == 200 and body["status"] == "accepted", body
    status, read = api(client, "GET", f"/api/v1/projects/{project['id']}",
                       token=project["client_token"])
    milestone = read["milestones"][0]
    if refusal:
        stripe_emulator.script_declines(card, refusal)
    status, done = api(client, "POST", f"/api/v1/milestones/{milestone['id']}/complete",
                       json={}, token=prov["token"])
    assert status == 200 and done["status"] in ("payment_failed", "action_required"), done
    with app.app_context():
        from skod.core.clock import utcnow
        from skod.invoicing import issuing

        # the invoicing net of the next tick, run now: the debt has its invoice (a milestone
        # waiting for 3-D Secure gets none yet: that is the invoicing's rule)
        issuing.issue_for_milestone(milestone["id"], utcnow())
        receivable = receivable_of(f"milestone:{milestone['id']}")
        assert receivable is not None, "the refused charge opened no receivable"
        path = f"/pay/{receivable.id}/{make_token('pay', receivable.id)}"
        return {"provider": prov, "project": project, "milestone": milestone,
                "id": receivable.id, "path": path, "card": card, "email": email}


def receivable_of(source: str):  # noqa: ANN201
    from sqlalchemy import select

    from skod.dunning.debts.models import Receivable
    from skod.extensions import db

    return db.session.scalar(select(Receivable).where(Receivable.source == source))


def state(app, receivable_id: int) -> dict:
    """The case as the database holds it: status, balance, steps sent, pause, invoice paid."""
    from sqlalchemy import select

    from skod.dunning.debts.models import DunningStep, Receivable
    from skod.extensions import db

    with app.app_context():
        db.session.expire_all()
        r = db.session.get(Receivable, receivable_id)
        steps = db.session.scalars(select(DunningStep.step).where(
            DunningStep.receivable_id == receivable_id, DunningStep.status == "sent")
            .order_by(DunningStep.step)).all()
        return {"status": r.status, "balance": r.balance_minor, "paid": r.paid_minor,
                "steps": list(steps), "pause_reason": r.pause_reason,
                "paused_until": r.paused_until, "next_action_at": r.next_action_at,
                "invoice_paid": r.invoice.paid if r.invoice else None,
                "card": r.stripe_payment_method_id}


def recovery_intents(app, receivable_id: int, prefix: str = "") -> list[str]:
    """The PaymentIntents of the recovery payments of this debt whose key starts so."""
    from sqlalchemy import select

    from skod.extensions import db
    from skod.payments.models import Payment

    with app.app_context():
        return list(db.session.scalars(select(Payment.stripe_payment_intent_id).where(
            Payment.receivable_id == receivable_id, Payment.create_key.startswith(prefix),
            Payment.stripe_payment_intent_id.is_not(None)).order_by(Payment.id)))


def set_bank(app, provider_email: str) -> None:
    """The provider gives its bank details (the provider pages of H5 will have a form)."""
    from sqlalchemy import select

    from skod.accounts.models import Provider
    from skod.extensions import db

    with app.app_context():
        provider = db.session.scalar(select(Provider).where(Provider.email == provider_email))
        provider.iban, provider.bic = IBAN, "AGRIFRPP882"
        db.session.commit()


def save_plan_card(client, stripe_raw, card_pm, d: dict, number: str = CARD_OK) -> str:
    """A new card saved for the instalments through the plan page's API, as its Stripe.js
    step does (SetupIntent confirmed with the card, then sent back); the card's id."""
    token = d["path"].rsplit("/", 1)[1]
    status, step = api(client, "POST", f"/api/v1/pay/{d['id']}/plan/card-setup", token=token)
    assert status == 200 and step["intent"] == "setup", step
    new_card = card_pm(number).id
    stripe_raw.v1.setup_intents.confirm(step["client_secret"].split("_secret_")[0],
                                        params={"payment_method": new_card})
    status, saved = api(client, "POST", f"/api/v1/pay/{d['id']}/plan/payment-method",
                        json={"payment_method": new_card}, token=token)
    assert (status, saved["status"]) == (200, "card_saved"), saved
    return new_card
