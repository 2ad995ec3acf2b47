"""Base marshmallow pieces shared by the API blueprints, and the input ceilings of the API
(documented in README, Limits)."""

from __future__ import annotations

from zoneinfo import available_timezones

from marshmallow import Schema, ValidationError, fields, validate

from skod.core.money import CURRENCY_EXPONENTS

_ZONES = available_timezones()

#: ceiling of any price or amount: Stripe's maximum per charge in EUR (999,999.99)
MAX_AMOUNT_MINOR = 99_999_999
#: dates the product accepts (bookings, milestones, slot and invoice filters)
MIN_YEAR, MAX_YEAR = 2000, 2100
#: the most ranges of open hours one day may have (a range per hour is already plenty)
MAX_RANGES_PER_DAY = 24
#: PostgreSQL's integer: ids above it name no row
MAX_DB_ID = 2**31 - 1
#: longest e-mail address (RFC 5321 path limit; the columns are 254 wide)
MAX_EMAIL = 254

amount_range = validate.Range(min=1, max=MAX_AMOUNT_MINOR,
                              error="from {min} to {max} minor units")
db_id_range = validate.Range(min=1, max=MAX_DB_ID)
email_length = validate.Length(max=MAX_EMAIL)


def check_timezone(value: str) -> None:
    if value not in _ZONES:
        raise ValidationError("unknown time zone")


def check_year(value) -> None:  # noqa: ANN001  (a date or a datetime)
    """Dates the product supports: a year from MIN_YEAR to MAX_YEAR."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError(f"the year must be from {MIN_YEAR} to {MAX_YEAR}")


class MoneySchema(Schema):
    amount_minor = fields.Integer(required=True, strict=True, validate=amount_range)
    currency = fields.String(required=True, validate=validate.Length(equal=3))


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"example": "invalid"})
    message = fields.String(required=True)
    fields_ = fields.Dict(data_key="fields",
                          metadata={"description": "per field: its messages (or nested)"})


class ErrorSchema(Schema):
    """Every error answer of the API: `{"error": {"code", "message", "fields"?}}`."""

    error = fields.Nested(ErrorBodySchema, required=True)


Currency = fields.String(validate=validate.OneOf(sorted(CURRENCY_EXPONENTS)))
