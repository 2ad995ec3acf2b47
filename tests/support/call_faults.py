"""A call whose hold is gone at Stripe when it ends: shared by the tests of a refused capture
(tests/test_calls_faults.py) and of the receivable it opens
(tests/test_dunning_rules_guarded.py)."""

from __future__ import annotations

from datetime import timedelta

from tests import factories as f
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OK


def end_with_intent_gone(app, client, card_pm, minutes: int = 10) -> tuple[dict, dict, dict]:
    """(provider, booking, the End answer) of a call held with a good card whose intent is then
    gone at Stripe (as after an expired hold), so that its capture is refused."""
    from skod.extensions import db
    from skod.payments.models import Payment

    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    f.pay(client, booking, card_pm(CARD_OK).id)
    with app.app_context():
        payment = db.session.scalar(db.select(Payment).filter_by(booking_id=booking["id"]))
        payment.stripe_payment_intent_id = "pi_does_not_exist"
        db.session.commit()
    status, body = api(client, "POST", f"/api/v1/bookings/{booking['id']}/end",
                       json={"minutes": minutes}, token=prov["token"])
    assert status == 200, body
    return prov, booking, body
