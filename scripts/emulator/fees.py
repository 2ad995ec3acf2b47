"""Application fees: the platform's cut of a direct charge on a connected account.

- `application_fee_amount` on PaymentIntent create and capture, only with a Stripe-Account
  header (Stripe refuses it on the platform's own payments), at most the amount;
- when the charge is captured, an ApplicationFee (`fee_...`, belonging to the platform) is
  created; the charge shows `application_fee_amount` and `application_fee`, the intent
  `application_fee_amount`; event `application_fee.created` (platform endpoints);
- `GET /v1/application_fees/{id}`, `GET /v1/application_fees?charge=...` (platform only);
- `refund_application_fee=true` on `POST /v1/refunds` refunds the fee in proportion to the
  amount refunded over the amount captured (the last refund takes what is left of it);
  event `application_fee.refunded`.
"""

from __future__ import annotations

import contextvars
from typing import Any

from localstripe import resources
from localstripe.resources import Charge, PaymentIntent, StripeObject, store

from . import clock
from .events import StripeError, send
from .owners import ACCOUNT, ANY, account_of
from .shapes import amount_captured, amount_refunded

#: the fee asked for by the PaymentIntent being created (read by its constructor)
_PENDING: contextvars.ContextVar[int | None] = contextvars.ContextVar("fee", default=None)


class ApplicationFee(StripeObject):
    object = "application_fee"
    _id_prefix = "fee_"

    def __init__(self, charge: Any, amount: int, account: str) -> None:
        super().__init__()
        self._account = None  # the platform's
        self.amount = amount
        self.amount_refunded = 0
        self.refunded = False
        self.account = account
        self.charge = charge.id
        self.currency = charge.currency
        self.originating_transaction = None
        self.refunds = {"object": "list", "data": [], "has_more": False,
                        "url": f"/v1/application_fees/{self.id}/refunds"}

    @classmethod
    def _api_list_all(cls, url, charge=None, limit=None, starting_after=None, **_ignored):
        li = super()._api_list_all(url, limit=limit, starting_after=starting_after)
        li._list = [f for f in li._list if charge is None or f.charge == charge]
        li._list.sort(key=lambda f: f.created, reverse=True)
        return li


def _fee_param(value: Any, amount: int) -> int | None:
    """A valid application_fee_amount for a payment of `amount`, or Stripe's 400."""
    if value is None:
        return None
    if ACCOUNT.get() in (None, ANY):
        raise StripeError(400, {
            "type": "invalid_request_error", "param": "application_fee_amount",
            "message": "Can only apply an application_fee_amount when the PaymentIntent is "
                       "attempting a direct payment (using an OAuth key or Stripe-Account "
                       "header) or destination payment (using `transfer_data[destination]`)."})
    fee = resources.try_convert_to_int(value)
    if not isinstance(fee, int) or not 0 <= fee <= amount:
        raise StripeError(400, {
            "type": "invalid_request_error", "param": "application_fee_amount",
            "code": "application_fee_amount_too_large" if isinstance(fee, int) else
            "parameter_invalid_integer",
            "message": "application_fee_amount must be an integer between 0 and the amount."})
    return fee


def wrap_create(original):
    def create(cls, application_fee_amount=None, **data):
        amount = resources.try_convert_to_int(data.get("amount"))
        fee = _fee_param(application_fee_amount, amount if isinstance(amount, int) else 0)
        token = _PENDING.set(fee)
        try:
            return original(**data)
        finally:
            _PENDING.reset(token)
    return create


def wrap_init(original):
    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self._application_fee_amount = _PENDING.get()
    __init__.__wrapped__ = original  # intents.accepted() reads the original signature
    return __init__


