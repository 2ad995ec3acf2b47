"""A client's dispute with their bank, as the emulator sends it: their open cases with that
provider pause while it is open, go on when it closes, and a lost one leaves a debt."""

from __future__ import annotations

from datetime import timedelta

from tests import factories as f
from tests.dunning_support import project_debt, receivable_of
from tests.support.api import api
from tests.support.net import wait_until
from tests.support.stripe_helpers import CARD_OK

DEBTOR = "debtor@example.test"


def paid_call(client, card_pm, prov: dict, email: str = DEBTOR) -> dict:
    """A call of the same person with the same provider, ended and captured."""
    b = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)), email=email,
               kind="business")
    f.pay(client, b, card_pm(CARD_OK).id)
    status, body = api(client, "POST", f"/api/v1/bookings/{b['id']}/end",
                       json={"minutes": 15}, token=prov["token"])
    assert status == 200 and body["status"] == "completed"
    return body["payments"][0]


def _status(app, source: str) -> tuple[str, str | None]:
    row = receivable_of(app, source)
    return (row.status, row.pause_reason) if row else ("none", None)


def test_a_bank_dispute_pauses_the_clients_cases_until_it_closes(
        app, client, card_pm, stripe_emulator, stripe_webhooks):
    prov = f.provider(client)
    _prov, _project, milestone = project_debt(client, card_pm, prov=prov)
    source = f"milestone:{milestone['id']}"
    payment = paid_call(client, card_pm, prov)
    dispute = stripe_emulator.dispute(payment["stripe_payment_intent_id"], reason="duplicate")
    wait_until(lambda: _status(app, source) == ("paused", "stripe_dispute"), timeout=20,
               what="case paused by the dispute")
    stripe_emulator.close_dispute(dispute["id"], "won")
    wait_until(lambda: _status(app, source) == ("open", None), timeout=20,
               what="case resumed when the dispute closed")
    debt = receivable_of(app, source)
    assert debt.next_action_at is not None and debt.last_step == -1  # nothing skipped
    assert receivable_of(app, f"dispute:{dispute['id']}") is None  # won: nothing owed


def test_a_lost_dispute_is_owed_again_and_never_retried(app, client, card_pm, stripe_emulator,
                                                       stripe_webhooks):
    from skod.extensions import db
    from skod.payments.disputes import Dispute

    prov = f.provider(client)
    payment = paid_call(client, card_pm, prov)
    dispute = stripe_emulator.dispute(payment["stripe_payment_intent_id"], amount=1000,
                                      reason="product_not_received")
    stripe_emulator.close_dispute(dispute["id"], "lost")

    def ours():  # noqa: ANN202
        with app.app_context():
            row = db.session.scalar(db.select(Dispute).where(
                Dispute.stripe_dispute_id == dispute["id"]))
            return row.id if row is not None and row.status == "lost" else None

    wait_until(lambda: ours() is not None, timeout=20, what="dispute lost")
    wait_until(lambda: receivable_of(app, f"dispute:{ours()}") is not None, timeout=20,
               what="debt opened for the lost dispute")
    debt = receivable_of(app, f"dispute:{ours()}")
    assert (debt.principal_minor, debt.status, debt.next_retry_at) == (1000, "open", None)
    assert (debt.failure_code, debt.client_kind) == ("dispute_lost", "business")
    assert debt.invoice_id is not None  # the call's invoice is the document
