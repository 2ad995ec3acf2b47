"""Bank details of a provider (printed on reminders and the pay page for a transfer): the IBAN
and BIC rules, pure, shared by the API schema and the profile form.

Both are stored normalised (no spaces, upper case) and shown grouped by four.
"""

from __future__ import annotations

import re

_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$")
#: bank (4 letters), country (2 letters), location (2), optional branch (3)
_BIC = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")


def compact(value: str | None) -> str | None:
    """"fr76 3000-6000.0112 3456" -> "FR7630006000011234567": what people type, normalised."""
    return re.sub(r"[\s.\-]", "", value).upper() if isinstance(value, str) else value


def iban_ok(value: str) -> bool:
    """ISO 13616: country, check digits, then the account; the whole is 1 modulo 97 once the
    first four characters move to the end and each letter becomes 10 (A) to 35 (Z)."""
    if not _IBAN.match(value):
        return False
    moved = value[4:] + value[:4]
    return int("".join(str(int(char, 36)) for char in moved)) % 97 == 1


def bic_ok(value: str) -> bool:
    """ISO 9362: 8 or 11 characters (a BIC of 8 is the bank's head office)."""
    return bool(_BIC.match(value))


def grouped(iban: str | None) -> str:
    """"FR7630006000011234567890189" -> "FR76 3000 6000 0112 3456 7890 189" (for reading)."""
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4)) if iban else ""
