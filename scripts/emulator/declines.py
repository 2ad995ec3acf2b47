"""Card declines as Stripe answers them: test card numbers, scripted outcomes, the 402 body.

Stripe's test cards (docs.stripe.com/testing, "Declined payments") cannot be attached to a
customer: attaching one, confirming a SetupIntent with it, or charging it declines with its code.
4000000000000341 attaches and then declines every charge; 4000008260003178 and
4000008400001629 decline their charge after a successful 3-D Secure.

A test scripts the next charge attempts of a saved card (POST /_test/declines, controls.py): each
confirmation of a PaymentIntent with that payment method takes the next outcome, in order; once
the list is used up the card behaves as its number says.

The error body is Stripe's `card_error` (docs.stripe.com/api/errors): `code` is `card_declined`
with the issuer's `decline_code`, except where Stripe answers with a code of its own before the
issuer is asked (`expired_card`, `incorrect_cvc`, `processing_error`, `incorrect_number`: then
there is no decline_code); `advice_code`, `network_advice_code` and `network_decline_code` only
when the outcome has them. Stripe leaves absent fields out of an error object.
"""

from __future__ import annotations

from typing import Any

from localstripe.resources import Charge, Customer, PaymentIntent, PaymentMethod, SetupIntent

from .events import StripeError, send

DECLINED = "Your card was declined."
#: Stripe's own codes, answered without a decline_code: (message, param)
SPECIFIC_CODES: dict[str, tuple[str, str | None]] = {
    "expired_card": ("Your card has expired.", "exp_month"),
    "incorrect_cvc": ("Your card's security code is incorrect.", "cvc"),
    "processing_error": ("An error occurred while processing your card. Try again in a little "
                         "bit.", None),
    "incorrect_number": ("Your card number is incorrect.", "number"),
}
#: card_declined messages that say more than "declined" (Stripe hides lost / stolen / fraud)
DECLINE_MESSAGES = {
    "insufficient_funds": "Your card has insufficient funds.",
    "card_velocity_exceeded": "Your card was declined for making repeated attempts too "
                              "frequently or exceeding its amount limit.",
}
ADVICE_CODES = ("confirm_card_data", "do_not_try_again", "try_again_later")
OUTCOME_KEYS = frozenset({"decline_code", "advice_code", "network_advice_code",
                          "network_decline_code", "authentication_required"})

#: declined wherever the card is used: attach, SetupIntent, charge
ALWAYS_DECLINED = {
    "4000000000000002": "generic_decline",
    "4000000000009995": "insufficient_funds",
    "4000000000009987": "lost_card",
    "4000000000009979": "stolen_card",
    "4000000000006975": "card_velocity_exceeded",
    "4000000000000069": "expired_card",
    "4000000000000127": "incorrect_cvc",
    "4000000000000119": "processing_error",
    "4242424242424241": "incorrect_number",
}
#: attached fine, declined at every charge (the last two after 3-D Secure)
CHARGE_DECLINED = {
    "4000000000000341": "generic_decline",
    "4000008260003178": "insufficient_funds",
    "4000008400001629": "generic_decline",
}


#: 3-D Secure test cards (docs.stripe.com/testing#authentication-and-setup):
#: 3155 asks for authentication on-session and when set up, but once set up (a SetupIntent or a
#: payment with setup_future_usage authenticated) its off-session payments pass;
#: 0446 asks on-session and lets every off-session payment pass, as if already set up;
#: 3184 (and localstripe's other 3-D Secure numbers) ask every time, off-session included.
PASSES_ONCE_SET_UP = frozenset({"4000002500003155"})
PASSES_OFF_SESSION = frozenset({"4000003800000446"})


def needs_authentication(pm: Any, off_session: bool) -> bool:
    """Whether the issuer asks for 3-D Secure on this charge of `pm`."""
    number = getattr(pm, "_card_number", None)
    if off_session and (number in PASSES_OFF_SESSION or (
            number in PASSES_ONCE_SET_UP and getattr(pm, "_set_up", False))):
        return False
    return number in PASSES_OFF_SESSION or bool(pm._requires_authentication())


def set_up(pm: Any) -> None:
    """The card was authenticated for future use (SetupIntent, setup_future_usage)."""
    pm._set_up = True


def outcome(spec: Any) -> dict:
    """A scripted outcome checked and completed, or a 400 naming what is wrong."""
    if not isinstance(spec, dict) or not spec or not set(spec) <= OUTCOME_KEYS:
        raise _bad(f"an outcome is an object with some of {sorted(OUTCOME_KEYS)}")
    if spec.get("authentication_required") is True:
        if len(spec) != 1:
            raise _bad("authentication_required stands alone in its outcome")
        return {"authentication_required": True}
    decline = spec.get("decline_code")
    if not isinstance(decline, str) or not decline:
        raise _bad("an outcome needs a decline_code (or authentication_required: true)")
    advice = spec.get("advice_code")
    if advice is not None and advice not in ADVICE_CODES:
        raise _bad(f"advice_code is one of {', '.join(ADVICE_CODES)}")
    for key in ("network_advice_code", "network_decline_code"):
        if spec.get(key) is not None and not isinstance(spec[key], str):
            raise _bad(f"{key} is a string")
    keys = ("decline_code", "advice_code", "network_advice_code", "network_decline_code")
    return {key: spec[key] for key in keys if spec.get(key) is not None}


