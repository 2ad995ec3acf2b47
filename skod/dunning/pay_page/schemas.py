"""Marshmallow schemas of the pay page's card API (dunning/pay_api.py) and of the provider's
decision on a payment plan (dunning/plan_api.py)."""

from __future__ import annotations

from marshmallow import fields

from skod.calls.schemas import CardResultSchema, PaymentMethodSchema
from skod.core.schemas import Schema
from skod.dunning.debts.models import PaymentPlan

__all__ = ["CardResultSchema", "PaidSchema", "PaymentMethodSchema", "PlanSchema", "plan_out"]


class PaidSchema(Schema):
    """The debt after the page's payment: `paid` once the balance is settled."""

    status = fields.String(required=True)
    balance_minor = fields.Integer(required=True)
    #: all that is still owed today: the balance, plus the penalties the case claims
    owed_minor = fields.Integer()
    currency = fields.String(required=True)
    #: paid above the balance (a race with another payment) and refunded to the card
    refunded_minor = fields.Integer()


class InstalmentSchema(Schema):
    seq = fields.Integer(required=True)
    due_at = fields.DateTime(required=True)
    amount_minor = fields.Integer(required=True)
    status = fields.String(required=True)


class PlanSchema(Schema):
    id = fields.Integer(required=True)
    receivable_id = fields.Integer(required=True)
    status = fields.String(required=True)
    instalments = fields.Integer(required=True)
    currency = fields.String(required=True)
    schedule = fields.List(fields.Nested(InstalmentSchema), required=True)


def plan_out(plan: PaymentPlan) -> dict:
    return {"id": plan.id, "receivable_id": plan.receivable_id, "status": plan.status,
            "instalments": plan.instalments, "currency": plan.receivable.currency,
            "schedule": [{"seq": i.seq, "due_at": i.due_at, "amount_minor": i.amount_minor,
                          "status": i.status} for i in plan.schedule]}
