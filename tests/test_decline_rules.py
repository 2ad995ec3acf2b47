"""Pure rules of card declines: reading Stripe's card error (code, decline code, advice), soft or
hard, the client's sentence for a code and whether the same card may be retried."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from skod.payments import decline_labels as dw
from skod.payments import stripe_objects as so


# --- reading a card error ------------------------------------------------------------------------
@pytest.mark.parametrize("error, reason, decline_code, advice, kind", [
    ({"code": "card_declined", "decline_code": "insufficient_funds",
      "advice_code": "try_again_later"}, "insufficient_funds", "insufficient_funds",
     "try_again_later", "soft_decline"),
    ({"code": "card_declined", "decline_code": "generic_decline"}, "generic_decline",
     "generic_decline", None, "soft_decline"),
    ({"code": "processing_error"}, "processing_error", None, None, "soft_decline"),
    ({"code": "card_declined", "decline_code": "lost_card"}, "lost_card", "lost_card", None,
     "hard_decline"),
    ({"code": "card_declined", "decline_code": "pickup_card"}, "pickup_card", "pickup_card",
     None, "hard_decline"),
    ({"code": "expired_card"}, "expired_card", None, None, "hard_decline"),
    ({"code": "incorrect_cvc"}, "incorrect_cvc", None, None, "hard_decline"),
    # the network's "do not try again" makes any decline hard
    ({"code": "card_declined", "decline_code": "insufficient_funds",
      "advice_code": "do_not_try_again"}, "insufficient_funds", "insufficient_funds",
     "do_not_try_again", "hard_decline"),
    # no advice_code: the network's advice code (Mastercard) is read
    ({"code": "card_declined", "decline_code": "do_not_honor", "network_advice_code": "03",
      "network_decline_code": "05"}, "do_not_honor", "do_not_honor", "do_not_try_again",
     "hard_decline"),
    ({"code": "card_declined", "decline_code": "do_not_honor", "network_advice_code": "21"},
     "do_not_honor", "do_not_honor", "do_not_try_again", "hard_decline"),
    ({"code": "card_declined", "decline_code": "insufficient_funds",
      "network_advice_code": "02"}, "insufficient_funds", "insufficient_funds",
     "try_again_later", "soft_decline"),
    ({"code": "card_declined", "decline_code": "generic_decline", "network_advice_code": "01"},
     "generic_decline", "generic_decline", "confirm_card_data", "soft_decline"),
    # Stripe's advice_code wins over the network's
    ({"code": "card_declined", "decline_code": "generic_decline",
      "advice_code": "try_again_later", "network_advice_code": "03"}, "generic_decline",
     "generic_decline", "try_again_later", "soft_decline"),
    ({"code": "authentication_required", "decline_code": "authentication_required"},
     "authentication_required", "authentication_required", None, "authentication_required"),
    ({"code": "card_declined", "decline_code": "some_new_code", "advice_code": "bogus"},
     "some_new_code", "some_new_code", None, "soft_decline"),
])
def test_card_error_read(error, reason, decline_code, advice, kind):
    read = so.decline(error)
    assert (read.reason, read.decline_code, read.advice, read.kind) == (
        reason, decline_code, advice, kind)


@pytest.mark.parametrize("code", ["lost_card", "stolen_card", "pickup_card", "fraudulent",
                                  "expired_card", "incorrect_number", "incorrect_cvc",
                                  "card_not_supported", "currency_not_supported",
                                  "revocation_of_authorization", "do_not_try_again"])
def test_hard_declines(code):
    assert so.decline_kind(code, None) == "hard_decline"


@pytest.mark.parametrize("code", ["insufficient_funds", "card_velocity_exceeded",
                                  "do_not_honor", "generic_decline", "processing_error",
                                  "try_again_later", "issuer_not_available", "call_issuer",
                                  "approve_with_id", "withdrawal_count_limit_exceeded"])
def test_soft_declines(code):
    assert so.decline_kind(code, None) == "soft_decline"
    assert so.decline_kind(code, "do_not_try_again") == "hard_decline"


def test_intent_keeps_the_decline_code_and_advice_of_its_last_error():
    intent = so.intent({"id": "pi_1", "status": "requires_payment_method", "amount": 1000,
                        "currency": "eur", "last_payment_error": {
                            "code": "card_declined", "decline_code": "insufficient_funds",
                            "advice_code": "try_again_later"}})
    assert (intent.last_error_code, intent.last_error_advice) == (
        "insufficient_funds", "try_again_later")


# --- the client's sentence -----------------------------------------------------------------------
@pytest.mark.parametrize("code, sentence", [
    ("insufficient_funds", "Your bank declined the payment: insufficient funds."),
    ("expired_card", "The card has expired."),
    ("authentication_required", "Your bank asked for you to confirm the payment (3-D Secure)."),
    ("incorrect_cvc", "The card's security code is incorrect."),
    ("card_velocity_exceeded",
     "Your bank declined the payment: the card's spending limit is reached."),
    # lost, stolen and fraud read as a generic decline, as Stripe asks
    ("lost_card", str(dw.GENERIC)), ("stolen_card", str(dw.GENERIC)),
    ("fraudulent", str(dw.GENERIC)), ("generic_decline", str(dw.GENERIC)),
    ("a_code_stripe_adds_tomorrow", str(dw.GENERIC)), (None, str(dw.GENERIC)),
])
def test_words(code, sentence):
    assert str(dw.words(code)) == sentence


CODES = [*dw.WORDS, "lost_card", "stolen_card", "pickup_card", "do_not_honor",
         "generic_decline", "a_code_stripe_adds_tomorrow"]


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_words_never_show_a_code_and_are_french_in_french(app, locale):
    with app.test_request_context(), force_locale(locale):
        for code in CODES:
            sentence = str(dw.words(code))
            assert sentence and code not in sentence and "_" not in sentence, code
            english = sentence if locale == "en" else None
            if locale == "fr":
                with force_locale("en"):
                    english = str(dw.words(code))
                assert sentence != english, f"{code}: not translated"


# --- may the same card be retried? ---------------------------------------------------------------
@pytest.mark.parametrize("kind, code, advice, allowed", [
    ("soft_decline", "insufficient_funds", None, True),
    ("soft_decline", "insufficient_funds", "try_again_later", True),
    ("soft_decline", "processing_error", None, True),
    ("soft_decline", "try_again_later", None, True),
    ("soft_decline", "generic_decline", None, True),
    ("soft_decline", "insufficient_funds", "do_not_try_again", False),
    ("soft_decline", "generic_decline", "confirm_card_data", False),
    ("soft_decline", "expired_card", None, False),  # even if someone filed it as soft
    ("soft_decline", "authentication_required", None, False),
    ("hard_decline", "lost_card", None, False),
    ("hard_decline", "insufficient_funds", "do_not_try_again", False),
    ("hard_decline", "expired_card", None, False),
    ("authentication_required", "authentication_required", None, False),
    ("retryable", "api_error", None, False),
    ("fatal", "resource_missing", None, False),
    (None, None, None, False),
])
def test_retry_allowed(kind, code, advice, allowed):
    assert dw.retry_allowed(kind, code, advice) is allowed


@pytest.mark.parametrize("code, expired", [("expired_card", True), ("insufficient_funds", False),
                                           (None, False), ("invalid_expiry_year", False)])
def test_is_expired_card(code, expired):
    assert dw.is_expired_card(code) is expired
