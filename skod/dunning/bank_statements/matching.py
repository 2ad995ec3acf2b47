"""Which open debt a credit line pays, by the reference the client wrote (the invoice number,
or the pay reference "SKOD-..." shown on the pay page and the reminders) and the amount.

- exact: the reference names one debt and the amount is its balance -> settled;
- partial: the reference names one debt and the amount is below its balance -> counted;
- ambiguous: several debts named, a debt named but paid above its balance, or no reference
  but debts whose balance is the amount -> proposed to the provider, never settled alone;
- unrelated: nothing points to a debt -> left alone.

Pure: no database, request or clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

EXACT, PARTIAL, AMBIGUOUS, UNRELATED = "exact", "partial", "ambiguous", "unrelated"


@dataclass(frozen=True)
class OpenDebt:
    id: int
    currency: str
    balance_minor: int
    #: what a client may write for it: invoice number, pay reference
    references: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    outcome: str
    #: the debt settled, or the one proposed first
    receivable_id: int | None = None
    #: every debt the provider may choose from (ambiguous)
    candidates: tuple[int, ...] = ()


@lru_cache(maxsize=4096)
def pattern(reference: str) -> re.Pattern[str]:
    """The reference found in a bank's text: any case, its separators written or dropped
    ("SKOD-2026-000012", "skod 2026 000012", "SKOD2026000012"), never inside a longer
    code ("2026-0000123" does not name "2026-000012")."""
    parts = [re.escape(p) for p in re.split(r"[^A-Z0-9]+", reference.upper()) if p]
    return re.compile(r"(?<![A-Z0-9])" + r"[^A-Z0-9]?".join(parts) + r"(?![A-Z0-9])")


def names(text: str, debt: OpenDebt) -> bool:
    upper = text.upper()
    return _names(upper, _compact(upper), debt)


def _names(upper: str, compact: str, debt: OpenDebt) -> bool:
    # the cheap look first (a statement of hundreds of lines against hundreds of debts)
    return any(ref and _compact(ref.upper()) in compact and pattern(ref).search(upper)
               for ref in debt.references)


@lru_cache(maxsize=4096)
def _compact(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text)


def match(text: str, amount_minor: int, currency: str, debts: list[OpenDebt]) -> Match:
    """The outcome of one credit line of `amount_minor` against the provider's open debts."""
    same = [d for d in debts if d.currency == currency and d.balance_minor > 0]
    upper = text.upper()
    compact = _compact(upper)
    named = [d for d in same if _names(upper, compact, d)]
    if len(named) == 1:
        debt = named[0]
        if amount_minor == debt.balance_minor:
            return Match(EXACT, debt.id, (debt.id,))
        if amount_minor < debt.balance_minor:
            return Match(PARTIAL, debt.id, (debt.id,))
        return Match(AMBIGUOUS, debt.id, (debt.id,))
    if named:
        # the one whose balance is the amount first: most likely the one meant
        ordered = sorted(named, key=lambda d: (d.balance_minor != amount_minor, d.id))
        return Match(AMBIGUOUS, ordered[0].id, tuple(d.id for d in ordered))
    by_amount = [d.id for d in same if d.balance_minor == amount_minor]
    if by_amount:
        return Match(AMBIGUOUS, by_amount[0], tuple(by_amount))
    return Match(UNRELATED)
