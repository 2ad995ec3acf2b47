"""VAT split of a price incl. VAT (skod/invoicing/vat.py), and what the ledger stores from it.

Rule: vat = ROUND_HALF_UP(ttc x rate / (1 + rate)) to the minor unit, ht = ttc - vat. Every
expected value is checked against the exact Decimal computation, so a change of rounding mode
(half even, truncation, float) fails here.

Exact half cents: at 20 % the VAT is ttc / 6, a half cent whenever ttc = 6k + 3. At 10 %
(ttc / 11), 5.5 % (11 ttc / 211) and 2.1 % (21 ttc / 1021) the reduced denominator is odd, so
an exact half cent cannot happen: those rates are tested on the prices closest to a half cent
on each side (within 0.05 cent), and over one whole period of prices against Decimal.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest

from skod.extensions import db
from skod.invoicing import vat
from skod.invoicing.models import Invoice
from tests.invoice_support import issue, make_client, make_provider

RATES = (2000, 1000, 550, 210)


def exact_vat(ttc_minor: int, rate_bp: int) -> int:
    """The reference: Decimal arithmetic with ample precision, rounded half up."""
    with localcontext() as ctx:
        ctx.prec = 60
        value = Decimal(ttc_minor) * Decimal(rate_bp) / Decimal(10000 + rate_bp)
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def cents_fraction(ttc_minor: int, rate_bp: int) -> Fraction:
    """Fractional part of the exact VAT, in minor units (1/2 = a half cent)."""
    return Fraction(ttc_minor * rate_bp, 10000 + rate_bp) % 1


# (ttc, rate, expected vat): exactly half a cent at 20 %; half even would give 0, 2, 2, 2058
HALF_CENT = [(3, 2000, 1), (15, 2000, 3), (9, 2000, 2), (12345, 2000, 2058),
             (9_999_999, 2000, 1_666_667)]
# (ttc, rate, expected vat): just below (rounds down) and just above (rounds up) a half cent
NEAR_HALF = [(5, 1000, 0), (6, 1000, 1), (27, 1000, 2), (28, 1000, 3),
             (163, 550, 8), (48, 550, 3), (374, 550, 19), (470, 550, 25),
             (316, 210, 6), (705, 210, 15), (1337, 210, 27), (1726, 210, 36)]


@pytest.mark.parametrize(("ttc", "rate", "expected"), HALF_CENT)
def test_half_cent_rounds_up(ttc: int, rate: int, expected: int) -> None:
    assert cents_fraction(ttc, rate) == Fraction(1, 2)  # the case really is a half cent
    part = vat.split(ttc, rate)
    assert (part.vat_minor, part.ht_minor, part.ttc_minor) == (expected, ttc - expected, ttc)
    assert expected == exact_vat(ttc, rate)


@pytest.mark.parametrize(("ttc", "rate", "expected"), NEAR_HALF)
def test_nearest_to_half_cent_rounds_to_nearest(ttc: int, rate: int, expected: int) -> None:
    assert abs(cents_fraction(ttc, rate) - Fraction(1, 2)) < Fraction(1, 20)
    assert vat.vat_of(ttc, rate) == expected == exact_vat(ttc, rate)
    assert vat.split(ttc, rate).ht_minor == ttc - expected


@pytest.mark.parametrize("rate", RATES)
def test_one_whole_period_matches_decimal(rate: int) -> None:
    """Every remainder of ttc x rate modulo (10000 + rate) occurs in one period of prices."""
    wrong = [ttc for ttc in range(10000 + rate + 1)
             if vat.vat_of(ttc, rate) != exact_vat(ttc, rate)]
    assert wrong == []


@pytest.mark.parametrize("rate", [None, 0])
@pytest.mark.parametrize("ttc", [1, 3, 12345, 10_000_000])
def test_exempt_has_no_vat(rate: int | None, ttc: int) -> None:
    assert vat.split(ttc, rate) == vat.Split(ht_minor=ttc, vat_minor=0, ttc_minor=ttc)


@pytest.mark.parametrize(("ttc", "rate"), [(-1, 2000), (100, -2000)])
def test_negative_amount_or_rate_refused(ttc: int, rate: int) -> None:
    with pytest.raises(ValueError):
        vat.split(ttc, rate)


def test_20_percent_adds_up_to_the_cent_for_1000_random_prices() -> None:
    """Acceptance: excl. VAT + VAT = total to the cent, VAT = the exact value rounded half up."""
    rng = random.Random(20260310)
    wrong = []
    for ttc in (rng.randint(1, 10_000_000) for _ in range(1000)):
        part = vat.split(ttc, 2000)
        if (part.ht_minor + part.vat_minor != ttc or part.ttc_minor != ttc
                or part.vat_minor != exact_vat(ttc, 2000) or part.ht_minor < 0):
            wrong.append((ttc, part))
    assert wrong == []


def test_ledger_stores_split_lines_and_header_for_50_random_prices(app) -> None:
    """Issued through the ledger (20 % provider): stored header adds up, lines equal header."""
    rng = random.Random(42)
    with app.app_context():
        provider = make_provider(vat_rate_bp=2000)
        client = make_client(provider)
        prices = [rng.randint(1, 10_000_000) for _ in range(50)]
        ids = [issue(provider, client, ttc).id for ttc in prices]
        db.session.expire_all()  # read back what the database holds
        for invoice_id, ttc in zip(ids, prices, strict=True):
            inv = db.session.get(Invoice, invoice_id)
            expected_vat = exact_vat(ttc, 2000)
            assert (inv.ht_minor, inv.vat_minor, inv.ttc_minor, inv.vat_rate_bp) == (
                ttc - expected_vat, expected_vat, ttc, 2000)
            [line] = inv.snapshot["lines"]
            assert (line["unit_price_ht_minor"], line["total_ht_minor"], line["vat_minor"],
                    line["ttc_minor"], line["quantity"]) == (
                inv.ht_minor, inv.ht_minor, inv.vat_minor, inv.ttc_minor, 1)
