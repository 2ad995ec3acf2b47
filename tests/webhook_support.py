"""Signed Stripe events for the webhook tests (signed for real with the test secret)."""

from __future__ import annotations

import json
import time
from itertools import count

import stripe

from tests.support.stripe_helpers import current_account

_seq = count(1)


_CURRENT = object()


def event(kind: str, obj: dict, event_id: str | None = None,
          account: str | None | object = _CURRENT) -> dict:
    """An event as Stripe sends it; about an object of the current provider's connected
    account (as a Connect endpoint receives it) unless `account` says otherwise (None: the
    platform's own)."""
    if account is _CURRENT:
        account = current_account()
    ev = {"id": event_id or f"evt_test_{next(_seq):06d}", "object": "event", "type": kind,
          "created": int(time.time()), "data": {"object": obj}}
    if account:
        ev["account"] = account
    return ev


def signed(payload: str, secret: str, at: int | None = None) -> str:
    ts = at or int(time.time())
    sig = stripe.WebhookSignature._compute_signature(f"{ts}.{payload}", secret)
    return f"t={ts},v1={sig}"


def deliver(client, ev: dict, secret: str):
    body = json.dumps(ev)
    return client.post("/stripe/webhook", data=body, content_type="application/json",
                       headers={"Stripe-Signature": signed(body, secret)})
