"""POST /stripe/webhook: answer at once; the event is processed by a Celery task."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request

from skod.webhooks.intake import BadEvent, receive

bp = Blueprint("webhooks", __name__)
log = logging.getLogger(__name__)


@bp.post("/stripe/webhook")
def stripe_webhook():
    try:
        event_id = receive(request.get_data(), request.headers.get("Stripe-Signature"))
    except BadEvent as err:
        log.warning("refused a Stripe webhook: %s", err)
        return jsonify({"error": {"code": "bad_signature", "message": str(err)}}), 400
    return jsonify({"received": True, "duplicate": event_id is None})


@bp.route("/healthz", methods=["GET", "POST"])
def healthz():
    """Bare endpoint: load balancers, and the webhook benchmark's baseline."""
    return jsonify({"ok": True})
