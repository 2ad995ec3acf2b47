"""Marshmallow's messages in the reader's language, in the shape marshmallow gives them.

Marshmallow formats its messages in English before anyone can translate them ("Length must be
between 1 and 200."). translated() takes an `err.messages` structure (dicts of fields, lists of
messages, nested for nested schemas) and returns the same structure with each message read back
into its template and looked up in the catalogue: the API's JSON keeps its field structure, and
a page puts each message on its field (attach_to_form).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal

from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

#: messages marshmallow (and our schemas) write without a value inside: one catalogue entry each
FIXED = {
    "Missing data for required field.": _l("This field is required."),
    "Field may not be null.": _l("This field is required."),
    "Not a valid email address.": _l("Enter a valid e-mail address."),
    "Not a valid integer.": _l("Enter a whole number."),
    "Not a valid number.": _l("Enter a number."),
    "Not a valid string.": _l("Enter a text."),
    "Not a valid boolean.": _l("Choose yes or no."),
    "Not a valid date.": _l("Enter a valid date."),
    "Not a valid datetime.": _l("Enter a valid date and time."),
    "Not a valid list.": _l("Enter a list."),
    "Not a valid mapping type.": _l("Enter a group of fields."),
    "Not a valid URL.": _l("Enter a valid address (URL)."),
    "Invalid value.": _l("This value is not accepted."),
    "Invalid input.": _l("This value is not accepted."),
    "Invalid input type.": _l("This value is not accepted."),
    "Invalid type.": _l("This value is not accepted."),
    "Unknown field.": _l("This field is not expected."),
    "Number too large.": _l("This number is too large."),
    "String does not match expected pattern.": _l("This value is not in the expected form."),
    "unknown time zone": _l("Unknown time zone (example: Europe/Paris)."),
    "9 digits": _l("A SIREN has 9 digits."),
    "required for a call": _l("Required for a call."),
    "must not be before from": _l("Must not be before the start."),
    "the cancellation and overrun terms must be accepted":
        _l("Accept the cancellation and overrun terms to book."),
    "the payment terms must be accepted": _l("Accept the payment terms to send your question."),
    "give at least one field to change": _l("Change at least one field."),
    "lowercase letters, digits and dashes": _l("Lowercase letters, digits and dashes only."),
    "from 1 to 50 milestones": _l("Give from 1 to 50 milestones (a title and an amount each)."),
    # the services' refusals a page may show (skod.web.display.error_text)
    "an expected date is in the past": _l("An expected date is in the past."),
    "the price must be positive": _l("The price must be more than zero."),
    "must be > 0": _l("Must be more than zero."),
    "the amount can only be lowered": _l("The amount can only be lowered."),
    "no bank account was given": _l("Give a bank account (IBAN)."),
}


def _amount(value: str) -> str:
    """An amount in minor units ("99999999") written as a person reads it ("999 999,99")."""
    locale = get_locale() or "fr"
    return format_decimal(Decimal(int(value)) / 100, format="#,##0.00", locale=locale)


def _plain(value: str) -> str:
    return value


#: messages with values inside: (pattern, template, how each value is written)
PATTERNS: list[tuple[re.Pattern, object, Callable[[str], str]]] = [
    (re.compile(r"Length must be between (?P<min>\d+) and (?P<max>\d+)\."),
     _l("Enter %(min)s to %(max)s characters."), _plain),
    (re.compile(r"Shorter than minimum length (?P<min>\d+)\."),
     _l("Enter at least %(min)s characters."), _plain),
    (re.compile(r"Longer than maximum length (?P<max>\d+)\."),
     _l("At most %(max)s characters."), _plain),
    (re.compile(r"Length must be (?P<equal>\d+)\."),
     _l("Exactly %(equal)s characters."), _plain),
    (re.compile(r"Must be greater than or equal to (?P<min>-?\d+) and less than or equal to "
                r"(?P<max>-?\d+)\."), _l("Must be from %(min)s to %(max)s."), _plain),
    (re.compile(r"Must be greater than or equal to (?P<min>-?\d+)\."),
     _l("Must be %(min)s or more."), _plain),
    (re.compile(r"Must be less than or equal to (?P<max>-?\d+)\."),
     _l("Must be %(max)s or less."), _plain),
    (re.compile(r"from (?P<min>\d+) to (?P<max>\d+) minor units"),
     _l("An amount from %(min)s to %(max)s."), _amount),
    (re.compile(r"Must be one of: (?P<choices>.*)\."),
     _l("Choose one of: %(choices)s."), _plain),
    (re.compile(r"the year must be from (?P<min>\d+) to (?P<max>\d+)"),
     _l("The year must be from %(min)s to %(max)s."), _plain),
]


def message(text: object) -> object:
    """One message in the reader's language (a message we do not know is kept as it is)."""
    if not isinstance(text, str):
        return text
    if text in FIXED:
        return str(FIXED[text])
    for pattern, template, write in PATTERNS:
        if found := pattern.fullmatch(text):
            values = {k: write(v) for k, v in found.groupdict().items()}
            return str(template) % values  # the catalogue's template, then the values
    return text


def translated(messages: object) -> object:
    """`err.messages` with every message translated, in the same shape."""
    if isinstance(messages, Mapping):
        return {key: translated(value) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [translated(item) for item in messages]
    return message(messages)


def flat(messages: object) -> list[str]:
    """Every message of a (nested) structure, translated, in order, without repeats."""
    out: list[str] = []
    stack = [translated(messages)]
    while stack:
        item = stack.pop(0)
        if isinstance(item, dict):
            stack[:0] = list(item.values())
        elif isinstance(item, list):
            stack[:0] = item
        elif str(item) not in out:
            out.append(str(item))
    return out


def attach_to_form(form: object, messages: object, aliases: Mapping[str, str] | None = None
                   ) -> list[str]:
    """Put each field's translated messages on the form's field of that name (or of its alias:
    the API's "price" is the form's "price"); returns the messages no field took, for the top."""
    aliases = aliases or {}
    if not isinstance(messages, Mapping):
        return flat(messages)
    left: list[str] = []
    for key, value in messages.items():
        field = getattr(form, aliases.get(key, key), None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, *flat(value)]
        else:
            left.extend(flat(value))
    return left
