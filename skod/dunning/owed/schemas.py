"""Marshmallow schemas of the dunning API: the penalty calculator's query and its breakdown."""

from __future__ import annotations

from datetime import date

from marshmallow import ValidationError, fields, post_load, validate

from skod.core.money import CURRENCY_EXPONENTS
from skod.core.schemas import Schema, amount_range, check_year
from skod.dunning.rules.penalties import CLIENT_KINDS, MAX_RATE_BP

#: most invoices one computation counts the 40 EUR for
MAX_INVOICES = 1000
#: most payments one computation takes
MAX_PAYMENTS = 100
PAYMENTS_HELP = "the parts paid: YYYY-MM-DD:amount_minor,... (day the funds arrived)"


def parse_payments(text: str) -> list[tuple[date, int]]:
    """"2025-02-09:120000,2025-03-01:5000" -> [(date, minor), ...]; ValueError when bad."""
    out = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        day, _sep, amount = part.partition(":")
        if not amount.strip().isdigit():
            raise ValueError(f"{part!r} is not YYYY-MM-DD:amount_minor")
        on = date.fromisoformat(day.strip())
        if not 2000 <= on.year <= 2100:
            raise ValueError(f"{part!r}: the year must be from 2000 to 2100")
        out.append((on, int(amount)))
    if len(out) > MAX_PAYMENTS:
        raise ValueError(f"at most {MAX_PAYMENTS} payments")
    return out


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
    payments = fields.String(load_default="", validate=validate.Length(max=4000),
                             metadata={"description": PAYMENTS_HELP})

    @post_load
    def _payments(self, data: dict, **_kw) -> dict:
        try:
            data["payments"] = parse_payments(data["payments"])
        except ValueError as err:
            raise ValidationError(f"{err} (YYYY-MM-DD:amount_minor,...)", "payments") from err
        return data


class SegmentSchema(Schema):
    start = fields.Date()
    end = fields.Date()
    days = fields.Integer()
    rate_bp = fields.Integer()
    basis = fields.String(metadata={"description": "ecb_plus_10, ecb_plus_8, contract, "
                                                   "legal_other"})
    amount_minor = fields.Integer()
    flags = fields.List(fields.String())
    principal_minor = fields.Integer(metadata={"description": "what bore interest"})


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
    paid_minor = fields.Integer(metadata={"description": "the payments made by `until`"})
    payments = fields.Method("_payments", metadata={"description": "[{on, amount_minor}]"})

    def _payments(self, b) -> list[dict]:  # noqa: ANN001 - a penalties.Breakdown
        return [{"on": on.isoformat(), "amount_minor": amount} for on, amount in b.payments]
