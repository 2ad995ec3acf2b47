"""Card events as the emulator itself sends them: `setup_intent.succeeded` keeps a card saved
on a page that never came back, `payment_method.detached` forgets it (both read back)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests import factories as f
from tests.support.net import wait_until
from tests.support.stripe_helpers import CARD_OK


def _booking_card(app, booking_id: int) -> str | None:
    from skod.calls.models import Booking
    from skod.extensions import db

    with app.app_context():
        db.session.remove()
        return db.session.get(Booking, booking_id).stripe_payment_method_id


def _event_states(app, kind: str, object_id: str) -> list[str]:
    """This object's events of that kind (a late event of an earlier test may arrive too)."""
    from skod.extensions import db
    from skod.webhooks.models import StripeEvent

    with app.app_context():
        db.session.remove()
        return list(db.session.scalars(select(StripeEvent.status).where(
            StripeEvent.type == kind, StripeEvent.object_id == object_id)))


def test_setup_succeeded_then_card_detached(app, client, card_pm, stripe_raw, stripe_webhooks):
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=10)))
    assert booking["payment"]["intent"] == "setup"
    setup_id = booking["payment"]["client_secret"].split("_secret_")[0]
    pm = card_pm(CARD_OK).id
    # The page confirms the card at Stripe, then the client closes it: only the event tells us.
    stripe_raw.v1.setup_intents.confirm(setup_id, params={"payment_method": pm})
    wait_until(lambda: _booking_card(app, booking["id"]) == pm, timeout=20,
               what="card kept from setup_intent.succeeded")
    # the handler's change is committed before the event is marked processed: wait for both
    wait_until(lambda: _event_states(app, "setup_intent.succeeded", setup_id) == ["processed"],
               timeout=20, what="setup_intent.succeeded marked processed")

    stripe_raw.v1.payment_methods.detach(pm)
    wait_until(lambda: _booking_card(app, booking["id"]) is None, timeout=20,
               what="card forgotten on payment_method.detached")
    wait_until(lambda: _event_states(app, "payment_method.detached", pm) == ["processed"],
               timeout=20, what="payment_method.detached marked processed")
