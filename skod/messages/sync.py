"""Messages' side of Stripe's truth: react to a payment changed elsewhere (webhook,
reconciliation). Registered in skod.payments.hooks by `register()` (called in create_app)."""

from __future__ import annotations

from datetime import datetime

from skod.core.formats import moment
from skod.extensions import db
from skod.messages import answering, asking, notify
from skod.messages.jobs import deliver_outcome
from skod.payments import hooks
from skod.payments.models import Payment


def payment_changed(payment: Payment, now: datetime) -> None:
    """A hold authorised behind our back (3-D Secure finished, the page never came back)
    sends the question; a capture we had no answer for settles the reply."""
    message_id = payment.message_id
    db.session.commit()
    before = asking.lock_message(message_id).status
    db.session.commit()
    if before in asking.TO_HOLD + asking.TO_CHARGE:
        message, moved = asking.refresh(message_id, now)
        if moved and message.status == "held":
            notify.question_held(message)
        elif moved and message.status == "answered":
            notify.reply_delivered(message)
    elif before == "replying":
        message = answering.settle(message_id, now)
        if message.status != before:
            deliver_outcome(message)


def evidence(payment: Payment) -> list[tuple[str, str]]:
    """What shows the answer was given: the question, the reply and when it reached the client."""
    from flask_babel import gettext as _

    from skod.messages.models import Message

    message = db.session.get(Message, payment.message_id)
    tz, locale = message.provider.timezone, message.provider.locale
    return [(_("Question asked"), moment(message.created_at, tz, locale)),
            (_("Reply sent"), moment(message.replied_at, tz, locale)),
            (_("Reply delivered"), moment(message.delivered_at, tz, locale)),
            (_("Client"), f"{message.client.name} <{message.client.email}>"),
            (_("Reply"), (message.reply_body or "-")[:500])]


def recovered(message_id: int, now: datetime) -> None:
    """The debt of an unpaid answer was paid (pay page, retry, transfer): the answer goes."""
    from skod.messages.models import MESSAGE_STATES

    message = asking.lock_message(message_id)
    moved = MESSAGE_STATES.move_if(message, "answered")
    if moved:
        message.delivered_at = now
    db.session.commit()
    if moved:
        notify.reply_delivered(message)


def register() -> None:
    from skod.dunning.debts.recovery import on_recovered

    on_recovered("message", recovered)
    hooks.on_change("message_id", payment_changed)
    hooks.on_evidence("message_id", evidence)
