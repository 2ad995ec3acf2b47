"""API of the client's pay page: the card steps static/js/pay.js calls with the pay link's
token as bearer (no account: the signed link is the key). Pay the balance (a PaymentIntent the
page confirms, then read back), or save a card or sign a SEPA mandate for a payment plan (a
SetupIntent)."""

from __future__ import annotations

from flask_smorest import Blueprint

from skod.accounts.auth import bearer
from skod.core.clock import utcnow
from skod.core.errors import NotFound, Unauthorized
from skod.dunning.debts import links, overpay
from skod.dunning.owed import amounts as owing
from skod.dunning.pay_page import paying, plan_sepa
from skod.dunning.pay_page.schemas import CardResultSchema, PaidSchema, PaymentMethodSchema

blp = Blueprint("pay_api", __name__, description="The client's pay page of a debt")


def _client(receivable_id: int) -> None:
    """Only the holder of this debt's pay link; anyone else learns nothing (404)."""
    token = bearer()
    if token is None:
        raise Unauthorized("the pay link's token is required")
    if not links.opens(receivable_id, token):
        raise NotFound("receivable not found")


@blp.post("/pay/<int:receivable_id>/card-setup")
@blp.response(200, CardResultSchema)
def card_setup(receivable_id: int):
    """The PaymentIntent for the amount owed today (the balance, plus the penalties the case
    claims) the page confirms with its Payment Element (`intent: payment`: card, or SEPA Direct
    Debit for a debt in euros), or `status: paid` when the debt is settled meanwhile; 409
    `debit_processing` while the page's SEPA debit waits for the bank."""
    _client(receivable_id)
    return paying.card_step(receivable_id, utcnow())


@blp.post("/pay/<int:receivable_id>/confirm")
@blp.response(200, PaidSchema)
def confirm(receivable_id: int):
    """After confirmPayment: the intent read back from Stripe; a capture settles the debt
    (whichever comes first of this call and the webhook); a SEPA debit stays owed, processing."""
    _client(receivable_id)
    now = utcnow()
    receivable = paying.confirm(receivable_id, now)
    return {"status": receivable.status, "balance_minor": receivable.balance_minor,
            "owed_minor": owing.owed_now(receivable, now).total_minor,
            "currency": receivable.currency,
            "refunded_minor": overpay.overpaid_minor(receivable_id)}


@blp.post("/pay/<int:receivable_id>/plan/card-setup")
@blp.response(200, CardResultSchema)
def plan_card_setup(receivable_id: int):
    """The SetupIntent that saves a card for the instalments of a payment plan."""
    _client(receivable_id)
    return paying.setup_step(receivable_id)


@blp.post("/pay/<int:receivable_id>/plan/payment-method")
@blp.arguments(PaymentMethodSchema)
@blp.response(200, CardResultSchema)
def plan_payment_method(data: dict, receivable_id: int):
    """The card the SetupIntent saved becomes the one the instalments charge."""
    _client(receivable_id)
    return paying.save_card(receivable_id, data["payment_method"], utcnow())


@blp.post("/pay/<int:receivable_id>/plan/sepa-setup")
@blp.response(200, CardResultSchema)
def plan_sepa_setup(receivable_id: int):
    """The SetupIntent for SEPA Direct Debit (a debt in euros; 409 currency_not_supported
    otherwise) the plan page confirms with the IBAN Element beside the mandate text;
    `card_saved` when its mandate is signed already."""
    _client(receivable_id)
    return plan_sepa.mandate_step(receivable_id, utcnow())


@blp.post("/pay/<int:receivable_id>/plan/sepa-mandate")
@blp.response(200, CardResultSchema)
def plan_sepa_mandate(receivable_id: int):
    """After confirmSepaDebitSetup: the signed mandate's bank account becomes the one the
    instalments debit (409 mandate_not_signed while Stripe does not say it is signed)."""
    _client(receivable_id)
    return plan_sepa.save_mandate(receivable_id, utcnow())