def _bad(message: str) -> StripeError:
    return StripeError(400, {"type": "invalid_request_error", "param": "outcomes",
                             "message": message})


def of_number(decline: str | None) -> dict | None:
    return {"decline_code": decline} if decline else None


def on_attach(pm: Any) -> dict | None:
    """The decline a card gives when attached or set up (its test number), or None."""
    return of_number(ALWAYS_DECLINED.get(getattr(pm, "_card_number", None)))


def on_charge(pm: Any) -> dict | None:
    """The decline of the card's next charge attempt: scripted first, then its number."""
    script = getattr(pm, "_scripted_declines", None)
    if script:
        return script.pop(0)
    number = getattr(pm, "_card_number", None)
    return of_number(ALWAYS_DECLINED.get(number) or CHARGE_DECLINED.get(number))


def error(decline: dict) -> dict:
    """Stripe's card_error body for a decline outcome (without the objects it is about)."""
    code = decline["decline_code"]
    if code in SPECIFIC_CODES:
        message, param = SPECIFIC_CODES[code]
        body: dict[str, Any] = {"code": code}
        if param:
            body["param"] = param
    else:
        message = DECLINE_MESSAGES.get(code, DECLINED)
        body = {"code": "card_declined", "decline_code": code}
    for key in ("advice_code", "network_advice_code", "network_decline_code"):
        if decline.get(key):
            body[key] = decline[key]
    body.update(type="card_error", message=message,
                doc_url=f"https://stripe.com/docs/error-codes/{body['code'].replace('_', '-')}")
    return body


def failure_code(decline: dict) -> str:
    """The charge's failure_code: Stripe's error code (card_declined or its own)."""
    code = decline["decline_code"]
    return code if code in SPECIFIC_CODES else "card_declined"


def failure_message(decline: dict) -> str:
    return error(decline)["message"]


# --- localstripe patches ------------------------------------------------------------------------
GENERIC = {"decline_code": "generic_decline"}


def set_auth_failure(self) -> None:
    """Charge declined: failure_code / failure_message of its decline (generic by default)."""
    decline = getattr(self, "_decline", None) or GENERIC
    self.status = "failed"
    self.failure_code = failure_code(decline)
    self.failure_message = failure_message(decline)


def raise_failure(self) -> None:
    """A direct charge declined: 402 card_error naming the charge."""
    raise StripeError(402, dict(error(getattr(self, "_decline", None) or GENERIC),
                                charge=self.id))


def report_failure(self) -> None:
    """A PaymentIntent's charge was declined: the intent loses its payment method and keeps the
    error as last_payment_error, its events go out, and the 402 carries the intent."""
    charge = self.latest_charge
    pm = PaymentMethod._api_retrieve(self.payment_method)
    body = dict(error(getattr(charge, "_decline", None) or GENERIC), charge=charge.id,
                payment_method=pm._export())
    self._last_error = body
    self.payment_method = None
    send("payment_intent.payment_failed", self)
    send("charge.failed", charge)
    raise StripeError(402, dict(body, payment_intent=self._export()))


def declining_attach(original):
    """POST /v1/payment_methods/{id}/attach: a test card that cannot be attached declines."""
    def route(id, **data):  # noqa: A002 - localstripe's own signature
        pm = PaymentMethod._api_retrieve(id)
        decline = on_attach(pm)
        if decline is None:
            return original(id, **data)
        if isinstance(data.get("customer"), str):
            Customer._api_retrieve(data["customer"])  # 404 first, as before
        raise StripeError(402, error(decline))
    return route


def setup_attach(original):
    """SetupIntent confirm with a declining test card: Stripe's 402 with the SetupIntent back
    in requires_payment_method and its last_setup_error (localstripe cancels it)."""
    def _attach_pm(self, pm):
        self.last_setup_error = None
        decline = on_attach(pm)
        if decline is None:
            return original(self, pm)
        body = dict(error(decline), payment_method=pm._export())
        self.payment_method, self.next_action = None, None
        self.status = "requires_payment_method"
        self.last_setup_error = body
        raise StripeError(402, dict(body, setup_intent=self._export()))
    return _attach_pm


def install(replace) -> None:
    """Patch localstripe's declines; `replace` swaps its extra API routes."""
    Charge._set_auth_failure = set_auth_failure
    Charge._raise_failure = raise_failure
    PaymentIntent._report_failure = report_failure
    SetupIntent._attach_pm = setup_attach(SetupIntent._attach_pm)
    replace("POST", "/v1/payment_methods/{id}/attach", declining_attach)
