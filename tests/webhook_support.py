"""Signed Stripe events for the webhook tests (signed for real with the test secret)."""

from __future__ import annotations

import json
import time
from itertools import count

import stripe

_seq = count(1)


def event(kind: str, obj: dict, event_id: str | None = None) -> dict:
    return {"id": event_id or f"evt_test_{next(_seq):06d}", "object": "event", "type": kind,
            "created": int(time.time()), "data": {"object": obj}}


def signed(payload: str, secret: str, at: int | None = None) -> str:
    ts = at or int(time.time())
    sig = stripe.WebhookSignature._compute_signature(f"{ts}.{payload}", secret)
    return f"t={ts},v1={sig}"


def deliver(client, ev: dict, secret: str):
    body = json.dumps(ev)
    return client.post("/stripe/webhook", data=body, content_type="application/json",
                       headers={"Stripe-Signature": signed(body, secret)})
