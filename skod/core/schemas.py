"""Base marshmallow pieces shared by the API blueprints, and the input ceilings of the API
(documented in README, Limits).

Every API schema derives from Schema below: each of its string fields, wherever it sits (lists,
dicts' keys and values), refuses control characters at load (skod.core.text). A one-line field
is the default; a multi-line text is declared as Text and keeps line breaks and tabs.
"""

from __future__ import annotations

from zoneinfo import available_timezones

import marshmallow
from marshmallow import ValidationError, fields, validate

from skod.core.money import CURRENCY_EXPONENTS
from skod.core.text import line_problem, text_problem

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


class Text(fields.String):
    """A multi-line text (a message, a description, a postal address): line breaks and tabs are
    kept, other control characters refused. Any other string field is one line."""


def check_line(value: str) -> None:
    if problem := line_problem(value):
        raise ValidationError(problem)


def check_text(value: str) -> None:
    if problem := text_problem(value):
        raise ValidationError(problem)


def guard_strings(field: fields.Field) -> None:
    """Add the control-character check to `field` (a bound copy) and to the strings inside it."""
    if isinstance(field, fields.String):
        check = check_text if isinstance(field, Text) else check_line
        if check not in field.validators:
            field.validators.append(check)
    elif isinstance(field, fields.List):
        guard_strings(field.inner)
    elif isinstance(field, fields.Tuple):
        for inner in field.tuple_fields:
            guard_strings(inner)
    elif isinstance(field, fields.Mapping):
        for inner in (field.key_field, field.value_field):
            if inner is not None:
                guard_strings(inner)


class Schema(marshmallow.Schema):
    """The base of every API schema: no string field of it takes control characters. The input
    as sent is checked first, before any pre_load hook (one that compacts a SIREN would hide a
    line break); the fields' own validators catch strings inside lists and dicts."""

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        guard_strings(field_obj)

    def load(self, data, *, many=None, partial=None, unknown=None):  # noqa: ANN001, ANN201
        if isinstance(data, dict) and (errors := self._control_characters(data)):
            raise ValidationError(errors)
        return super().load(data, many=many, partial=partial, unknown=unknown)

    def _control_characters(self, data: dict) -> dict[str, list[str]]:
        errors = {}
        for name, field in self.load_fields.items():
            key = field.data_key or name
            value = data.get(key)
            if isinstance(value, str) and isinstance(field, fields.String):
                check = text_problem if isinstance(field, Text) else line_problem
                if problem := check(value):
                    errors[key] = [problem]
        return errors


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
