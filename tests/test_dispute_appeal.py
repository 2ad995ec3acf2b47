"""Every dispute status of the pinned version (issue 20, point 9): a lost dispute taken to
appeal (appeal_needs_response, 2026-10-28.endive) keeps its amount withdrawn and owed, and the
provider is told the appeal's deadline; an inquiry moves no money; each status has its words."""

from __future__ import annotations

from datetime import UTC, datetime

import stripe

from tests import factories as f
from tests.dunning_support import receivable_of
from tests.support.net import wait_until
from tests.test_dunning_disputes import paid_call

DEBTOR = "appeal@example.test"


def _row(app, stripe_id: str):  # noqa: ANN202 - (id, status) of our mirror
    from skod.extensions import db
    from skod.payments.disputes import Dispute

    with app.app_context():
        row = db.session.scalar(db.select(Dispute).where(Dispute.stripe_dispute_id == stripe_id))
        return (row.id, row.status) if row is not None else (None, None)


def _owed_on_invoice(app, payment_id: int) -> int:
    from skod.extensions import db
    from skod.invoicing.issuing import invoice_of_payment
    from skod.invoicing.queries import balances
    from skod.payments.models import Payment

    with app.app_context():
        invoice = invoice_of_payment(db.session.get(Payment, payment_id))
        return balances([invoice])[invoice.id]


def test_every_status_of_the_pinned_version_has_words():
    from skod.payments.disputes import CLOSED, OPEN, STATUS_WORDS

    pinned = set(stripe.Dispute.__annotations__["status"].__args__[0].__args__)
    assert pinned == set(OPEN) | set(CLOSED) == set(STATUS_WORDS), pinned


def test_a_lost_dispute_taken_to_appeal_stays_owed_and_the_provider_gets_the_deadline(
        app, client, card_pm, stripe_emulator, stripe_webhooks, outbox):
    prov = f.provider(client)
    payment = paid_call(client, card_pm, prov, DEBTOR)
    dispute = stripe_emulator.dispute(payment["stripe_payment_intent_id"], amount=1000,
                                      reason="product_not_received")
    stripe_emulator.close_dispute(dispute["id"], "lost")
    wait_until(lambda: _row(app, dispute["id"])[1] == "lost", timeout=20, what="lost")
    source = f"dispute:{_row(app, dispute['id'])[0]}"
    wait_until(lambda: receivable_of(app, source) is not None, timeout=20, what="debt")
    assert _owed_on_invoice(app, payment["id"]) == 1000
    outbox.clear()
    appealed = stripe_emulator.control(f"disputes/{dispute['id']}/appeal")
    assert appealed["status"] == "appeal_needs_response"
    wait_until(lambda: _row(app, dispute["id"])[1] == "appeal_needs_response", timeout=20,
               what="appeal mirrored")
    debt = receivable_of(app, source)
    owed = _owed_on_invoice(app, payment["id"])
    print("under appeal: debt", debt.status, debt.principal_minor, "invoice owes", owed)
    assert (debt.status, debt.principal_minor) == ("open", 1000) and owed == 1000
    due = datetime.fromtimestamp(appealed["evidence_details"]["due_by"], UTC)
    def appeal_mails():  # noqa: ANN202 - in the provider's language (appeal / appel)
        return [m for m in outbox.to(prov["email"]) if "appe" in str(m["Subject"])]

    wait_until(appeal_mails, timeout=20, what="appeal e-mail")
    [mail] = appeal_mails()
    body = " ".join(mail.get_body(("plain",)).get_content().split())
    from skod.core.formats import moment

    with app.app_context():
        deadline = moment(due, "Europe/Paris", "fr")  # the provider's zone and language
    print("appeal e-mail:", mail["Subject"], "| deadline:", deadline)
    assert deadline in str(mail["Subject"]) and deadline in body
    assert "stays withdrawn" in body or "reste repris" in body
    # won on appeal: the funds come back and the debt its loss opened is settled
    stripe_emulator.update_dispute(dispute["id"])
    stripe_emulator.close_dispute(dispute["id"], "won")
    wait_until(lambda: receivable_of(app, source).status == "paid", timeout=20,
               what="debt settled when the appeal is won")
    assert _owed_on_invoice(app, payment["id"]) == 0


def test_an_inquiry_moves_no_money_and_closes_without_a_debt(
        app, client, card_pm, stripe_emulator, stripe_webhooks, outbox):
    prov = f.provider(client)
    payment = paid_call(client, card_pm, prov, DEBTOR)
    inquiry = stripe_emulator.control(
        f"payment_intents/{payment['stripe_payment_intent_id']}/dispute",
        {"inquiry": True, "reason": "unrecognized"})
    assert inquiry["status"] == "warning_needs_response"
    wait_until(lambda: _row(app, inquiry["id"])[1] == "warning_needs_response", timeout=20,
               what="inquiry mirrored")
    assert _owed_on_invoice(app, payment["id"]) == 0
    stripe_emulator.close_dispute(inquiry["id"], "warning_closed")
    wait_until(lambda: _row(app, inquiry["id"])[1] == "warning_closed", timeout=20,
               what="inquiry closed")
    assert receivable_of(app, f"dispute:{_row(app, inquiry['id'])[0]}") is None
    assert _owed_on_invoice(app, payment["id"]) == 0
