"""Base marshmallow pieces shared by the API blueprints."""

from __future__ import annotations

from zoneinfo import available_timezones

from marshmallow import Schema, ValidationError, fields, validate

from skod.core.money import CURRENCY_EXPONENTS

_ZONES = available_timezones()


def check_timezone(value: str) -> None:
    if value not in _ZONES:
        raise ValidationError("unknown time zone")


class MoneySchema(Schema):
    amount_minor = fields.Integer(required=True, strict=True)
    currency = fields.String(required=True, validate=validate.Length(equal=3))


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"example": "invalid"})
    message = fields.String(required=True)
    fields_ = fields.Dict(data_key="fields",
                          metadata={"description": "per field: its messages (or nested)"})


class ErrorSchema(Schema):
    """Every error answer of the API: `{"error": {"code", "message", "fields"?}}`."""

    error = fields.Nested(ErrorBodySchema, required=True)


#: Input ceilings, documented in README (Limits). Amounts: Stripe's maximum per charge in EUR
#: (999,999.99) is the ceiling of any price or amount.
MAX_AMOUNT_MINOR = 99_999_999
#: dates the product accepts (bookings, milestones, invoice filters)
MIN_YEAR, MAX_YEAR = 2000, 2100


Currency = fields.String(validate=validate.OneOf(sorted(CURRENCY_EXPONENTS)))
