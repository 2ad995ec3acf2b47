"""SEPA Direct Debit: `sepa_debit` PaymentMethods, mandates, debits that stay `processing`.

- A `sepa_debit` PaymentMethod needs a valid IBAN (mod-97), else 400
  `invalid_bank_account_iban`; it shows `bank_code`, `branch_code`, `country`, `fingerprint`,
  `last4`, `generated_from`.
- A SetupIntent or PaymentIntent whose `allowed_payment_method_types` leave out `sepa_debit`
  refuses such a payment method (400 `payment_intent_invalid_parameter` /
  `setup_intent_invalid_parameter`); a SEPA PaymentIntent cannot be captured manually.
- Confirming with a `sepa_debit` payment method needs a mandate (mandates.py): the
  SetupIntent then names it (`mandate`), as the charge does
  (`payment_method_details.sepa_debit.mandate`).
- A confirmed SEPA PaymentIntent goes to `processing` (charge `pending`; events
  `payment_intent.processing`, `charge.pending`) and stays there as a bank debit does for
  days, until a test control moves it on (controls.py):
  `/_test/payment_intents/{id}/settle` resolves it as Stripe's test IBAN says and `/fail`
  fails it whatever the IBAN.

Stripe's SEPA test IBANs (docs.stripe.com/testing, "SEPA Direct Debit"), as settled here:

    DE89370400440532013000  AT611904300234573201  FR1420041010050500013M02606  succeeds
    DE08370400440532013003  AT321904300235473204  FR3020041010050500013M02609  succeeds (late)
    DE62370400440532013001  AT861904300235473202  FR8420041010050500013M02607  fails
    DE78370400440532013004  AT051904300235473205  FR7920041010050500013M02600  fails (late)
    DE35370400440532013002  AT591904300235473203  FR5720041010050500013M02608  succeeds, then
                                                                               disputed

A failed debit: charge `failed` with the failure code (`insufficient_funds` unless the control
says otherwise), the intent back in `requires_payment_method` without its payment method and
with `last_payment_error`; events `payment_intent.payment_failed`, `charge.failed`.
A settled one: charge `succeeded`, intent `succeeded`; events `charge.succeeded`,
`payment_intent.succeeded`; the disputed IBANs then open a dispute (`charge.dispute.created`,
reason `general`). Any settled SEPA charge can also be disputed with the dispute controls.
"""

from __future__ import annotations

import re
from typing import Any

from localstripe.resources import (
    BalanceTransaction,
    Charge,
    PaymentIntent,
    PaymentMethod,
    SetupIntent,
)

from . import disputes, mandates
from .events import StripeError, send, unexpected_state

FAILING = frozenset(("DE62370400440532013001", "AT861904300235473202",
                     "FR8420041010050500013M02607", "DE78370400440532013004",
                     "AT051904300235473205", "FR7920041010050500013M02600"))
DISPUTED = frozenset(("DE35370400440532013002", "AT591904300235473203",
                      "FR5720041010050500013M02608"))
FAILURE_CODES = {
    "insufficient_funds": "The customer's account has insufficient funds to cover this payment.",
    "account_closed": "The customer's bank account has been closed.",
    "bank_account_restricted": "The customer's account cannot accept this payment.",
    "debit_not_authorized": "The customer has notified their bank that this payment was "
                            "unauthorized.",
    "generic_could_not_process": "This payment could not be processed.",
    "invalid_account_number": "The account number is invalid.",
}


