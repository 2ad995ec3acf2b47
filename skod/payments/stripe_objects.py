"""What we keep of Stripe's objects, read from their JSON at the pinned API version.

Pure: no `stripe` import and no I/O, so the gateway (the only module that talks to Stripe) and
the tests share one reading of each shape. At `2026-10-28.endive` a PaymentIntent carries
`amount_capturable` and `amount_received`, `latest_charge` is an id unless expanded (the gateway
always expands it where the hold's expiry is needed), and there is no `charges` list.

A card decline (an API error body, or an intent's `last_payment_error`) is read here too: its
most specific code, its advice, and whether it is soft or hard (`decline_kind`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

#: Stripe's minimum charge per currency, in minor units (docs: "Minimum and maximum charge
#: amounts"). A charge or capture below it is refused by Stripe, so it is never sent.
MINIMUM_CHARGE: dict[str, int] = {
    "EUR": 50, "USD": 50, "GBP": 30, "CHF": 50, "CAD": 50, "AUD": 50, "NZD": 50, "SGD": 50,
    "BRL": 50, "INR": 50, "DKK": 250, "NOK": 300, "SEK": 300, "PLN": 200, "CZK": 1500,
    "HUF": 17500, "RON": 200, "BGN": 100, "HKD": 400, "MXN": 1000, "AED": 200, "MYR": 200,
    "THB": 1000, "JPY": 50,
}


#: Declines after which the same card, as saved, will not pass later without the client doing
#: something (a new card, new details, a call to the bank): never retried off-session. From
#: Stripe's decline codes (docs.stripe.com/declines/codes) and the networks' "issuer will never
#: approve" class. Everything else (insufficient_funds, card_velocity_exceeded, do_not_honor,
#: generic_decline, processing_error, try_again_later, issuer_not_available...) is soft.
HARD_DECLINES = frozenset({
    # lost, stolen, blocked: Stripe shows these to the client as a generic decline
    "lost_card", "stolen_card", "pickup_card", "fraudulent", "merchant_blacklist",
    "security_violation", "restricted_card",
    # the account or card is gone or replaced
    "invalid_account", "new_account_information_available", "expired_card",
    # the card cannot make this payment at all
    "card_not_supported", "currency_not_supported", "transaction_not_allowed", "not_permitted",
    "service_not_allowed", "testmode_decline", "live_mode_test_card",
    # the cardholder stopped payments to us
    "revocation_of_authorization", "revocation_of_all_authorizations", "stop_payment_order",
    # the saved details are wrong: the same details fail the same way
    "incorrect_number", "invalid_number", "incorrect_cvc", "invalid_cvc",
    "invalid_expiry_month", "invalid_expiry_year",
    # deprecated decline code, now advice_code do_not_try_again
    "do_not_try_again",
})
#: Stripe's advice_code values (docs.stripe.com/declines/card, "retrying issuer declines")
ADVICE_CODES = ("confirm_card_data", "do_not_try_again", "try_again_later")
#: network_advice_code, read when Stripe gives no advice_code: Mastercard's merchant advice
#: codes (01 new account information, 02 try again later, 03 do not try again, 21 payment
#: cancelled / stop recurring, 24-30 retry after 1 hour ... 10 days)
NETWORK_ADVICE = {"01": "confirm_card_data", "02": "try_again_later", "03": "do_not_try_again",
                  "21": "do_not_try_again",
                  **{str(n): "try_again_later" for n in range(24, 31)}}


def minimum_charge(currency: str) -> int:
    """The smallest amount Stripe charges in `currency` (50 minor units when unlisted)."""
    return MINIMUM_CHARGE.get(currency.upper(), 50)


def below_minimum(amount: int, currency: str) -> bool:
    return 0 < amount < minimum_charge(currency)


@dataclass(frozen=True)
class Intent:
    """What we keep of a PaymentIntent."""

    id: str
    status: str  # Stripe's own status word
    amount: int
    amount_capturable: int
    amount_received: int
    currency: str
    client_secret: str | None
    payment_method: str | None
    capture_before: datetime | None
    last_error_code: str | None
    #: None, or why it was canceled: "expired" when the hold lapsed at the bank (Stripe's
    #: value since 2025-03-31.basil; "automatic" before it)
    cancellation_reason: str | None = None
    latest_charge: str | None = None
    #: the card network's advice with the last decline (see `advice`)
    last_error_advice: str | None = None
    #: the platform's application fee taken on the charge (minor units; 0 without one)
    application_fee: int = 0

    @property
    def lapsed(self) -> bool:
        """The hold expired at the bank (not released by us)."""
        return self.status == "canceled" and self.cancellation_reason in ("expired", "automatic")


@dataclass(frozen=True)
class Setup:
    id: str
    status: str
    client_secret: str | None
    payment_method: str | None
    customer: str | None
    #: the last SetupAttempt (one per confirmation); None before the first
    latest_attempt: str | None = None


@dataclass(frozen=True)
class Refund:
    """A Stripe refund: status pending / requires_action / succeeded / failed / canceled."""

    id: str
    status: str
    amount: int
    currency: str
    payment_intent: str | None
    failure_reason: str | None
    skod_refund_id: str | None  # metadata we put on our own refunds


@dataclass(frozen=True)
class Dispute:
    id: str
    status: str  # warning_needs_response, needs_response, under_review, won, lost, ...
    amount: int
    currency: str
    reason: str | None
    evidence_due_by: datetime | None
    charge: str | None
    payment_intent: str | None


def val(obj: Any, key: str, default: Any = None) -> Any:
    """obj[key] for a dict or a StripeObject, `default` when absent or null."""
    if obj is None:
        return default
    try:
        value = obj[key]
    except (KeyError, TypeError):
        return default
    return default if value is None else value


@dataclass(frozen=True)
class Decline:
    """What a card error says: Stripe's `code` (card_declined, expired_card, ...), the issuer's
    `decline_code` when there is one, and the advice."""

    code: str | None
    decline_code: str | None
    advice: str | None

    @property
    def reason(self) -> str | None:
        """The most specific code: the decline code, else Stripe's code."""
        return self.decline_code or self.code

    @property
    def kind(self) -> str:
        if self.code in ("authentication_required", *HARD_DECLINES):
            return decline_kind(self.code, self.advice)  # Stripe's own code says it already
        return decline_kind(self.reason, self.advice)


