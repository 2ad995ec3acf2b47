"""Table-driven tests of the pure penalty engine (law file sections 1-3): segments per half-year
and per payment, 365-day years, one rounding of the exact sum, the 40 EUR, consumers, public
debtors, agreed rates and the flags of unverified or extrapolated rates. The rate table is the
law file's, copied here."""

from __future__ import annotations

from datetime import date

import pytest

from skod.dunning.rules import penalties as p

#: law file section 1 (bp): year, half, ECB, legal private, legal other, verified
LAW = p.RateTable.of([
    p.RateRow(2024, 1, 450, 801, 507), p.RateRow(2024, 2, 425, 816, 492),
    p.RateRow(2025, 1, 315, 721, 371), p.RateRow(2025, 2, 215, 665, 276),
    p.RateRow(2026, 1, 215, 667, 262), p.RateRow(2026, 2, 215, None, None, verified=False),
])
D = date


def run(amount: int, due: date, until: date, kind: str = "business", **kw) -> p.Breakdown:
    kw.setdefault("currency", "EUR")
    return p.compute(amount_minor=amount, due=due, until=until, client_kind=kind, table=LAW,
                     **kw)


def spans(b: p.Breakdown) -> list[tuple]:
    return [(s.start, s.end, s.days, s.rate_bp, s.amount_minor) for s in b.segments]


CASES = [
    # id, amount, due, until, kind, extra, segments, indemnity
    ("law-example", 120_000, D(2025, 6, 20), D(2025, 7, 20), "business", {},
     [(D(2025, 6, 21), D(2025, 6, 30), 10, 1315, 432),
      (D(2025, 7, 1), D(2025, 7, 20), 20, 1215, 799)], 4000),
    ("same-half-year", 100_000, D(2026, 1, 31), D(2026, 3, 2), "business", {},
     [(D(2026, 2, 1), D(2026, 3, 2), 30, 1215, 999)], 4000),
    # 624.66 + 6,520.96 + 332.88 = 7,478.49 -> 74.78 rounded once (per segment: 74.79); the
    # two cents above the floors go to the largest remainders (.96, .88)
    ("three-half-years", 100_000, D(2024, 12, 15), D(2025, 7, 10), "business", {},
     [(D(2024, 12, 16), D(2024, 12, 31), 16, 1425, 624),
      (D(2025, 1, 1), D(2025, 6, 30), 181, 1315, 6521),
      (D(2025, 7, 1), D(2025, 7, 10), 10, 1215, 333)], 4000),
    # 182 days of 2024 (29 February counted) over 365, not 366 (that would give 72,104)
    ("leap-year-365", 1_000_000, D(2023, 12, 31), D(2024, 6, 30), "business", {},
     [(D(2024, 1, 1), D(2024, 6, 30), 182, 1450, 72_301)], 4000),
    ("paid-on-due-date", 120_000, D(2025, 6, 20), D(2025, 6, 20), "business", {}, [], 0),
    ("several-invoices", 120_000, D(2025, 6, 20), D(2025, 7, 20), "business",
     {"invoices": 3}, [(D(2025, 6, 21), D(2025, 6, 30), 10, 1315, 432),
                       (D(2025, 7, 1), D(2025, 7, 20), 20, 1215, 799)], 12_000),
    ("consumer-no-notice", 120_000, D(2025, 6, 20), D(2025, 9, 20), "consumer", {}, [], 0),
    # law file section 3: 500 EUR x 2.62 % x 30/365 = 1.08
    ("consumer-notice", 50_000, D(2026, 2, 1), D(2026, 3, 31), "consumer",
     {"mise_en_demeure_on": D(2026, 3, 1)}, [(D(2026, 3, 2), D(2026, 3, 31), 30, 262, 108)], 0),
    ("consumer-notice-before-due", 50_000, D(2026, 3, 1), D(2026, 3, 31), "consumer",
     {"mise_en_demeure_on": D(2026, 2, 1)}, [(D(2026, 3, 2), D(2026, 3, 31), 30, 262, 108)], 0),
    ("consumer-notice-after-payment", 50_000, D(2026, 2, 1), D(2026, 3, 31), "consumer",
     {"mise_en_demeure_on": D(2026, 4, 1)}, [], 0),
    ("consumer-notice-two-halves", 100_000, D(2025, 5, 1), D(2025, 7, 10), "consumer",
     {"mise_en_demeure_on": D(2025, 6, 20)},
     [(D(2025, 6, 21), D(2025, 6, 30), 10, 371, 102),
      (D(2025, 7, 1), D(2025, 7, 10), 10, 276, 75)], 0),  # 101.64 + 75.62 -> 1.77
    # public debtor: ECB + 8 of the half-year the interest started in, for the whole delay
    ("public-body", 100_000, D(2025, 6, 20), D(2025, 7, 20), "public", {},
     [(D(2025, 6, 21), D(2025, 7, 20), 30, 1115, 916)], 4000),
    ("contract-rate-above-floor", 100_000, D(2025, 6, 20), D(2025, 7, 20), "business",
     {"contractual_rate_bp": 1500}, [(D(2025, 6, 21), D(2025, 6, 30), 10, 1500, 411),
                                     (D(2025, 7, 1), D(2025, 7, 20), 20, 1500, 822)], 4000),
    # 9 % is above 2025 H2's floor (8.28 %) and below 2025 H1's (11.13 %): fine in H2 alone
    ("contract-rate-one-half", 100_000, D(2025, 7, 31), D(2025, 8, 31), "business",
     {"contractual_rate_bp": 900}, [(D(2025, 8, 1), D(2025, 8, 31), 31, 900, 764)], 4000),
]


