"""Money as integer minor units plus an ISO 4217 currency; never a float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Currencies accepted for sale, with their number of minor-unit digits (ISO 4217).
CURRENCY_EXPONENTS: dict[str, int] = {
    "EUR": 2, "USD": 2, "GBP": 2, "CHF": 2, "CAD": 2, "SEK": 2, "DKK": 2, "NOK": 2,
    "PLN": 2, "CZK": 2, "AUD": 2, "JPY": 0,
}


def decimal_of(amount_minor: int, currency: str) -> Decimal:
    """1234 EUR -> Decimal("12.34"): exact, in the currency's own number of digits."""
    return Decimal(amount_minor).scaleb(-CURRENCY_EXPONENTS[currency])


def parse_minor(text: str | None, currency: str) -> int | None:
    """An amount typed by a person ("90", "1,50", "1.50", "1 200") in minor units; None when it
    is not a positive amount with at most the currency's digits (no float involved)."""
    try:
        value = Decimal((text or "").strip().replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        return None
    minor = value.scaleb(CURRENCY_EXPONENTS.get(currency, 2))
    if minor <= 0 or minor != minor.to_integral_value():
        return None
    return int(minor)


class CurrencyError(ValueError):
    """The currency is not one we sell in."""


def check_currency(code: str) -> str:
    code = (code or "").upper()
    if code not in CURRENCY_EXPONENTS:
        raise CurrencyError(f"unknown currency {code!r}")
    return code


@dataclass(frozen=True, slots=True)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount_minor, int) or isinstance(self.amount_minor, bool):
            raise TypeError("amount_minor must be an int")
        check_currency(self.currency)

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def times(self, factor: int) -> Money:
        return Money(self.amount_minor * factor, self.currency)

    def percent(self, pct: int) -> Money:
        """pct % of this amount, rounded half up to the minor unit (integer arithmetic)."""
        return Money((self.amount_minor * pct + 50) // 100, self.currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyError(f"{self.currency} and {other.currency} do not mix")

    def as_dict(self) -> dict:
        return {"amount_minor": self.amount_minor, "currency": self.currency}

    def format(self, locale: str = "fr") -> str:
        from babel.numbers import format_currency

        # Babel formats a Decimal built from integers: no float on the way
        return format_currency(decimal_of(self.amount_minor, self.currency), self.currency,
                               locale=locale)
