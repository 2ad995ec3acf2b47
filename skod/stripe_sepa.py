"""The SEPA Direct Debit half of the gateway: the mandate (a SetupIntent for `sepa_debit`), a
debit under it, and what the bank account and the mandate are.

A mixin of `skod.stripe_gateway.Gateway` (which alone imports the SDK: `self._call`,
`self._create_once` and `self.client` are its). Every object lives on the account the gateway is
bound to (`gateway().on(account)`). A debit is a PaymentIntent confirmed off-session at once:
Stripe answers `processing` (the bank takes up to five business days), then
`payment_intent.succeeded` or `payment_intent.payment_failed` tell the end. SEPA has no hold:
no manual capture.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from skod.payments import stripe_objects as so
from skod.stripe_lookup import PAYMENT_ID_KEY

SEPA = ["sepa_debit"]


@dataclass(frozen=True)
class SepaSetup:
    """A SetupIntent for SEPA Direct Debit: its mandate once the client accepted it."""

    id: str
    status: str
    client_secret: str | None
    payment_method: str | None
    customer: str | None
    mandate: str | None


def sepa_setup(si: Any) -> SepaSetup:
    pm, customer = so.val(si, "payment_method"), so.val(si, "customer")
    return SepaSetup(id=si["id"], status=str(si["status"]),
                     client_secret=so.val(si, "client_secret"),
                     payment_method=pm if isinstance(pm, str) or pm is None else pm["id"],
                     customer=customer if isinstance(customer, str) or customer is None
                     else customer["id"],
                     mandate=so.val(si, "mandate"))


class SepaMixin:
    """SEPA calls; `_call`, `_create_once`, `client`, `find_setup_raw` and `find_intent` come
    from the Gateway."""

    client: Any
    _call: Callable[..., Any]
    _create_once: Callable[..., Any]
    find_setup_raw: Callable[..., Any]
    find_intent: Callable[..., Any]

    def create_sepa_setup(self, *, customer: str, key: str, metadata: dict) -> SepaSetup:
        """A SetupIntent the page confirms with the IBAN Element (confirmSepaDebitSetup):
        Stripe.js sends the client's acceptance of the mandate shown beside it."""
        si = self._create_once(self.client.v1.setup_intents.create, key,
                               lambda: self.find_setup_raw(customer, metadata),
                               customer=customer, usage="off_session",
                               allowed_payment_method_types=SEPA, metadata=metadata)
        return sepa_setup(si)

    def retrieve_sepa_setup(self, setup_id: str) -> SepaSetup:
        return sepa_setup(self._call(self.client.v1.setup_intents.retrieve, setup_id))

    def debit(self, *, amount: int, currency: str, customer: str, payment_method: str,
              mandate: str | None, key: str, metadata: dict, fee: int | None = None) -> Any:
        """Debit the client's account under the mandate, off-session; an `Intent` in
        `processing` (or failed at once). `fee`: the platform's application fee."""
        params: dict[str, Any] = {
            "amount": amount, "currency": currency.lower(), "customer": customer,
            "payment_method": payment_method, "confirm": True, "off_session": True,
            "allowed_payment_method_types": SEPA, "metadata": metadata,
            "expand": ["latest_charge"]}
        if mandate:
            params["mandate"] = mandate
        if fee and getattr(self, "account", None):
            params["application_fee_amount"] = fee

        def find() -> Any | None:
            ours = str(metadata.get(PAYMENT_ID_KEY, ""))
            return self.find_intent(customer, int(ours)) if ours.isdigit() else None
        pi = self._create_once(self.client.v1.payment_intents.create, key, find, **params)
        return pi if isinstance(pi, so.Intent) else so.intent(pi)

    def bank_account_summary(self, payment_method: str) -> dict:
        """What the client's page and ours show of the account: country and last 4 digits."""
        pm = self._call(self.client.v1.payment_methods.retrieve, payment_method)
        account = so.val(pm, "sepa_debit") or {}
        return {"country": so.val(account, "country"), "last4": so.val(account, "last4"),
                "bank_code": so.val(account, "bank_code")}

    def mandate_reference(self, mandate: str) -> dict:
        """The mandate's status and reference (printed on the client's pre-notification)."""
        found = self._call(self.client.v1.mandates.retrieve, mandate)
        details = so.val(so.val(found, "payment_method_details"), "sepa_debit") or {}
        return {"status": so.val(found, "status"), "reference": so.val(details, "reference"),
                "url": so.val(details, "url")}