@pytest.mark.parametrize(("amount", "due", "until", "kind", "extra", "segments", "indemnity"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_compute(amount, due, until, kind, extra, segments, indemnity):
    b = run(amount, due, until, kind, **extra)
    assert spans(b) == segments
    assert b.interest_minor == sum(s[-1] for s in segments)
    assert b.indemnity_minor == indemnity
    assert b.total_minor == amount + b.interest_minor + indemnity
    assert b.days_late == (until - due).days
    assert b.flags == ()


def test_law_example_totals_and_basis():
    b = run(120_000, D(2025, 6, 20), D(2025, 7, 20))
    assert (b.interest_minor, b.indemnity_minor, b.total_minor) == (1231, 4000, 125_231)
    assert b.basis == "L441-10 / D441-5 Code de commerce"
    assert [s.basis for s in b.segments] == ["ecb_plus_10", "ecb_plus_10"]
    assert run(50_000, D(2026, 2, 1), D(2026, 3, 31), "consumer").basis.startswith(
        "art. 1231-6")
    assert "R2192-31" in run(50_000, D(2026, 2, 1), D(2026, 3, 31), "public").basis


def test_to_dict_is_json_ready():
    data = run(120_000, D(2025, 6, 20), D(2025, 7, 20)).to_dict()
    assert data["due"] == "2025-06-20" and data["until"] == "2025-07-20"
    assert data["segments"][0] == {"start": "2025-06-21", "end": "2025-06-30", "days": 10,
                                   "rate_bp": 1315, "basis": "ecb_plus_10",
                                   "amount_minor": 432, "flags": [], "principal_minor": 120_000}
    assert data["total_minor"] == 125_231 and data["flags"] == []
    paid = run(120_000, D(2025, 6, 20), D(2025, 7, 20), payments=[(D(2025, 7, 5), 20_000)])
    assert paid.to_dict()["payments"] == [{"on": "2025-07-05", "amount_minor": 20_000}]
    assert paid.to_dict()["paid_minor"] == 20_000


@pytest.mark.parametrize(
    ("amount", "rate", "days", "expected"),
    [(1825, 1000, 1, 1),  # exactly half a cent: up
     (1824, 1000, 1, 0),
     (120_000, 1315, 10, 432),  # 4.3233
     (120_000, 1215, 20, 799),  # 7.9890
     (36_500, 10_000, 1, 100)])  # 100 % a year for one day: 1/365
def test_interest_rounds_half_up(amount, rate, days, expected):
    assert p.interest_minor(amount, rate, days) == expected


@pytest.mark.parametrize(
    ("due", "until", "kind", "flags", "rate"),
    [(D(2026, 7, 31), D(2026, 8, 31), "business", ("unverified_rate",), 1215),
     (D(2027, 1, 31), D(2027, 3, 2), "business", ("extrapolated_rate", "unverified_rate"), 1215),
     (D(2026, 7, 31), D(2026, 8, 31), "public", ("unverified_rate",), 1015),
     # 2026 H2 has no legal rate yet: 2026 H1's, which is verified
     (D(2026, 7, 1), D(2026, 8, 31), "consumer", ("extrapolated_rate",), 262)])
def test_unverified_and_extrapolated_rates_are_flagged(due, until, kind, flags, rate):
    b = run(100_000, due, until, kind, mise_en_demeure_on=due)
    assert b.flags == flags
    assert [s.rate_bp for s in b.segments] == [rate]
    assert b.segments[0].flags == flags


def test_contract_rate_below_the_floor_of_any_half_year_is_refused():
    # 10 % >= 8.28 % (2025 H2) but < 11.13 % (2025 H1): the H1 days make it unlawful
    with pytest.raises(p.PenaltyError) as err:
        run(100_000, D(2025, 6, 20), D(2025, 7, 20), contractual_rate_bp=1000)
    assert err.value.code == "below_floor" and err.value.field == "contractual_rate_bp"
    assert "11.13 %" in err.value.message
    run(100_000, D(2025, 6, 20), D(2025, 7, 20), contractual_rate_bp=1113)  # the floor itself


def test_indemnity_only_for_a_eur_debt():
    b = run(120_000, D(2025, 6, 20), D(2025, 7, 20), currency="USD")
    assert b.indemnity_minor == 0 and b.interest_minor == 1231
    assert b.flags == ("indemnity_eur_only",)


@pytest.mark.parametrize(
    ("kw", "field", "code"),
    [({"until": D(2025, 6, 19)}, "until", "invalid"),
     ({"client_kind": "charity"}, "client_kind", "invalid"),
     ({"amount_minor": 0}, "amount_minor", "invalid"),
     ({"amount_minor": 12.5}, "amount_minor", "invalid"),
     ({"currency": "XXX"}, "currency", "invalid"),
     ({"invoices": 0}, "invoices", "invalid"),
     ({"client_kind": "consumer", "contractual_rate_bp": 1500}, "contractual_rate_bp",
      "invalid"),
     ({"contractual_rate_bp": 20_000}, "contractual_rate_bp", "invalid"),
     ({"due": D(2023, 6, 1), "until": D(2023, 7, 1)}, None, "no_rate")])
def test_bad_input_is_refused(kw, field, code):
    args = {"amount_minor": 120_000, "currency": "EUR", "due": D(2025, 6, 20),
            "until": D(2025, 7, 20), "client_kind": "business", "table": LAW, **kw}
    with pytest.raises(p.PenaltyError) as err:
        p.compute(**args)
    assert (err.value.field, err.value.code) == (field, code)


def test_empty_table_has_no_rate():
    with pytest.raises(p.PenaltyError, match="no ecb rate"):
        p.compute(amount_minor=100, currency="EUR", due=D(2025, 1, 1), until=D(2025, 1, 2),
                  client_kind="business", table=p.RateTable.of([]))


@pytest.mark.parametrize(("text", "bp"), [("2.15", 215), ("6.5", 650), ("2,6", 260), ("0", 0),
                                           ("100", 10_000), (" 12.15 ", 1215)])
def test_percent_to_basis_points(text, bp):
    assert p.bp_of_percent(text) == bp


@pytest.mark.parametrize("text", ["2.155", "abc", "", "-1", "100.01", "NaN", "Infinity",
                                  "1e999999"])
def test_bad_percent_is_refused(text):
    with pytest.raises(p.PenaltyError):
        p.bp_of_percent(text)


def test_split_by_half_year():
    assert p.split_by_half(D(2024, 6, 30), D(2025, 1, 1)) == [
        (D(2024, 6, 30), D(2024, 6, 30)), (D(2024, 7, 1), D(2024, 12, 31)),
        (D(2025, 1, 1), D(2025, 1, 1))]
    assert p.split_by_half(D(2025, 1, 2), D(2025, 1, 1)) == []


PAID = [
    # id, amount, due, until, kind, extra, payments, segments (+ principal), interest, indemnity
    # the acceptance figure: 2,000 x 30 days + 800 x 30 days at 13.15 % =
    # 21.6164 + 8.6466 = 30.263 -> 30.26 (rounding each segment would give 21.62 + 8.65)
    ("acceptance-partial", 200_000, D(2025, 1, 10), D(2025, 3, 11), "business", {},
     [(D(2025, 2, 9), 120_000)],
     [(D(2025, 1, 11), D(2025, 2, 9), 30, 1315, 200_000, 2161),
      (D(2025, 2, 10), D(2025, 3, 11), 30, 1315, 80_000, 865)], 3026, 4000),
    # cut at the payment and at 1 July: 216.16 + 108.08 + 399.45 = 723.69 -> 7.24
    ("payment-and-half-year", 120_000, D(2025, 6, 20), D(2025, 7, 20), "business", {},
     [(D(2025, 6, 25), 60_000)],
     [(D(2025, 6, 21), D(2025, 6, 25), 5, 1315, 120_000, 216),
      (D(2025, 6, 26), D(2025, 6, 30), 5, 1315, 60_000, 108),
      (D(2025, 7, 1), D(2025, 7, 20), 20, 1215, 60_000, 400)], 724, 4000),
    # paid in full on 5 July: nothing runs after that day
    ("paid-in-full-late", 120_000, D(2025, 6, 20), D(2025, 7, 20), "business", {},
     [(D(2025, 7, 5), 120_000)],
     [(D(2025, 6, 21), D(2025, 6, 30), 10, 1315, 120_000, 432),
      (D(2025, 7, 1), D(2025, 7, 5), 5, 1215, 120_000, 200)], 632, 4000),
    # a part before the due date lowers the principal from the start; two payments on the
    # edges of a half-year
    ("payments-before-and-on-edges", 120_000, D(2025, 6, 20), D(2025, 7, 20), "business", {},
     [(D(2025, 6, 1), 20_000), (D(2025, 6, 30), 50_000), (D(2025, 7, 1), 50_000)],
     [(D(2025, 6, 21), D(2025, 6, 30), 10, 1315, 100_000, 360),
      (D(2025, 7, 1), D(2025, 7, 1), 1, 1215, 50_000, 17)], 377, 4000),
    ("paid-on-time", 120_000, D(2025, 6, 20), D(2025, 7, 20), "business", {},
     [(D(2025, 6, 20), 120_000)], [], 0, 0),
    # a payment after `until` is not counted yet
    ("payment-after-until", 120_000, D(2025, 6, 20), D(2025, 7, 20), "business", {},
     [(D(2025, 7, 21), 60_000)],
     [(D(2025, 6, 21), D(2025, 6, 30), 10, 1315, 120_000, 432),
      (D(2025, 7, 1), D(2025, 7, 20), 20, 1215, 120_000, 799)], 1231, 4000),
    # 29 February is a day of the first part: 3,575.34 + 1,986.30 = 5,561.64 -> 55.62
    ("leap-day-payment", 1_000_000, D(2024, 2, 20), D(2024, 3, 10), "business", {},
     [(D(2024, 2, 29), 500_000)],
     [(D(2024, 2, 21), D(2024, 2, 29), 9, 1450, 1_000_000, 3576),
      (D(2024, 3, 1), D(2024, 3, 10), 10, 1450, 500_000, 1986)], 5562, 4000),
    # a consumer who paid 200 before the mise en demeure owes interest on 300 from it
    ("consumer-paid-before-notice", 50_000, D(2026, 2, 1), D(2026, 3, 31), "consumer",
     {"mise_en_demeure_on": D(2026, 3, 1)}, [(D(2026, 2, 15), 20_000)],
     [(D(2026, 3, 2), D(2026, 3, 31), 30, 262, 30_000, 65)], 65, 0),
    # public: one rate (2025 H1's ECB + 8) across 1 July, cut only by the payment
    ("public-with-payment", 100_000, D(2025, 6, 20), D(2025, 7, 20), "public", {},
     [(D(2025, 7, 5), 40_000)],
     [(D(2025, 6, 21), D(2025, 7, 5), 15, 1115, 100_000, 458),
      (D(2025, 7, 6), D(2025, 7, 20), 15, 1115, 60_000, 275)], 733, 4000),
]


@pytest.mark.parametrize(("amount", "due", "until", "kind", "extra", "payments", "segments",
                          "interest", "indemnity"), [c[1:] for c in PAID],
                         ids=[c[0] for c in PAID])
def test_compute_with_payments(amount, due, until, kind, extra, payments, segments, interest,
                               indemnity):
    b = run(amount, due, until, kind, payments=payments, **extra)
    assert [(s.start, s.end, s.days, s.rate_bp, s.principal_minor, s.amount_minor)
            for s in b.segments] == segments
    assert b.interest_minor == interest == sum(s.amount_minor for s in b.segments)
    assert b.indemnity_minor == indemnity
    paid = sum(a for on, a in payments if on <= until)
    assert (b.principal_minor, b.paid_minor) == (amount, paid)
    assert b.total_minor == amount - paid + interest + indemnity


@pytest.mark.parametrize("payments", [[(D(2025, 7, 1), 100_000), (D(2025, 7, 2), 20_001)],
                                      [(D(2025, 7, 30), 120_001)], [(D(2025, 7, 1), 0)],
                                      [(D(2025, 7, 1), -5)], [("2025-07-01", 100)],
                                      [(D(2025, 7, 1), 1.5)]])
def test_bad_payments_are_refused(payments):
    with pytest.raises(p.PenaltyError) as err:
        run(120_000, D(2025, 6, 20), D(2025, 7, 20), payments=payments)
    assert err.value.field == "payments"
