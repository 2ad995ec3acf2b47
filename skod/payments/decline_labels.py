"""Card declines in words for the client (and, in `provider_words`, for the provider, who has
no card to change), and the rule of when a declined card may be retried.

Pure: no I/O. `words(code)` gives a short sentence for a decline code (lazy, translated when
shown) and never the raw code: an unknown code gets the generic sentence. As Stripe asks
(docs.stripe.com/declines/codes), lost, stolen, blocked and fraud declines read like a generic
decline. `retry_allowed(kind, code, advice)` says whether a new off-session attempt on the same
card is allowed: the dunning module retries soft declines only.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

GENERIC = _l("Your bank declined the payment. Please use another card or contact your bank.")
_UNREACHABLE = _l("Your bank could not answer for this payment. It can be tried again later.")
_LIMIT = _l("Your bank declined the payment: the card's spending limit is reached.")
_NOT_ALLOWED = _l("Your bank does not allow this kind of payment with this card.")
_CVC = _l("The card's security code is incorrect.")
_NUMBER = _l("The card number is incorrect.")
_EXPIRY = _l("The card's expiry date is incorrect.")

WORDS: dict[str, LazyString] = {
    "insufficient_funds": _l("Your bank declined the payment: insufficient funds."),
    "card_velocity_exceeded": _LIMIT,
    "withdrawal_count_limit_exceeded": _LIMIT,
    "invalid_amount": _l("Your bank declined the payment: the amount is above what the card "
                         "allows."),
    "expired_card": _l("The card has expired."),
    "incorrect_cvc": _CVC, "invalid_cvc": _CVC,
    "incorrect_number": _NUMBER, "invalid_number": _NUMBER,
    "invalid_expiry_month": _EXPIRY, "invalid_expiry_year": _EXPIRY,
    "authentication_required": _l("Your bank asked for you to confirm the payment "
                                  "(3-D Secure)."),
    "payment_intent_authentication_failure": _l("The confirmation of the payment with your "
                                                "bank (3-D Secure) did not succeed."),
    "processing_error": _l("An error occurred while the card was processed. The payment can "
                           "be tried again."),
    "try_again_later": _UNREACHABLE, "issuer_not_available": _UNREACHABLE,
    "reenter_transaction": _UNREACHABLE,
    "card_not_supported": _l("The card does not accept this kind of payment."),
    "currency_not_supported": _l("The card does not accept payments in this currency."),
    "transaction_not_allowed": _NOT_ALLOWED, "not_permitted": _NOT_ALLOWED,
    "service_not_allowed": _NOT_ALLOWED,
    "new_account_information_available": _l("Your bank has new details for this card: please "
                                            "enter the card again."),
    "revocation_of_authorization": _l("You asked your bank to stop these payments."),
    "revocation_of_all_authorizations": _l("You asked your bank to stop these payments."),
    "stop_payment_order": _l("You asked your bank to stop these payments."),
    # lost_card, stolen_card, pickup_card, fraudulent, merchant_blacklist, do_not_honor,
    # generic_decline, call_issuer...: GENERIC, on purpose
}

EXPIRED_CARD = frozenset({"expired_card"})
#: the kinds of a decline the same card may get past later without the client
RETRYABLE_KINDS = frozenset({"soft_decline"})
#: advice that forbids a new attempt on the card as it is (confirm_card_data: the client must
#: enter the card's details again first)
NO_RETRY_ADVICE = frozenset({"do_not_try_again", "confirm_card_data"})


#: failures of our own (not a bank's decline code) in words
OWN_FAILURES: dict[str, LazyString] = {
    "hold_expired": _l("The amount held expired at the bank before it was charged."),
    "below_minimum": _l("The amount is below the minimum card payment."),
}

#: why a payment failed, said to the provider (not the card holder's advice: the provider has
#: no card to change); by decline code first, then by kind
PROVIDER_CODES = {
    "insufficient_funds": _l("insufficient funds on the client's card"),
    "expired_card": _l("the client's card has expired"),
    "lost_card": _l("the card was reported lost"),
    "stolen_card": _l("the card was reported stolen"),
    "card_velocity_exceeded": _l("the card's spending limit is reached"),
    "withdrawal_count_limit_exceeded": _l("the card's spending limit is reached"),
    "incorrect_cvc": _l("the card's details are incorrect"),
    "incorrect_number": _l("the card's details are incorrect"),
    "processing_error": _l("a processing error at the bank"),
    "authentication_required": _l("the bank asked the client to confirm the payment "
                                  "(3-D Secure), which was not done"),
    "hold_expired": _l("the amount held on the card expired before it could be charged"),
    "dispute_lost": _l("the bank took the payment back after the client disputed it"),
}
PROVIDER_KINDS = {
    "soft_decline": _l("declined by the client's bank (it may succeed later)"),
    "hard_decline": _l("declined by the client's bank for good"),
    "authentication_required": PROVIDER_CODES["authentication_required"],
    "retryable": _l("the bank did not answer"),
}


def provider_words(code: str | None, kind: str | None) -> str:
    """Why a payment failed, said to the provider; an unknown code falls back on its kind."""
    said = PROVIDER_CODES.get(code or "") or PROVIDER_KINDS.get(kind or "")
    return str(said or _l("the payment failed"))


def words(code: str | None) -> LazyString:
    """The sentence shown to the client for a decline code (GENERIC when unknown or None)."""
    return WORDS.get(code or "", GENERIC)


def failure_words(code: str | None) -> str:
    """Why a payment failed, in words: our own failures, else the bank's decline reason."""
    own = OWN_FAILURES.get(code or "")
    return str(own if own is not None else words(code))


def is_expired_card(code: str | None) -> bool:
    return code in EXPIRED_CARD


def retry_allowed(kind: str | None, code: str | None, advice: str | None) -> bool:
    """May the same card be charged again off-session (a smart retry)? Only after a soft
    decline; never after a hard decline, authentication_required (the client must be present),
    an expired card, or when the network said "do not try again"."""
    if kind not in RETRYABLE_KINDS or code == "authentication_required":
        return False
    return not is_expired_card(code) and advice not in NO_RETRY_ADVICE