def wrap_capture(original):
    def capture(id, application_fee_amount=None, amount_to_capture=None, **data):  # noqa: A002
        intent = PaymentIntent._api_retrieve(id)
        captured = resources.try_convert_to_int(amount_to_capture)
        limit = captured if isinstance(captured, int) else intent.amount
        before = getattr(intent, "_application_fee_amount", None)
        if application_fee_amount is not None:
            intent._application_fee_amount = _fee_param(application_fee_amount, limit)
        elif (getattr(intent, "_application_fee_amount", None) or 0) > limit:
            raise StripeError(400, {
                "type": "invalid_request_error", "param": "application_fee_amount",
                "code": "application_fee_amount_too_large",
                "message": "The application fee is greater than the amount to capture: give a "
                           "smaller application_fee_amount with amount_to_capture."})
        try:
            return original(id, amount_to_capture=amount_to_capture, **data)
        except Exception:
            intent._application_fee_amount = before  # a refused capture changes nothing
            raise
    return capture


def wrap_on_success(original):
    def _on_success(self):
        charge = self.latest_charge
        fee = getattr(self, "_application_fee_amount", None)
        if charge is not None and fee is not None and not getattr(charge, "_fee", None):
            obj = ApplicationFee(charge, fee, account_of(self))
            charge._fee = obj.id
            send("application_fee.created", obj)
        original(self)
    return _on_success


def fee_of(charge: Any) -> ApplicationFee | None:
    fee_id = getattr(charge, "_fee", None)
    return store.get("application_fee:" + fee_id) if fee_id else None


def refund_fee(refund: Any) -> None:
    """Refund the charge's fee in proportion to `refund` (refund_application_fee=true)."""
    charge = store.get("charge:" + refund.charge)
    fee = fee_of(charge)
    captured = amount_captured(charge) if charge is not None else 0
    if fee is None or captured <= 0:
        return
    left = fee.amount - fee.amount_refunded
    share = fee.amount * refund.amount // captured
    if amount_refunded(charge) >= captured:
        share = left  # the charge is fully refunded: no cent of the fee stays
    share = min(share, left)
    if share <= 0:
        return
    fee.amount_refunded += share
    fee.refunded = fee.amount_refunded >= fee.amount
    fee.refunds["data"].insert(0, {
        "id": "fr_" + resources.random_id(14), "object": "fee_refund", "amount": share,
        "currency": fee.currency, "created": int(clock.now()), "fee": fee.id, "metadata": {}})
    send("application_fee.refunded", fee)


def wrap_refund_create(original):
    def create(cls, refund_application_fee=None, **data):
        refund = original(**data)
        if str(refund_application_fee).lower() == "true":
            refund_fee(refund)
        return refund
    return create


def export_charge(original):
    def _export(self, expand=None):
        obj = original(self, expand=expand)
        intent = store.get("payment_intent:" + str(getattr(self, "payment_intent", None)))
        obj["application_fee_amount"] = getattr(intent, "_application_fee_amount", None)
        obj["application_fee"] = getattr(self, "_fee", None)
        return obj
    return _export


def export_intent(original):
    def _export(self, expand=None):
        obj = original(self, expand=expand)
        obj["application_fee_amount"] = getattr(self, "_application_fee_amount", None)
        return obj
    return _export


def install(replace) -> None:
    """After intents / refunds / shapes: wraps their create, capture and exports."""
    PaymentIntent._api_create = classmethod(wrap_create(PaymentIntent._api_create))
    PaymentIntent.__init__ = wrap_init(PaymentIntent.__init__)
    PaymentIntent._on_success = wrap_on_success(PaymentIntent._on_success)
    PaymentIntent._export = export_intent(PaymentIntent._export)
    Charge._export = export_charge(Charge._export)
    from localstripe.resources import Refund

    Refund._api_create = classmethod(wrap_refund_create(Refund._api_create))
    replace("POST", "/v1/payment_intents/{id}/capture", wrap_capture)


def add_routes(server: Any) -> None:
    url = "/v1/application_fees"
    server.app.router.add_get(url, server.api_list_all(ApplicationFee, url))
    server.app.router.add_get(url + "/{id}", server.api_retrieve(ApplicationFee, url + "/{id}"))
