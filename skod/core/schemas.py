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


class ErrorSchema(Schema):
    error = fields.Dict(metadata={"description": "{code, message, fields?}"})


Currency = fields.String(validate=validate.OneOf(sorted(CURRENCY_EXPONENTS)))
