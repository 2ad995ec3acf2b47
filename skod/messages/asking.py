"""Asking a paid question: write it, then hold the price on-session with a page intent: one
PaymentIntent the page confirms with the card, so ONE 3-D Secure challenge holds the price and
saves the card. An API client that sends its own card keeps the server-side flow (SetupIntent,
then a hold the server confirms). The pay link after a failed capture saves a card with a
SetupIntent and is charged at once.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from skod.accounts.clients import client_for
from skod.accounts.models import Provider
from skod.catalog.services import bookable_offer
from skod.core.errors import Conflict, Invalid, NotFound
from skod.extensions import db
from skod.messages import policy
from skod.messages.models import CHARGE_KEY, HOLD_KEY, MESSAGE_STATES, Message
from skod.payments import cards, connect, saved_cards
from skod.payments import services as pay
from skod.payments.cards import StripeUnavailable
from skod.payments.models import ANSWER, Payment
from skod.stripe_gateway import GatewayError

#: states in which the client gives a card: to hold the price, or to pay after a failed capture
TO_HOLD = ("awaiting_card", "action_required")
TO_CHARGE = ("payment_failed",)


def windows() -> policy.Windows:
    return policy.Windows.from_config(current_app.config)


def ask(*, offer_id: int, body: str, client: dict, now: datetime) -> tuple[Message, dict]:
    """The question, with the offer's terms copied, then the card step opened at Stripe.
    Returns the message and the card step for the page: {"client_secret", "intent"}."""
    offer = bookable_offer(offer_id, "message")
    connect.require_payments(db.session.get(Provider, offer.provider_id))
    body = body.strip()
    if not body:
        raise Invalid("the question is empty", {"body": ["must not be empty"]})
    if offer.char_limit and len(body) > offer.char_limit:
        raise Invalid("the question is too long",
                      {"body": [f"at most {offer.char_limit} characters"]})
    message = Message(
        provider_id=offer.provider_id, offer_id=offer.id,
        client=client_for(offer.provider_id, client),
        status="awaiting_card", body=body, price_minor=offer.price_minor,
        currency=offer.currency, reply_window_hours=offer.reply_window_hours or int(
            current_app.config["REPLY_WINDOW"].total_seconds() // 3600),
        terms_accepted_at=now, created_at=now)
    db.session.add(message)
    db.session.commit()  # the question is kept before we talk to Stripe
    message_id = message.id
    try:
        step = _page_step(lock_message(message_id), now)
    except GatewayError as err:
        db.session.rollback()
        message = lock_message(message_id)
        MESSAGE_STATES.move(message, "abandoned")
        db.session.commit()
        raise StripeUnavailable("the payment provider could not be reached") from err
    return db.session.get(Message, message_id), step


def _page_step(message: Message, now: datetime) -> dict:
    """The page intent's secret (the message is locked by the caller)."""
    return cards.page_step(message, now, ref=f"message:{message.id}", outcome=_outcome,
                           new_hold=lambda m: _new_payment(m, charge=False),
                           relock=lock_message)


def _new_payment(message: Message, *, charge: bool) -> Payment:
    return pay.new_payment(
        provider_id=message.provider_id, client_id=message.client_id,
        message_id=message.id, purpose=ANSWER, amount=message.price_minor,
        currency=message.currency, off_session=False, key=_next_key(message, charge),
        payment_method=message.stripe_payment_method_id)


def _next_key(message: Message, charge: bool) -> str:
    """The idempotency key of the message's next try at a hold or a charge (the try is
    counted)."""
    message.pay_attempts += 1
    return f"{CHARGE_KEY if charge else HOLD_KEY}:{message.id}:{message.pay_attempts}"




def lock_message(message_id: int) -> Message:
    message = db.session.get(Message, message_id, with_for_update=True, populate_existing=True)
    if message is None:
        raise NotFound("message not found")
    return message


