"""Stripe Connect ownership: every object belongs to the platform or to one connected account.

A request's account is its `Stripe-Account` header (Stripe.js: the `_stripe_account` body
parameter), else the platform (None); middleware.py sets `ACCOUNT` for every request. Test
controls and `/_config` routes see every account (`ANY`).

- an object created during a request belongs to the request's account (`_account`); one created
  by a test control (a dispute, a refund moved on) to its parent's (payment_intent, charge);
  objects without `_account` (a store from before Connect) belong to the platform;
- `_api_retrieve` of another account's object answers Stripe's 404 `resource_missing`, which
  also covers the ids a request refers to (customer, payment_method, ...) and expansions;
- lists keep only the request account's objects;
- an event carries `account` when it is about a connected account's object, and is delivered
  only to webhook endpoints registered with `connect: true` (the others get platform events).
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import hmac
import json
import logging
from typing import Any

import aiohttp
from localstripe import webhooks
from localstripe.resources import Event, List, StripeObject, store

from .events import StripeError

ANY = "*"
#: the account of the request being handled: None (platform), "acct_..." or ANY
ACCOUNT: contextvars.ContextVar[str | None] = contextvars.ContextVar("account", default=None)
PARENTS = (("payment_intent", "payment_intent:"), ("charge", "charge:"))


def account_of(obj: Any) -> str | None:
    """The account `obj` belongs to (None: the platform)."""
    if obj is None:
        return None
    if getattr(obj, "object", None) == "account":
        return obj.id  # events about an account are that account's
    if "_account" in vars(obj):
        return obj._account
    for field, prefix in PARENTS:
        ref = getattr(obj, field, None)
        ref = getattr(ref, "id", ref)
        if isinstance(ref, str):
            parent = store.get(prefix + ref)
            if parent is not None and parent is not obj:
                return account_of(parent)
    return None


def visible(obj: Any) -> bool:
    current = ACCOUNT.get()
    if current == ANY or getattr(obj, "object", None) == "account":
        return True
    return account_of(obj) == current


def missing(obj_type: str, obj_id: str) -> StripeError:
    """Stripe's 404 for an id that does not exist in the request's account."""
    return StripeError(404, {"type": "invalid_request_error", "code": "resource_missing",
                             "param": "id", "message": f"No such {obj_type}: '{obj_id}'"})


def _patch_init() -> None:
    original = StripeObject.__init__

    def __init__(self, id=None):  # noqa: A002 - localstripe's own signature
        original(self, id)
        current = ACCOUNT.get()
        if not isinstance(self, List) and current not in (None, ANY):
            self._account = current

    StripeObject.__init__ = __init__


def _patch_retrieve() -> None:
    original = StripeObject._api_retrieve.__func__

    def _api_retrieve(cls, id):  # noqa: A002
        try:
            obj = original(cls, id)
        except Exception as exc:
            if getattr(exc, "code", None) == 404:
                raise missing(cls.object, id) from None
            raise
        if not visible(obj):
            raise missing(cls.object, id)
        return obj

    StripeObject._api_retrieve = classmethod(_api_retrieve)


def _patch_lists() -> None:
    original = List._compute_starting_pos

    def _compute_starting_pos(self):
        if self._starting_pos is None:
            self._list = [item for item in self._list if visible(item)]
        original(self)

    List._compute_starting_pos = _compute_starting_pos
    List.total_count = property(lambda self: len([i for i in self._list if visible(i)]))


def _patch_events() -> None:
    original_init, original_export = Event.__init__, Event._export

    def __init__(self, type, data):  # noqa: A002
        original_init(self, type, data)
        self._account = getattr(data, "_event_account", None) or account_of(data)

    def _export(self, expand=None):
        obj = original_export(self, expand=expand)
        if getattr(self, "_account", None):
            obj["account"] = self._account
        return obj

    Event.__init__ = __init__
    Event._export = _export


def set_connect(hook_id: str, connect: bool) -> None:
    """The `connect` flag of a registered webhook endpoint (POST /_config/webhooks/{id})."""
    hook = webhooks._webhooks.get(hook_id)
    if hook is not None:
        hook.connect = connect


async def _send_webhook(event: Any) -> None:
    """localstripe's sender, to the endpoints of the event's side only (Connect or platform)."""
    payload = json.dumps(event._export(), indent=2, sort_keys=True).encode("utf-8")
    signed_payload = b"%d.%s" % (event.created, payload)
    await asyncio.sleep(1)
    logger = logging.getLogger("aiohttp.access")
    connected = bool(getattr(event, "_account", None))
    for webhook in list(webhooks._webhooks.values()):
        if webhook.events is not None and event.type not in webhook.events:
            continue
        if bool(getattr(webhook, "connect", False)) != connected:
            continue
        signature = hmac.new(webhook.secret.encode("utf-8"), signed_payload,
                             hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "Stripe-Signature": f"t={event.created},v1={signature}"}
        async with aiohttp.ClientSession() as session:
            try:
                async with session.post(webhook.url, data=payload, headers=headers) as r:
                    logger.info('webhook "%s" -> %d', event.type, r.status)
            except aiohttp.ClientError as exc:
                logger.info('webhook "%s" failed: %s', event.type, exc)


def install() -> None:
    _patch_init()
    _patch_retrieve()
    _patch_lists()
    _patch_events()
    webhooks._send_webhook = _send_webhook  # schedule_webhook looks it up by name
