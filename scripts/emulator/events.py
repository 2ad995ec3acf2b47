"""Webhook events in the pinned shape, sent through localstripe's own webhook mechanism.

`send(type, obj)` builds a localstripe `Event` (stored, listed by `GET /v1/events`, delivered to
every hook registered with `POST /_config/webhooks/{id}`). Its `data.object` is the object's
`_export()`, which shapes.py has already rewritten to the pinned API version's shape.
"""

from __future__ import annotations

import contextvars
from typing import Any

from localstripe.errors import UserError
from localstripe.resources import Event
from localstripe.webhooks import schedule_webhook

API_VERSION = {"value": "2026-10-28.endive"}
# True while a request authenticated with a secret key is handled (set by middleware.py): rules
# for server-side confirmation do not apply to Stripe.js, which handles redirects itself.
SECRET_KEY_REQUEST: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "secret_key_request", default=False)


def send(event_type: str, obj: Any) -> None:
    """Store and schedule one event about `obj` (a localstripe object)."""
    schedule_webhook(Event(event_type, obj))


def patch_event_version(version: str) -> None:
    """Events carry the pinned version, as Stripe's do for an account pinned to it."""
    API_VERSION["value"] = version
    original = Event.__init__

    def __init__(self, type, data):  # noqa: A002 - localstripe's own signature
        original(self, type, data)
        self.api_version = API_VERSION["value"]

    Event.__init__ = __init__


class StripeError(UserError):
    """A UserError with Stripe's full error body (type, code, param, payment_intent...)."""

    def __init__(self, status: int, error: dict) -> None:
        super().__init__(status, error.get("message"), dict(error))
        self.body["error"]["type"] = error.get("type", "invalid_request_error")


def unexpected_state(intent: Any, action: str, allowed: tuple[str, ...]) -> StripeError:
    """Stripe's 400 for an action on a PaymentIntent in the wrong status."""
    return StripeError(400, {
        "type": "invalid_request_error", "code": "payment_intent_unexpected_state",
        "message": f"This PaymentIntent could not be {action} because it has a status of "
                   f"{intent.status}. Only a PaymentIntent with one of the following statuses "
                   f"may be {action}: {', '.join(allowed)}.",
        "payment_intent": intent._export(),
    })


def redirects_unhandled(obj: Any, return_url: Any) -> StripeError | None:
    """Stripe's 400 for a server-side confirm that could need a redirect and has no return_url.

    Intents use the payment methods enabled in the Dashboard unless `allowed_payment_method_types`
    narrows them or `automatic_payment_methods[allow_redirects]` is `never`.
    """
    if not SECRET_KEY_REQUEST.get() or return_url or getattr(obj, "_allowed_types", None):
        return None
    automatic = getattr(obj, "_automatic_payment_methods", None) or {}
    if automatic.get("enabled") and automatic.get("allow_redirects") == "never":
        return None
    return StripeError(400, {
        "type": "invalid_request_error", "param": "return_url",
        "message": "A `return_url` must be specified because this Payment Intent is configured "
                   "to automatically accept the payment methods enabled in the Dashboard, some "
                   "of which may require a full page redirect to succeed. If you do not want to "
                   "accept redirect-based payment methods, set "
                   "`automatic_payment_methods[enabled]` to `true` and "
                   "`automatic_payment_methods[allow_redirects]` to `never` when creating Setup "
                   "Intents and Payment Intents."})