def give_card(message_id: int, payment_method: str, now: datetime, *,
              saved: bool = False) -> dict:
    """Save the card, then hold the price (a new question) or charge it (the pay link).
    `saved`: a card the client saved with this provider before, unlocked by its code
    (skod.payments.saved_cards): used as it is, without a new SetupIntent."""
    message = lock_message(message_id)
    charging = message.status in TO_CHARGE
    last = message.charge_payment() if charging else message.hold_payment()
    if last is not None and last.status == "requires_action":
        db.session.commit()
        return {"status": "requires_action", "client_secret": pay.client_secret_of(last)}
    if message.status not in TO_HOLD + TO_CHARGE:
        raise Conflict(f"the message is {message.status}", code="invalid_state")
    if saved:
        pm = saved_cards.use_saved(message, message.client, payment_method)
    else:
        if not message.stripe_setup_intent_id:  # the question opened a page intent instead
            cards.guarded(lambda: cards.open_setup(message, message.client,
                                                   f"message:{message.id}"))
        pm = cards.confirmed_card(message, message.client, f"message:{message.id}",
                                  payment_method)
    if pm is None:
        return {"status": "requires_action", "client_secret": message.setup_client_secret,
                "intent": "setup"}
    if not charging:
        cards.guarded(lambda: cards.drop_page_intent(message, now,
                                                     lambda: _next_key(message, False)))
    return _pay(message, charge=charging, now=now)


def _pay(message: Message, *, charge: bool, now: datetime) -> dict:
    """Create the hold or the charge with a key stored first; a try that got no answer is sent
    again with the same key. The message is locked by the caller."""
    payment = message.charge_payment() if charge else message.hold_payment()
    if payment is None or payment.status in ("failed", "released"):
        payment = _new_payment(message, charge=charge)
    message_id, payment_id = message.id, payment.id
    db.session.commit()  # key stored before the call
    payment = pay.lock(payment_id)  # held during the call: a concurrent try waits, then reads
    if payment.status == "created":
        pay.send_create(payment, customer=cards.customer_of(message, message.client),
                        manual=not charge, now=now)
    message = lock_message(message_id)
    result = _outcome(message, payment, now)
    db.session.commit()
    return result


def _outcome(message: Message, payment: Payment, now: datetime) -> dict:
    if payment.status == "held" and message.status in TO_HOLD:
        _mark_held(message, payment, now)
        return {"status": "held"}
    if payment.status == "captured" and message.status in TO_CHARGE:
        MESSAGE_STATES.move(message, "answered")
        message.delivered_at = now
        return {"status": "answered"}
    if payment.status in ("held", "captured"):
        return {"status": message.status}
    if payment.status == "created":  # no answer yet: the next try sends the same key
        return {"status": "pending"}
    if payment.status == "requires_action":
        if message.status == "awaiting_card":
            MESSAGE_STATES.move(message, "action_required")
        return {"status": "requires_action", "client_secret": pay.client_secret_of(payment)}
    if message.status == "action_required":
        MESSAGE_STATES.move(message, "awaiting_card")
    return {"status": "failed", "error": {"code": payment.last_error_code,
                                          "kind": payment.last_error_kind}}


def _mark_held(message: Message, payment: Payment, now: datetime) -> None:
    cards.adopt_card(message, payment)
    MESSAGE_STATES.move(message, "held")
    message.held_at = now
    message.reply_deadline = policy.reply_deadline(
        windows(), now, message.reply_window_hours, payment.capture_before)




def refresh(message_id: int, now: datetime) -> tuple[Message, bool]:
    """After the card step on the page (or a webhook): read the hold (or the pay-link charge)
    back from Stripe. True when this call moved the message, so that the question is sent
    (held) or the reply delivered once whether the page or the webhook comes first."""
    message = lock_message(message_id)
    before = message.status
    payment = message.charge_payment() if message.status in TO_CHARGE else message.hold_payment()
    if cards.is_page_intent(payment):
        cards.guarded(lambda: cards.read_page_intent(payment, now))
    if payment is not None:
        _outcome(message, payment, now)
    moved = message.status != before
    db.session.commit()
    return message, moved


def card_setup(message_id: int, now: datetime) -> dict:
    """The secret for the card form: the page intent of a question to hold (a client back on
    the page, or a new try), or a SetupIntent for the pay link."""
    message = lock_message(message_id)
    if message.status not in TO_HOLD + TO_CHARGE:
        raise Conflict(f"the message is {message.status}", code="invalid_state")
    if message.status in TO_CHARGE:
        return cards.fresh_setup(message, message.client, f"message:{message.id}")
    try:
        return _page_step(message, now)
    except GatewayError as err:
        db.session.rollback()
        raise StripeUnavailable("the payment provider could not be reached") from err
