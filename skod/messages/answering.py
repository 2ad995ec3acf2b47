"""The provider's side of a held question: reply (capture first, then deliver), decline
(release), and the deadline passing (release). Each takes the message's row lock and checks
its state inside it, so a double click or two workers capture or release at most once.
"""

from __future__ import annotations

from datetime import datetime

from skod.core.errors import Conflict, Invalid
from skod.dunning.debts.opening import open_for_payment
from skod.extensions import db
from skod.messages.asking import lock_message
from skod.messages.models import MESSAGE_STATES, Message
from skod.payments import services as pay

REPLIED = ("replying", "answered", "payment_failed")


def reply(message_id: int, body: str, now: datetime) -> Message:
    """Keep the reply, capture the hold, and deliver only if the capture went through."""
    body = (body or "").strip()
    if not body:
        raise Invalid("the reply is empty", {"body": ["must not be empty"]})
    message = lock_message(message_id)
    if message.status in REPLIED:
        raise Conflict("this question was already answered", code="already_replied")
    if message.status != "held":
        raise Conflict(f"a {message.status} question cannot be answered", code="invalid_state")
    if message.reply_deadline is not None and now >= message.reply_deadline:
        raise Conflict("the deadline to answer has passed", code="too_late")
    MESSAGE_STATES.move(message, "replying")
    message.reply_body, message.replied_at = body, now
    hold = message.hold_payment()
    if hold is None or hold.status != "held":
        # Nothing left to capture (the hold lapsed or was cancelled at Stripe): the client
        # pays through the link, as after a refused capture.
        MESSAGE_STATES.move(message, "payment_failed")
        last = hold or (message.payments[-1] if message.payments else None)
        if last is not None:  # the answer is written: its price is owed
            open_for_payment(last, f"message:{message.id}", message.price_minor, now)
        db.session.commit()
        return message
    pay.begin_capture(hold, hold.amount_held_minor)
    message_id, payment_id = message.id, hold.id
    db.session.commit()  # the capture is marked as sent: a second reply finds `replying`
    return finish_capture(message_id, payment_id, now)


def finish_capture(message_id: int, payment_id: int, now: datetime) -> Message:
    """Send the capture (the payment row stays locked during the call), then settle."""
    payment = pay.lock(payment_id)
    if payment.status == "capture_pending":
        pay.send_capture(payment)
    db.session.commit()
    return settle(message_id, now)


def settle(message_id: int, now: datetime) -> Message:
    """A replying question moves on from what its hold became: captured -> answered (the reply
    is delivered), failed or released -> payment_failed (the reply is kept). A capture still
    without an answer leaves it replying. Safe to call again (webhook, reconciliation)."""
    message = lock_message(message_id)
    hold = message.hold_payment()
    if message.status == "replying" and hold is not None:
        if hold.status == "captured":
            MESSAGE_STATES.move(message, "answered")
            message.delivered_at = now
        elif hold.status in ("failed", "released"):
            MESSAGE_STATES.move(message, "payment_failed")
            # the answer is written: its price is owed (the reply waits for the payment)
            open_for_payment(hold, f"message:{message.id}", message.price_minor, now)
    db.session.commit()
    return message


def resume_capture(payment_id: int, now: datetime) -> Message | None:
    """Send again, with the same key, a capture whose answer never came (timeout, crash)."""
    payment = pay.lock(payment_id)
    if payment.status != "capture_pending" or payment.message_id is None:
        db.session.commit()
        return None
    message_id = payment.message_id
    db.session.commit()
    return finish_capture(message_id, payment_id, now)


def decline(message_id: int, note: str, now: datetime) -> Message:
    """The provider will not answer: release the hold; the client gets the note."""
    message = lock_message(message_id)
    if message.status == "declined":
        db.session.commit()
        return message
    if message.status != "held":
        raise Conflict(f"a {message.status} question cannot be declined", code="invalid_state")
    MESSAGE_STATES.move(message, "declined")
    message.decline_note, message.closed_at = (note or "").strip() or None, now
    return _release(message)


def expire(message_id: int, now: datetime) -> Message | None:
    """No reply by the deadline: release the hold. None when there was nothing to do."""
    message = lock_message(message_id)
    if message.status != "held" or message.reply_deadline is None or \
            now < message.reply_deadline:
        db.session.commit()
        return None
    MESSAGE_STATES.move(message, "expired")
    message.closed_at = now
    return _release(message)


def abandon(message_id: int, now: datetime) -> Message | None:
    """A question never paid: closed, and a hold left waiting for 3-D Secure released."""
    message = lock_message(message_id)
    if message.status not in ("awaiting_card", "action_required"):
        db.session.commit()
        return None
    MESSAGE_STATES.move(message, "abandoned")
    message.closed_at = now
    return _release(message)


def _release(message: Message) -> Message:
    """Cancel the hold at Stripe (once: begin_release under the lock), then commit."""
    hold = message.hold_payment()
    message_id = message.id
    if hold is not None and pay.begin_release(hold):  # page intents too
        db.session.commit()
        pay.send_release(pay.lock(hold.id))
    db.session.commit()
    return db.session.get(Message, message_id)