def decline(error: Any) -> Decline:
    """A card error body (`error` of a 402) or a `last_payment_error`, read."""
    return Decline(code=val(error, "code"), decline_code=val(error, "decline_code"),
                   advice=advice_of(error))


def advice_of(error: Any) -> str | None:
    """Stripe's advice_code, else the network's advice code mapped to Stripe's words."""
    given = val(error, "advice_code")
    if given in ADVICE_CODES:
        return given
    return NETWORK_ADVICE.get(str(val(error, "network_advice_code", "")))


def decline_kind(reason: str | None, advice_code: str | None) -> str:
    """authentication_required, hard_decline (HARD_DECLINES, or the network said do not try
    again) or soft_decline."""
    if reason == "authentication_required":
        return "authentication_required"
    if reason in HARD_DECLINES or advice_code == "do_not_try_again":
        return "hard_decline"
    return "soft_decline"


def _id_of(obj: Any) -> str | None:
    """An expandable field: an id string, or the expanded object (its id)."""
    if obj is None or isinstance(obj, str):
        return obj
    return val(obj, "id")


def _stamp(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value else None


def intent(pi: Any) -> Intent:
    charge = val(pi, "latest_charge")
    card = val(val(charge, "payment_method_details") if not isinstance(charge, str) else None,
               "card")
    error = decline(val(pi, "last_payment_error"))
    return Intent(
        id=pi["id"], status=pi["status"], amount=int(pi["amount"]),
        amount_capturable=int(val(pi, "amount_capturable", 0)),
        amount_received=int(val(pi, "amount_received", 0)),
        currency=str(pi["currency"]).upper(), client_secret=val(pi, "client_secret"),
        payment_method=_id_of(val(pi, "payment_method")),
        capture_before=_stamp(val(card, "capture_before")),
        last_error_code=error.reason,
        last_error_advice=error.advice,
        cancellation_reason=val(pi, "cancellation_reason"),
        latest_charge=_id_of(charge),
        application_fee=int(val(charge if not isinstance(charge, str) else None,
                                "application_fee_amount") or 0),
    )


def setup(si: Any) -> Setup:
    return Setup(id=si["id"], status=si["status"], client_secret=val(si, "client_secret"),
                 payment_method=_id_of(val(si, "payment_method")),
                 customer=_id_of(val(si, "customer")),
                 latest_attempt=_id_of(val(si, "latest_attempt")))


def refund(re: Any) -> Refund:
    return Refund(id=re["id"], status=str(re["status"]), amount=int(re["amount"]),
                  currency=str(re["currency"]).upper(),
                  payment_intent=_id_of(val(re, "payment_intent")),
                  failure_reason=val(re, "failure_reason"),
                  skod_refund_id=val(val(re, "metadata"), "skod_refund_id"))


def dispute(du: Any) -> Dispute:
    return Dispute(id=du["id"], status=str(du["status"]), amount=int(du["amount"]),
                   currency=str(du["currency"]).upper(), reason=val(du, "reason"),
                   evidence_due_by=_stamp(val(val(du, "evidence_details"), "due_by")),
                   charge=_id_of(val(du, "charge")),
                   payment_intent=_id_of(val(du, "payment_intent")))
