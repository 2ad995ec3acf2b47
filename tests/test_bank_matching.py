"""Which open debt a credit line of the provider's statement pays, table-driven (pure, no
database): exact and partial by reference, ambiguous (several named, above the balance, no
reference but the amount), unrelated; how references are found in a bank's text."""

from __future__ import annotations

import pytest

from skod.dunning.bank_statements.matching import (
    AMBIGUOUS,
    EXACT,
    PARTIAL,
    UNRELATED,
    Match,
    OpenDebt,
    match,
    names,
)

A = OpenDebt(1, "EUR", 120_000, ("2026-000001", "SKOD-2026-000001"))
B = OpenDebt(2, "EUR", 45_000, ("2026-000002", "SKOD-2026-000002"))
C = OpenDebt(3, "EUR", 45_000, ("SKOD-R3",))  # a debt with no invoice yet
D = OpenDebt(4, "USD", 10_000, ("2026-000004", "SKOD-2026-000004"))
PAID = OpenDebt(5, "EUR", 0, ("2026-000005", "SKOD-2026-000005"))
DEBTS = [A, B, C, D, PAID]


@pytest.mark.parametrize(("text", "amount", "currency", "expected"), [
    # the reference names one debt
    ("SKOD-2026-000001", 120_000, "EUR", Match(EXACT, 1, (1,))),
    ("VIR FACTURE 2026-000001 MERCI", 120_000, "EUR", Match(EXACT, 1, (1,))),
    ("acompte skod 2026 000001", 50_000, "EUR", Match(PARTIAL, 1, (1,))),
    ("SKOD2026000001", 1, "EUR", Match(PARTIAL, 1, (1,))),
    ("SKOD-R3", 45_000, "EUR", Match(EXACT, 3, (3,))),
    ("2026-000001", 130_000, "EUR", Match(AMBIGUOUS, 1, (1,))),  # above the balance
    # several named: the one whose balance is the amount first
    ("2026-000001 + 2026-000002", 45_000, "EUR", Match(AMBIGUOUS, 2, (2, 1))),
    ("2026-000001 2026-000002", 165_000, "EUR", Match(AMBIGUOUS, 1, (1, 2))),
    # no reference: the amount alone proposes, never settles
    ("VIREMENT DUPONT", 45_000, "EUR", Match(AMBIGUOUS, 2, (2, 3))),
    ("VIREMENT DUPONT", 120_000, "EUR", Match(AMBIGUOUS, 1, (1,))),
    # nothing owed points to it
    ("VIREMENT DUPONT", 12_345, "EUR", Match(UNRELATED)),
    ("2026-000005", 10_000, "EUR", Match(UNRELATED)),  # paid already
    ("2026-000004", 10_000, "EUR", Match(UNRELATED)),  # another currency
    ("2026-000004", 10_000, "USD", Match(EXACT, 4, (4,))),
    ("2026-0000012", 120_000, "EUR", Match(AMBIGUOUS, 1, (1,))),  # a longer code: amount only
    ("", 99, "EUR", Match(UNRELATED)),
])
def test_outcomes(text, amount, currency, expected):
    assert match(text, amount, currency, DEBTS) == expected


@pytest.mark.parametrize(("text", "found"), [
    ("SKOD-2026-000001", True), ("skod-2026-000001", True), ("SKOD 2026-000001", True),
    ("ref:2026-000001.", True), ("X2026-000001", False), ("2026-0000011", False),
    ("2026-00000", False), ("12026-000001", False), ("2026--000001", False),
])
def test_a_reference_in_a_bank_text(text, found):
    assert names(text, A) is found