def valid_iban(iban: str) -> bool:
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}", iban):
        return False
    digits = "".join(str(int(c, 36)) for c in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


def is_sepa(pm_id: Any) -> bool:
    if not isinstance(pm_id, str):
        return False
    try:
        return PaymentMethod._api_retrieve(pm_id).type == "sepa_debit"
    except Exception:  # a card_ / src_ id: not a SEPA payment method
        return False


def wrap_pm_init(original):
    def __init__(self, type=None, sepa_debit=None, **data):  # noqa: A002
        if type == "sepa_debit" and isinstance(sepa_debit, dict):
            iban = re.sub(r"\s", "", str(sepa_debit.get("iban", ""))).upper()
            if not valid_iban(iban):
                raise StripeError(400, {"type": "invalid_request_error",
                                        "code": "invalid_bank_account_iban",
                                        "param": "sepa_debit[iban]",
                                        "message": "The provided IBAN is invalid."})
            sepa_debit = {"iban": iban}
        original(self, type=type, sepa_debit=sepa_debit, **data)
    return __init__


def export_pm(original):
    def _export(self, expand=None):
        obj = original(self, expand=expand)
        if self.type == "sepa_debit":
            iban = self._sepa_debit_iban
            obj["sepa_debit"] = {"bank_code": iban[4:9], "branch_code": iban[9:14],
                                 "country": iban[:2], "fingerprint": self.sepa_debit[
                                     "fingerprint"], "last4": iban[-4:],
                                 "generated_from": {"charge": None, "setup_attempt": None}}
        return obj
    return _export


def _not_allowed(obj: Any, kind: str) -> None:
    allowed = getattr(obj, "_allowed_types", None)
    if allowed and "sepa_debit" not in allowed:
        raise StripeError(400, {"type": "invalid_request_error",
                                "code": f"{kind}_invalid_parameter", "param": "payment_method",
                                "message": "The PaymentMethod provided (sepa_debit) is not "
                                           "allowed for this " + kind.replace("_", " ") + "."})


def wrap_setup_attach(original):
    """SetupIntent confirm with a SEPA payment method: allowed type, then a mandate."""
    def _attach_pm(self, pm):
        if pm.type != "sepa_debit":
            return original(self, pm)
        _not_allowed(self, "setup_intent")
        mandate = mandates.required(pm, "setup_intent")
        original(self, pm)
        self._mandate = mandate.id
        return None
    return _attach_pm


def wrap_pi_confirm(original):
    """PaymentIntent confirmation: a SEPA debit is submitted to the bank and waits there."""
    def _confirm(self, on_failure_now):
        if not is_sepa(self.payment_method):
            return original(self, on_failure_now)
        pm = PaymentMethod._api_retrieve(self.payment_method)
        _not_allowed(self, "payment_intent")
        if self.capture_method == "manual":
            raise StripeError(400, {"type": "invalid_request_error", "param": "capture_method",
                                    "message": "The payment method `sepa_debit` does not "
                                               "support manual capture."})
        self._mandate = mandates.required(pm, "payment_intent").id
        self._decline = None
        self._authentication_failed = False
        self._create_charge(on_failure_now=on_failure_now)
        self.latest_charge._mandate = self._mandate
        send("payment_intent.processing", self)
        send("charge.pending", self.latest_charge)
        return None
    return _confirm


def wrap_initialize_charge(original):
    """A SEPA charge stays pending (localstripe would settle it half a second later)."""
    def _initialize_charge(self, on_success=None, on_failure_now=None, on_failure_later=None):
        if not self._is_async_payment_method():
            return original(self, on_success, on_failure_now, on_failure_later)
        self.status = "pending"
        self._sepa_callbacks = (on_success, on_failure_later)
        return None
    return _initialize_charge


def export_charge(original):
    def _export(self, expand=None):
        obj = original(self, expand=expand)
        if is_sepa(self.payment_method):
            pm = PaymentMethod._api_retrieve(self.payment_method)
            details = dict(pm._export()["sepa_debit"], mandate=getattr(self, "_mandate", None))
            details.pop("generated_from", None)
            obj["payment_method_details"] = {"type": "sepa_debit", "sepa_debit": details}
        return obj
    return _export


def export_intent(original, kind: str):
    def _export(self, expand=None):
        obj = original(self, expand=expand)
        allowed = getattr(self, "_allowed_types", None)
        if allowed:
            obj["payment_method_types"] = list(allowed)
        if kind == "setup_intent":
            obj["mandate"] = getattr(self, "_mandate", None)
        return obj
    return _export


def _pending_charge(intent: Any) -> Any:
    charge = intent.latest_charge
    if intent.status != "processing" or charge is None or not is_sepa(charge.payment_method):
        raise unexpected_state(intent, "settled", ("processing",))
    return charge


def settle(intent: Any) -> Any:
    """The bank's answer arrives: as the test IBAN says (succeeds, fails or is disputed)."""
    charge = _pending_charge(intent)
    iban = PaymentMethod._api_retrieve(charge.payment_method)._sepa_debit_iban
    if iban in FAILING:
        return fail(intent, "insufficient_funds")
    on_success, _ = charge._sepa_callbacks
    txn = BalanceTransaction(amount=charge.amount, currency=charge.currency,
                             description=charge.description, exchange_rate=1.0,
                             reporting_category="charge", source=charge.id, type="charge")
    charge.balance_transaction = txn.id
    charge.status = "succeeded"
    charge.captured = True
    send("charge.succeeded", charge)
    if on_success:
        on_success()
    if iban in DISPUTED:
        disputes.open_dispute(charge, reason="general")
    return intent


def fail(intent: Any, code: str | None) -> Any:
    """The debit is returned unpaid: the intent needs another payment method."""
    charge = _pending_charge(intent)
    code = code or "insufficient_funds"
    if code not in FAILURE_CODES:
        raise StripeError(400, {"type": "invalid_request_error", "param": "failure_code",
                                "message": f"failure_code must be one of "
                                           f"{', '.join(FAILURE_CODES)}"})
    pm = PaymentMethod._api_retrieve(charge.payment_method)
    charge.status = "failed"
    charge.failure_code = code
    charge.failure_message = FAILURE_CODES[code]
    intent._last_error = {"type": "invalid_request_error", "code": code,
                          "message": FAILURE_CODES[code], "charge": charge.id,
                          "payment_method": pm._export()}
    intent.payment_method = None
    send("payment_intent.payment_failed", intent)
    send("charge.failed", charge)
    return intent


def install() -> None:
    """After intents, setups, declines, shapes and fees: wraps what they installed."""
    PaymentMethod.__init__ = wrap_pm_init(PaymentMethod.__init__)
    PaymentMethod._export = export_pm(PaymentMethod._export)
    SetupIntent._attach_pm = wrap_setup_attach(SetupIntent._attach_pm)
    PaymentIntent._confirm = wrap_pi_confirm(PaymentIntent._confirm)
    Charge._initialize_charge = wrap_initialize_charge(Charge._initialize_charge)
    Charge._export = export_charge(Charge._export)
    PaymentIntent._export = export_intent(PaymentIntent._export, "payment_intent")
    SetupIntent._export = export_intent(SetupIntent._export, "setup_intent")


def _with_mandate(call, data: dict):
    """Run `call(**data)` with its `mandate` / `mandate_data` set aside for the confirmation
    (localstripe's constructors and routes do not know them)."""
    mandates.MANDATE_ID.set(data.pop("mandate", None))
    mandates.MANDATE_DATA.set(data.pop("mandate_data", None))
    return call(**data)


def wrap_create(cls: type) -> None:
    original = cls._api_create.__func__

    def create(klass, **data):
        return _with_mandate(lambda **rest: original(klass, **rest), data)
    cls._api_create = classmethod(create)


def wrap_route(original):
    def route(**data):
        return _with_mandate(original, data)
    return route


def install_routes(replace) -> None:
    """`mandate` / `mandate_data` on intent create and confirm (after intents and setups)."""
    wrap_create(PaymentIntent)
    wrap_create(SetupIntent)
    replace("POST", "/v1/payment_intents/{id}/confirm", wrap_route)
    replace("POST", "/v1/setup_intents/{id}/confirm", wrap_route)
