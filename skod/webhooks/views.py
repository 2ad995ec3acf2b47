"""POST /stripe/webhook: verify the signature, log the event, answer 2xx at once.

The event log, dispatch table and reconciliation belong to issue #4; until then our state is
driven by our own calls to Stripe, and a verified event is only acknowledged.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify, request

from skod.stripe_gateway import gateway

bp = Blueprint("webhooks", __name__)
log = logging.getLogger(__name__)


@bp.post("/stripe/webhook")
def receive():
    secrets = [s for s in current_app.config["STRIPE_WEBHOOK_SECRET"].split(",") if s]
    payload = request.get_data()
    signature = request.headers.get("Stripe-Signature")
    for secret in secrets:
        try:
            event = gateway().verify_event(payload, signature, secret)
        except ValueError:
            continue
        log.info("stripe event %s %s acknowledged", event.get("id"), event.get("type"))
        return jsonify({"received": True})
    return jsonify({"error": {"code": "bad_signature", "message": "invalid signature"}}), 400
