"""The look-up half of the gateway: creates that survive Stripe's retry rules, and finding
again what we made when its answer was lost.

A mixin of `skod.stripe_gateway.Gateway` (which alone imports the SDK: `self._call` and
`self.client` are its). Stripe stores the result of a request under its idempotency key for at
least 24 hours, a 500 included (docs.stripe.com/api/idempotent_requests): a create retried with
the same key after a 5xx or a timeout only gets the stored 500 back. So after such an answer a
create first looks its object up by our metadata id, and is sent again under a key derived from
the first (`<key>:retry1`, the same after a crash) only when none exists.

Look-ups: the Search API for PaymentIntents and Customers (`metadata['skod_payment_id']:'12'`).
Stripe's search index lags writes ("usually under a minute"), so a miss is checked again where a
list can: the customer's newest intents, the intent's refunds, the customer's SetupIntents
(SetupIntents and Refunds have no search). A create of a moment ago is among them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from skod.payments import stripe_objects as so

#: the metadata key of our payment's id on every intent
PAYMENT_ID_KEY = "skod_payment_id"
#: the suffix of the key of a create sent again after a lost answer
RETRY_SUFFIX = ":retry1"


def _with(items: Any, key: str, value: str) -> list:
    return [item for item in so.val(items, "data", []) or []
            if str(so.val(so.val(item, "metadata"), key, "")) == value]


class LookupMixin:
    """Creates that look up before they send again; `find_*` by our metadata ids."""

    _call: Callable[..., Any]
    client: Any
    #: the gateway's error class (GatewayError, defined beside the SDK's import)
    error_type: type[Exception]

    def _create_once(self, fn: Callable[..., Any], key: str,
                     find: Callable[[], Any | None], **params: Any) -> Any:
        """`fn(**params)` under `key`; after a 5xx or a timeout (GatewayError `retryable`), the
        object made before the answer was lost, else the create under `<key>:retry1`. A card
        error or any refusal is raised as it came."""
        try:
            return self._call(fn, key=key, **params)
        except self.error_type as err:
            if getattr(err, "kind", None) != "retryable" or getattr(err, "intent", None):
                raise
            try:
                found = find()
            except self.error_type:
                raise err from None  # still unreachable: the caller keeps its state
            return found if found is not None else self._call(
                fn, key=f"{key}{RETRY_SUFFIX}", **params)

    def find_intent_raw(self, customer: str, payment_id: int) -> Any | None:
        """The PaymentIntent we made for `payment_id` (search, then the customer's list)."""
        value = str(int(payment_id))
        page = self._call(self.client.v1.payment_intents.search,
                          query=f"metadata['{PAYMENT_ID_KEY}']:'{value}'", limit=10)
        found = list(so.val(page, "data", []) or [])
        if not found and customer:
            found = _with(self._call(self.client.v1.payment_intents.list, customer=customer,
                                     limit=100), PAYMENT_ID_KEY, value)
        return found[0] if found else None

    def find_customer_raw(self, metadata: dict) -> Any | None:
        """The customer made with this metadata (its one id key) on this account."""
        [(key, value)] = list(metadata.items())[:1] or [("", "")]
        page = self._call(self.client.v1.customers.search,
                          query=f"metadata['{key}']:'{value}'", limit=10)
        found = list(so.val(page, "data", []) or [])
        return found[0] if found else None

    def find_setup_raw(self, customer: str, metadata: dict) -> Any | None:
        """The customer's SetupIntent made with this metadata (no search for SetupIntents)."""
        [(key, value)] = list(metadata.items())[:1] or [("", "")]
        found = _with(self._call(self.client.v1.setup_intents.list, customer=customer,
                                 limit=100), key, str(value))
        return found[0] if found else None

    def find_refund_raw(self, intent_id: str, refund_id: int) -> Any | None:
        found = _with(self._call(self.client.v1.refunds.list, payment_intent=intent_id,
                                 limit=100), "skod_refund_id", str(refund_id))
        return found[0] if found else None
