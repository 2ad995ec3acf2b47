"""API: refunds of captured payments, and what became of them and of disputes (provider)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import fields, validate

from skod.accounts.auth import require_provider
from skod.core.clock import iso, utcnow
from skod.core.errors import NotFound
from skod.core.schemas import Schema, amount_range
from skod.extensions import db
from skod.payments import disputes, refunds
from skod.payments.models import Payment

blp = Blueprint("payments_api", __name__, description="Payments and refunds")


class RefundRequestSchema(Schema):
    amount_minor = fields.Integer(strict=True, validate=amount_range,
                                  metadata={"description": "default: all that is left"})
    reason = fields.String(validate=validate.Length(max=500))


class RefundSchema(Schema):
    id = fields.Integer()
    payment_id = fields.Integer()
    amount_minor = fields.Integer()
    reason = fields.String(allow_none=True)
    #: Stripe's status: pending, requires_action, succeeded, failed or canceled
    status = fields.String()
    failure_reason = fields.String(allow_none=True)
    stripe_refund_id = fields.String(allow_none=True)
    created_at = fields.Function(lambda r: iso(r.created_at))


class DisputeSchema(Schema):
    id = fields.Integer()
    amount_minor = fields.Integer()
    currency = fields.String()
    reason = fields.String(allow_none=True)
    status = fields.String()
    evidence_due_by = fields.Function(lambda d: iso(d.evidence_due_by))


def _own_payment(payment_id: int) -> Payment:
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.provider_id != require_provider().id:
        raise NotFound("payment not found")
    return payment


@blp.post("/payments/<int:payment_id>/refund")
@blp.arguments(RefundRequestSchema)
@blp.response(201, RefundSchema)
def refund(data: dict, payment_id: int):
    provider = require_provider()
    return refunds.refund(payment_id, provider.id, data.get("amount_minor"), data.get("reason"),
                          utcnow())


@blp.get("/payments/<int:payment_id>/refunds")
@blp.response(200, RefundSchema(many=True))
def list_refunds(payment_id: int):
    return refunds.of_payment(_own_payment(payment_id).id)


@blp.get("/payments/<int:payment_id>/disputes")
@blp.response(200, DisputeSchema(many=True))
def list_disputes(payment_id: int):
    return disputes.of_payment(_own_payment(payment_id).id)
