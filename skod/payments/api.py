"""API: refunds of captured payments (provider)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from skod.accounts.auth import require_provider
from skod.core.clock import iso, utcnow
from skod.payments import refunds

blp = Blueprint("payments_api", __name__, description="Payments and refunds")


class RefundRequestSchema(Schema):
    amount_minor = fields.Integer(strict=True, validate=validate.Range(min=1),
                                  metadata={"description": "default: all that is left"})
    reason = fields.String(validate=validate.Length(max=500))


class RefundSchema(Schema):
    id = fields.Integer()
    payment_id = fields.Integer()
    amount_minor = fields.Integer()
    reason = fields.String()
    status = fields.String()
    stripe_refund_id = fields.String()
    created_at = fields.Function(lambda r: iso(r.created_at))


@blp.post("/payments/<int:payment_id>/refund")
@blp.arguments(RefundRequestSchema)
@blp.response(201, RefundSchema)
def refund(data: dict, payment_id: int):
    provider = require_provider()
    return refunds.refund(payment_id, provider.id, data.get("amount_minor"), data.get("reason"),
                          utcnow())
