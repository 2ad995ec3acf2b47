"""The only module that imports `stripe`: small dataclasses out, mapped errors, idempotency keys in.

Amounts cross this boundary as integer minor units. Every mutating call takes the idempotency key
the caller stored on its row before calling. Errors become `GatewayError` with a `kind`:
soft_decline / hard_decline / authentication_required / retryable / fatal; a card error also
carries its decline code and the network's advice (read by stripe_objects.decline).
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from typing import Any

import stripe
from flask import current_app

from skod.core.ratelimit import RateLimiter
from skod.payments import stripe_objects as so
from skod.payments.stripe_objects import HARD_DECLINES, Dispute, Intent, Refund, Setup
from skod.stripe_connect import ConnectMixin
from skod.stripe_lookup import PAYMENT_ID_KEY, LookupMixin
from skod.stripe_sepa import SepaMixin, SepaSetup
from skod.stripe_transfers import TransfersMixin

__all__ = ["Dispute", "Gateway", "GatewayError", "HARD_DECLINES", "Intent", "PAYMENT_ID_KEY",
           "PINNED_API_VERSION", "Refund", "SepaSetup", "Setup", "gateway", "verify_signed_event"]

#: The API version this SDK is generated for: its parameter types and response shapes are that
#: version's, so requests are sent with it unless STRIPE_API_VERSION says otherwise.
PINNED_API_VERSION: str = stripe.api_version
#: expanded on every intent we read: the hold's expiry lives on the charge's card details
EXPAND_CHARGE = ["latest_charge"]


class GatewayError(Exception):
    """`code`: the most specific code (a card error's decline_code, else Stripe's code);
    `decline_code`: the issuer's decline code as Stripe gave it (None when Stripe answered with
    a code of its own, e.g. expired_card); `advice`: confirm_card_data / do_not_try_again /
    try_again_later, from Stripe's advice_code or the network's advice code."""

    def __init__(self, kind: str, code: str | None, message: str,
                 intent: Intent | None = None, *, decline_code: str | None = None,
                 advice: str | None = None) -> None:
        super().__init__(f"{kind}: {code}: {message}")
        self.kind = kind
        self.code = code
        self.message = message
        self.intent = intent
        self.decline_code = decline_code
        self.advice = advice


def _map_error(err: stripe.StripeError) -> GatewayError:
    body = (err.json_body or {}).get("error", {}) if isinstance(err.json_body, dict) else {}
    code = getattr(err, "code", None) or body.get("code")
    pi = body.get("payment_intent")
    intent = so.intent(pi) if isinstance(pi, dict) and pi.get("id") else None
    message = err.user_message or str(err)
    if isinstance(err, stripe.CardError):
        # hard: a code of HARD_DECLINES, or the network's "do not try again" on any code
        card = so.decline(dict(body, code=code))
        return GatewayError(card.kind, card.reason, message, intent,
                            decline_code=card.decline_code, advice=card.advice)
    if isinstance(err, stripe.RateLimitError | stripe.APIConnectionError):
        return GatewayError("retryable", code or "network", message, intent)
    if isinstance(err, stripe.APIError) or (err.http_status or 0) >= 500:
        return GatewayError("retryable", code or "api_error", message, intent)
    return GatewayError("fatal", code or type(err).__name__, message, intent)


RATE_LIMIT_RETRIES = (0.5, 1.0, 2.0)  # seconds before each new try after a 429


class Gateway(ConnectMixin, LookupMixin, SepaMixin, TransfersMixin):
    """The platform's Stripe client; `on(account)` is the same client bound to a connected
    account: every request it sends carries `Stripe-Account` (None: the platform itself).
    Creates go through `_create_once` (stripe_lookup.py): after a 5xx or a timeout they look
    their object up before a new key is used."""

    error_type = GatewayError

    def __init__(self, secret_key: str, api_base: str = "", api_version: str = "",
                 limiter: RateLimiter | None = None, *, prefix: str = "",
                 account: str | None = None) -> None:
        kwargs: dict[str, Any] = {"max_network_retries": 0,
                                  "stripe_version": api_version or PINNED_API_VERSION}
        if api_base:
            # OAuth calls go to the "connect" base: the emulator serves both
            kwargs["base_addresses"] = {"api": api_base, "connect": api_base}
        self.client = stripe.StripeClient(secret_key, **kwargs)
        self.limiter = limiter or RateLimiter(25)
        #: installation prefix of every idempotency key (see idempotency_key)
        self.prefix = prefix
        self.account = account

    def on(self, account: str | None) -> Gateway:
        """This gateway bound to `account` (None or "": the platform): same client and limiter."""
        bound = copy.copy(self)
        bound.account = account or None
        return bound

    def idempotency_key(self, key: str) -> str:
        """`<installation>:<account or platform>:<domain key>`: a staging and a production
        install on one test key, or one domain key on two accounts, never replay each other."""
        return f"{self.prefix}:{self.account or 'platform'}:{key}"

    def _call(self, fn, *args, key: str | None = None, **params):  # noqa: ANN001
        """One Stripe request under the rate limiter; a 429 is tried again with the same key."""
        options: dict[str, Any] = {"idempotency_key": self.idempotency_key(key)} if key else {}
        if self.account:
            options["stripe_account"] = self.account
        for pause in (*RATE_LIMIT_RETRIES, None):
            self.limiter.acquire()
            try:
                return fn(*args, params=params, options=options)
            except stripe.RateLimitError as err:
                if pause is None:
                    raise _map_error(err) from err
                time.sleep(pause)
            except stripe.StripeError as err:
                raise _map_error(err) from err
        raise AssertionError("unreachable")

    # Customers and cards -----------------------------------------------------------------
    def create_customer(self, *, email: str, name: str, key: str, metadata: dict) -> str:
        return self._create_once(self.client.v1.customers.create, key,
                                 lambda: self.find_customer_raw(metadata), email=email,
                                 name=name, metadata=metadata)["id"]

    def create_setup_intent(self, *, customer: str, key: str, metadata: dict) -> Setup:
        # Cards only, confirmed by the page's Card Element: `allowed_payment_method_types`
        # (payment_method_types is refused since 2026-09-30.endive).
        si = self._create_once(self.client.v1.setup_intents.create, key,
                               lambda: self.find_setup_raw(customer, metadata),
                               customer=customer, usage="off_session",
                               allowed_payment_method_types=["card"], metadata=metadata)
        return so.setup(si)

    def retrieve_setup_intent(self, setup_id: str) -> Setup:
        return so.setup(self._call(self.client.v1.setup_intents.retrieve, setup_id))

    def confirm_setup_intent(self, setup_id: str, *, payment_method: str, key: str) -> Setup:
        si = self._call(self.client.v1.setup_intents.confirm, setup_id, key=key,
                        payment_method=payment_method)
        return so.setup(si)

    def card_summary(self, payment_method: str) -> dict:
        pm = self._call(self.client.v1.payment_methods.retrieve, payment_method)
        card = so.val(pm, "card") or {}
        customer = so.val(pm, "customer")
        return {"brand": so.val(card, "brand"), "last4": so.val(card, "last4"),
                "exp_month": so.val(card, "exp_month"), "exp_year": so.val(card, "exp_year"),
                "customer": customer if isinstance(customer, str) or customer is None
                else customer["id"]}

    # Payment intents ---------------------------------------------------------------------
    def _fee(self, params: dict, fee: int | None) -> dict:
        """The platform's application fee, sent only on a connected account (Stripe refuses
        it on the platform's own charges)."""
        if fee and self.account:
            params["application_fee_amount"] = fee
        return params

    def create_intent(self, *, amount: int, currency: str, customer: str, payment_method: str,
                      manual: bool, off_session: bool, key: str, metadata: dict,
                      fee: int | None = None) -> Intent:
        """Create and confirm at once with a saved card; a card error carrying the intent is
        raised as such (off-session 3-D Secure: `authentication_required`). `fee`: the
        application fee of an automatic charge (a hold's fee goes on its capture)."""
        params: dict[str, Any] = {
            "amount": amount, "currency": currency.lower(), "customer": customer,
            "payment_method": payment_method, "confirm": True, "metadata": metadata,
            "capture_method": "manual" if manual else "automatic",
            "allowed_payment_method_types": ["card"], "expand": EXPAND_CHARGE,
        }
        if off_session:
            params["off_session"] = True
        if not manual:
            self._fee(params, fee)
        return self._create_intent(key, customer, metadata, params)

    def _create_intent(self, key: str, customer: str, metadata: dict, params: dict) -> Intent:
        """A PaymentIntent create; after a lost answer, the intent made for our payment id."""
        def find() -> Any | None:
            ours = str(metadata.get(PAYMENT_ID_KEY, ""))
            return self.find_intent(customer, int(ours)) if ours.isdigit() else None
        pi = self._create_once(self.client.v1.payment_intents.create, key, find, **params)
        return pi if isinstance(pi, Intent) else so.intent(pi)

    def retrieve_intent(self, intent_id: str) -> Intent:
        return so.intent(self._call(self.client.v1.payment_intents.retrieve, intent_id,
                                    expand=EXPAND_CHARGE))

    def capture(self, intent_id: str, *, amount: int, key: str, fee: int | None = None) -> Intent:
        pi = self._call(self.client.v1.payment_intents.capture, intent_id, key=key,
                        **self._fee({"amount_to_capture": amount, "expand": EXPAND_CHARGE}, fee))
        return so.intent(pi)

    def cancel(self, intent_id: str, *, key: str) -> Intent:
        return so.intent(self._call(self.client.v1.payment_intents.cancel, intent_id, key=key,
                                    expand=EXPAND_CHARGE))

    def create_page_intent(self, *, amount: int, currency: str, customer: str, key: str,
                           metadata: dict, manual: bool = True, fee: int | None = None,
                           methods: tuple[str, ...] = ("card",)) -> Intent:
        """An intent the page confirms with the card (Stripe.js confirmCardPayment): one 3-D
        Secure challenge gives the hold (or, `manual=False`, the payment itself: a debt's pay
        page) AND the saved card, which Stripe attaches to `customer` (setup_future_usage) for
        later off-session charges. Not confirmed here and without a payment method: its status
        is requires_payment_method. `methods`: the types the page may confirm it with (a debt's
        pay page: its Payment Element offers card and, in euros, SEPA Direct Debit, which
        Stripe then debits under the mandate the element collects).
        """
        params = {"amount": amount, "currency": currency.lower(), "customer": customer,
                  "capture_method": "manual" if manual else "automatic",
                  "setup_future_usage": "off_session",
                  "allowed_payment_method_types": list(methods), "metadata": metadata}
        return self._create_intent(key, customer, metadata,
                                   params if manual else self._fee(params, fee))

    def find_intent(self, customer: str, payment_id: int) -> Intent | None:
        """The intent we made for `payment_id` when its id never reached our database (a lost
        answer, a 5xx, a timeout), whatever the customer's number of intents (stripe_lookup)."""
        found = self.find_intent_raw(customer, payment_id)
        return self.retrieve_intent(found["id"]) if found is not None else None

    # Refunds and disputes ----------------------------------------------------------------
    def create_refund(self, intent_id: str, *, amount: int, key: str, refund_id: int) -> Refund:
        """A refund as Stripe answers it: often `succeeded`, sometimes `pending` (then
        `refund.updated` / `refund.failed` tell the end)."""
        params: dict[str, Any] = {"payment_intent": intent_id, "amount": amount,
                                  "metadata": {"skod_refund_id": str(refund_id)}}
        if self.account:  # the platform's fee goes back in proportion (none on the platform)
            params["refund_application_fee"] = True
        return so.refund(self._create_once(
            self.client.v1.refunds.create, key,
            lambda: self.find_refund_raw(intent_id, refund_id), **params))

    def list_refunds(self, intent_id: str) -> list[Refund]:
        """Every refund of the intent's charge, ours and those made in the dashboard."""
        page = self._call(self.client.v1.refunds.list, payment_intent=intent_id, limit=100)
        return [so.refund(re) for re in so.val(page, "data", [])]

    def retrieve_dispute(self, dispute_id: str) -> Dispute:
        return so.dispute(self._call(self.client.v1.disputes.retrieve, dispute_id))

    # Webhooks ----------------------------------------------------------------------------
    def verify_event(self, payload: bytes, signature: str | None, secret: str,
                     tolerance: int = 300) -> dict:
        """The event as a dict, or ValueError when the signature, age or body is wrong.

        Stripe's scheme (`t=<ts>,v1=<hex hmac-sha256(secret, "<ts>.<body>")>`), checked here in
        a few microseconds: the intake runs it on every delivery."""
        return verify_signed_event(payload, signature, secret, tolerance)


