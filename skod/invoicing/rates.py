"""B2B late-payment rates (Code de commerce L441-10): ECB main refinancing rate + 10 points,
fixed per half-year (January-June: the rate in force on 1 January; July-December: on 1 July).

Data from the law file, section 1; a new half-year is one more row here. A date past the table
uses the last known row (marked unverified in the law file) rather than failing an invoice.
"""

from __future__ import annotations

from datetime import date

#: fixed indemnity for recovery costs owed by a business debtor per late invoice (D441-5)
INDEMNITY_MINOR = 4000

#: (year, half) -> (ECB rate in basis points, B2B default rate in basis points)
B2B_RATES: dict[tuple[int, int], tuple[int, int]] = {
    (2024, 1): (450, 1450),
    (2024, 2): (425, 1425),
    (2025, 1): (315, 1315),
    (2025, 2): (215, 1215),
    (2026, 1): (215, 1215),
    (2026, 2): (215, 1215),  # unverified in the law file
}


def half_of(day: date) -> tuple[int, int]:
    return day.year, 1 if day.month <= 6 else 2


def b2b_rate(day: date) -> tuple[int, int]:
    """(ECB rate, B2B penalty rate) in basis points for the half-year of `day`."""
    key = half_of(day)
    if key in B2B_RATES:
        return B2B_RATES[key]
    known = sorted(B2B_RATES)
    return B2B_RATES[known[-1] if key > known[-1] else known[0]]


def penalty_rate_bp(day: date) -> int:
    return b2b_rate(day)[1]
