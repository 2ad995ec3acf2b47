"""Marshmallow schemas of the dunning API: the penalty calculator's query and its breakdown."""

from __future__ import annotations

from marshmallow import fields, validate

from skod.core.money import CURRENCY_EXPONENTS
from skod.core.schemas import Schema, amount_range, check_year
from skod.dunning.penalties import CLIENT_KINDS, MAX_RATE_BP

#: most invoices one computation counts the 40 EUR for
MAX_INVOICES = 1000


class PenaltyQuerySchema(Schema):
    amount_minor = fields.Integer(required=True, validate=amount_range,
                                  metadata={"description": "unpaid amount incl. VAT"})
    currency = fields.String(required=True, validate=validate.OneOf(sorted(CURRENCY_EXPONENTS)))
    due = fields.Date(required=True, validate=check_year,
                      metadata={"description": "due date printed on the invoice"})
    paid = fields.Date(required=True, validate=check_year,
                       metadata={"description": "day the funds arrived (or today)"})
    client_kind = fields.String(required=True, validate=validate.OneOf(CLIENT_KINDS))
    contract_rate_bp = fields.Integer(
        validate=validate.Range(min=1, max=MAX_RATE_BP),
        metadata={"description": "agreed B2B rate (business only; at least 3 x legal rate)"})
    notice = fields.Date(validate=check_year,
                         metadata={"description": "consumer: day of the mise en demeure"})
    invoices = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_INVOICES))


class SegmentSchema(Schema):
    start = fields.Date()
    end = fields.Date()
    days = fields.Integer()
    rate_bp = fields.Integer()
    basis = fields.String(metadata={"description": "ecb_plus_10, ecb_plus_8, contract, "
                                                   "legal_other"})
    amount_minor = fields.Integer()
    flags = fields.List(fields.String())


class BreakdownSchema(Schema):
    principal_minor = fields.Integer()
    currency = fields.String()
    client_kind = fields.String()
    due = fields.Date()
    until = fields.Date()
    days_late = fields.Integer()
    segments = fields.List(fields.Nested(SegmentSchema))
    interest_minor = fields.Integer()
    invoices = fields.Integer()
    indemnity_minor = fields.Integer()
    total_minor = fields.Integer()
    basis = fields.String(metadata={"description": "legal reference"})
    flags = fields.List(fields.String(), metadata={
        "description": "unverified_rate, extrapolated_rate, indemnity_eur_only"})
