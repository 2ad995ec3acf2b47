"""The client's own payment of a milestone after an off-session failure (a declined hold or
charge, 3-D Secure asked, a SEPA debit returned unpaid): the link's page authorizes with the
saved card or a new one, and 3-D Secure is read back. The money's rules are settlement's."""

from __future__ import annotations

from datetime import datetime

from skod.core.errors import Conflict
from skod.extensions import db
from skod.payments import cards
from skod.payments import services as pay
from skod.payments.models import Payment
from skod.projects.settlement import _new, _send, after_payment, lock_milestone


def authorize(milestone_id: int, payment_method: str | None, now: datetime) -> dict:
    """The client's link after an off-session failure: 3-D Secure on the intent the server
    confirmed, or a new card. Not done yet: a hold; done: the charge itself."""
    milestone = lock_milestone(milestone_id)
    if milestone.status not in ("action_required", "payment_failed"):
        raise Conflict(f"the milestone is {milestone.status}", code="invalid_state")
    project, last = milestone.project, milestone.last_payment()
    if payment_method:
        pm = cards.confirmed_card(project, project.client, f"project:{project.id}",
                                  payment_method)
        project.payment_method_kind = "card"  # the client pays by card from now on
        if pm is None:
            return {"status": "requires_action", "client_secret": project.setup_client_secret,
                    "intent": "setup"}
    elif last is not None and last.status == "requires_action":
        db.session.commit()
        return {"status": "requires_action", "client_secret": pay.client_secret_of(last),
                "intent": "payment"}
    charge = milestone.completed_at is not None
    if not charge:
        milestone.hold_attempts += 1
    payment = _new(milestone, key=f"authorize:milestone:{milestone.id}:"
                   f"{len(milestone.payments) + 1}", off_session=False)
    payment_id = payment.id
    milestone = _send(milestone_id, payment_id, manual=not charge, now=now, settling=charge)
    return outcome_of(db.session.get(Payment, payment_id))


def confirm(milestone_id: int, now: datetime) -> dict:
    """After 3-D Secure on the page: read the intent back and move the milestone."""
    milestone = lock_milestone(milestone_id)
    last = milestone.last_payment()
    if last is None or last.status != "requires_action" or not last.stripe_payment_intent_id:
        db.session.commit()
        return {"status": milestone.status}
    pay.apply_intent(last, pay.read_intent(last), now)
    payment_id = last.id
    db.session.commit()
    after_payment(milestone_id, payment_id, now, settling=milestone.completed_at is not None)
    return outcome_of(db.session.get(Payment, payment_id))


def outcome_of(payment: Payment) -> dict:
    if payment.status == "requires_action":
        return {"status": "requires_action", "client_secret": pay.client_secret_of(payment),
                "intent": "payment"}
    if payment.status == "failed":
        return {"status": "failed", "error": {"code": payment.last_error_code,
                                              "kind": payment.last_error_kind}}
    return {"status": payment.status}
