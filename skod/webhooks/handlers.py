"""The dispatch table: every Stripe event type we act on, and the domain service that owns it.
A type missing here is stored and marked ignored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from skod.accounts import stripe_account
from skod.dunning.transfers import services as transfers
from skod.payments import cards, disputes, events

#: (the event's object, now, the connected account it is about or None for the platform's)
Handler = Callable[[dict, datetime, "str | None"], "str | None"]


def intent_succeeded(obj: dict, now: datetime, account: str | None = None) -> str | None:
    """The last funding of a bank transfer intent (dunning), else a card payment's success."""
    if transfers.is_ours(obj):
        return transfers.funded(obj, now, account)
    return events.intent_changed(obj, now, account)


HANDLERS: dict[str, Handler] = {
    "payment_intent.amount_capturable_updated": events.intent_changed,
    "payment_intent.succeeded": intent_succeeded,
    "payment_intent.partially_funded": transfers.funded,
    "customer_cash_balance_transaction.created": transfers.cash_moved,
    "payment_intent.payment_failed": events.intent_changed,
    "payment_intent.canceled": events.intent_changed,
    "payment_intent.requires_action": events.intent_changed,
    "payment_intent.processing": events.intent_changed,  # a SEPA debit at the bank
    "setup_intent.succeeded": cards.setup_succeeded,
    "setup_intent.setup_failed": events.nothing_to_do,  # the page shows the error
    "charge.captured": events.intent_changed,
    "charge.refunded": events.refunds_changed,
    "charge.refund.updated": events.refunds_changed,
    "refund.created": events.refunds_changed,
    "refund.updated": events.refunds_changed,
    "refund.failed": events.refunds_changed,
    "charge.dispute.created": disputes.dispute_changed,
    "charge.dispute.updated": disputes.dispute_changed,
    "charge.dispute.closed": disputes.dispute_changed,
    "charge.dispute.funds_withdrawn": disputes.dispute_changed,
    "charge.dispute.funds_reinstated": disputes.dispute_changed,
    "payment_method.detached": cards.card_detached,
    "account.updated": stripe_account.account_changed,
    "capability.updated": stripe_account.account_changed,
    "account.application.deauthorized": stripe_account.deauthorized,
}