def verify_signed_event(payload: bytes, signature: str | None, secret: str,
                        tolerance: int = 300) -> dict:
    pairs = [item.split("=", 1) for item in (signature or "").split(",") if "=" in item]
    stamps = [v for k, v in pairs if k.strip() == "t"]
    signatures = [v.strip() for k, v in pairs if k.strip() == "v1"]
    if not stamps or not signatures or not stamps[0].strip().isdigit():
        raise ValueError("malformed Stripe-Signature header")
    stamp = int(stamps[0])
    expected = hmac.new(secret.encode(), f"{stamp}.".encode() + payload,
                        hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, sig) for sig in signatures):
        raise ValueError("no signature matches the payload")
    if tolerance and stamp < time.time() - tolerance:
        raise ValueError("timestamp outside the tolerance")
    event = json.loads(payload)
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        raise ValueError("not a Stripe event")
    return event


def gateway() -> Gateway:
    """The app's gateway (the platform's), built once from the config; `.on(account)` for a
    provider's money."""
    gw = current_app.extensions.get("skod_gateway")
    if gw is None:
        from skod.core.installation import idempotency_prefix

        cfg = current_app.config
        limiter = RateLimiter(cfg["STRIPE_MAX_REQUESTS_PER_SECOND"], cfg["RATE_LIMIT_REDIS_URL"])
        gw = Gateway(cfg["STRIPE_SECRET_KEY"], cfg["STRIPE_API_BASE"], cfg["STRIPE_API_VERSION"],
                     limiter, prefix=idempotency_prefix())
        current_app.extensions["skod_gateway"] = gw
    return gw
