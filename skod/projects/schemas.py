"""API schemas of projects and milestones."""

from __future__ import annotations

from flask import current_app
from marshmallow import fields, validate

from skod.calls.schemas import (
    CardResultSchema,
    ClientSchema,
    PaymentMethodSchema,
    PaymentOutSchema,
)
from skod.core.clock import iso
from skod.core.money import CURRENCY_EXPONENTS
from skod.core.schemas import Schema, Text, amount_range, check_year
from skod.payments import connect

__all__ = ["CardResultSchema", "PaymentMethodSchema"]

_AMOUNT = amount_range


class MilestoneInSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = Text(allow_none=True, validate=validate.Length(max=5000))
    amount_minor = fields.Integer(required=True, strict=True, validate=_AMOUNT)
    expected_on = fields.Date(required=True, validate=check_year)


class MilestonePatchSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    description = Text(allow_none=True, validate=validate.Length(max=5000))
    amount_minor = fields.Integer(strict=True, validate=_AMOUNT)
    expected_on = fields.Date(validate=check_year)


class ProjectCreateSchema(Schema):
    client = fields.Nested(ClientSchema, required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = Text(allow_none=True, validate=validate.Length(max=5000))
    currency = fields.String(required=True, validate=validate.OneOf(sorted(CURRENCY_EXPONENTS)))
    deposit_percent = fields.Integer(strict=True, load_default=0,
                                     validate=validate.Range(min=0, max=100))
    approval = fields.String(load_default="none", validate=validate.OneOf(["none", "client"]))
    milestones = fields.List(fields.Nested(MilestoneInSchema), required=True,
                             validate=validate.Length(min=1, max=50,
                                                      error="from 1 to 50 milestones"))



class CompleteSchema(Schema):
    note = Text(allow_none=True, validate=validate.Length(max=5000))


class ContestSchema(Schema):
    reason = Text(required=True, validate=validate.Length(min=1, max=5000))


class AuthorizeSchema(Schema):
    payment_method = fields.String(validate=validate.Regexp(r"^pm_\w+$"))


class MilestoneSchema(Schema):
    id = fields.Integer()
    position = fields.Integer()
    title = fields.String()
    description = fields.String(allow_none=True)
    status = fields.String()
    amount_minor = fields.Integer()
    deposit_credit_minor = fields.Integer()
    due_minor = fields.Integer()
    expected_on = fields.Date()
    hold_due_at = fields.Function(lambda m: iso(m.hold_due_at))
    started_at = fields.Function(lambda m: iso(m.started_at))
    completed_at = fields.Function(lambda m: iso(m.completed_at))
    delivery_note = fields.String(allow_none=True)
    approval_deadline = fields.Function(lambda m: iso(m.approval_deadline))
    approved_at = fields.Function(lambda m: iso(m.approved_at))
    contest_reason = fields.String(allow_none=True)
    cancelled_at = fields.Function(lambda m: iso(m.cancelled_at))
    hold_attempts = fields.Integer()
    payments = fields.List(fields.Nested(PaymentOutSchema))


class ProjectSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String(allow_none=True)
    status = fields.String()
    currency = fields.String()
    deposit_percent = fields.Integer()
    approval = fields.String()
    #: "card" or "sepa_debit" (each milestone debited when it starts)
    payment_method_kind = fields.String()
    accepted_at = fields.Function(lambda p: iso(p.accepted_at))
    client = fields.Function(lambda p: {"name": p.client.name, "email": p.client.email,
                                        "kind": p.client.kind})
    provider = fields.Function(lambda p: {"name": p.provider.name})
    total = fields.Function(lambda p: p.total.amount_minor)
    total_paid = fields.Function(lambda p: p.paid.amount_minor)
    total_remaining = fields.Function(lambda p: p.remaining.amount_minor)
    deposit = fields.Function(lambda p: sum(m.deposit_credit_minor for m in p.live_milestones()))
    milestones = fields.List(fields.Nested(MilestoneSchema))
    payments = fields.Function(lambda p: [PaymentOutSchema().dump(x) for x in p.payments
                                          if x.milestone_id is None])


class ProjectCreatedSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    client_token = fields.String()
    accept_url = fields.String()
    payment = fields.Dict()


def payment_block(project) -> dict:  # noqa: ANN001
    return {"client_secret": project.setup_client_secret, "intent": "setup",
            "publishable_key": current_app.config["STRIPE_PUBLISHABLE_KEY"],
            # Stripe.js confirms on this account: Stripe(pk, {stripeAccount})
            "stripe_account": connect.account_of(project.provider)}
