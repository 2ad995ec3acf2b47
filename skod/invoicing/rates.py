"""The B2B late-payment rate printed on an invoice (Code de commerce L441-10): ECB main
refinancing rate + 10 points, fixed per half-year (January-June: the rate in force on
1 January; July-December: on 1 July).

The rates are the `late_rates` table (skod.dunning.owed.rates, the one source of truth; a new
half-year is `flask skod rates set`). A due date past the table uses the last known row rather
than failing an invoice; one before it uses the first row.
"""

from __future__ import annotations

from datetime import date

from skod.dunning.owed import rates
from skod.dunning.rules.penalties import B2B_MARGIN_BP, INDEMNITY_MINOR, half_of

__all__ = ["INDEMNITY_MINOR", "penalty_rate_bp", "provisional_half"]


def provisional_half(day: date) -> list[int] | None:
    """[year, half] of `day` when its rate is provisional (its row unverified, or missing so
    that an earlier one is used): the invoice says so next to the rate; else None."""
    table = rates.table()
    if not table.rows:
        return None
    half = max(half_of(day), table.rows[0].key)
    return list(half) if table.rate(half, "ecb_bp").flags else None


def penalty_rate_bp(day: date) -> int:
    """The B2B default rate, in basis points, of the half-year of `day`."""
    table = rates.table()
    if not table.rows:
        # issuing must not print a rate nobody set: fail loud, the task is retried later
        raise LookupError("the late_rates table is empty: run `flask db upgrade` or "
                          "`flask skod rates set`")
    half = max(half_of(day), table.rows[0].key)
    return table.rate(half, "ecb_bp").bp + B2B_MARGIN_BP
