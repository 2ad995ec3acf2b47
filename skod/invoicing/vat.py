"""VAT split of a price the client pays (VAT included), in integer minor units.

Rule (documented on invoices and in the tests): offer prices are all-taxes-included, so for a
rate r in basis points (2000 = 20 %)

    vat = round_half_up(ttc * r / (10000 + r))      # integer arithmetic, no float
    ht  = ttc - vat

so that ht + vat == ttc exactly, to the cent. An exempt provider has vat = 0 and ht = ttc.
An invoice carries one line per service with quantity 1, so the line's unit price excl. VAT
equals its total excl. VAT and the document adds up without a second rounding.
"""

from __future__ import annotations

from dataclasses import dataclass

#: the mention of a provider under the VAT franchise (no VAT charged)
FRANCHISE_MENTION = "TVA non applicable, art. 293 B du CGI"


@dataclass(frozen=True)
class Split:
    ht_minor: int
    vat_minor: int
    ttc_minor: int


def vat_of(ttc_minor: int, rate_bp: int | None) -> int:
    """VAT included in `ttc_minor` at `rate_bp`, rounded half up to the minor unit."""
    if not rate_bp:
        return 0
    if ttc_minor < 0 or rate_bp < 0:
        raise ValueError("amounts and rates are positive")
    denominator = 10000 + rate_bp
    # round half up: floor((2 * n + d) / (2 * d)) with n = ttc * rate
    return (2 * ttc_minor * rate_bp + denominator) // (2 * denominator)


def split(ttc_minor: int, rate_bp: int | None) -> Split:
    vat = vat_of(ttc_minor, rate_bp)
    return Split(ht_minor=ttc_minor - vat, vat_minor=vat, ttc_minor=ttc_minor)
