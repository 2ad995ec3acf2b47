"""The receivables board against PostgreSQL: every total equals the sum over the rows made by
the test (computed here, independently of the board's SQL), the recovery rate by step on a
hand-made case table, and a provider sees only their own figures, on the page too."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from skod.dunning.board import summary as board
from skod.dunning.debts import cases, settling
from tests import factories as f
from tests.board_support import Debt, seed
from tests.invoice_support import credit, issue, make_client
from tests.test_dunning_provider_api import open_debt, provider_id

PARIS = ZoneInfo("Europe/Paris")


def _today(now: datetime):  # noqa: ANN202
    return now.astimezone(PARIS).date()


def _month_start(now: datetime) -> datetime:
    return datetime.combine(_today(now).replace(day=1), time(0), PARIS).astimezone(UTC)


def _bucket(days: int) -> int:
    """The issue's buckets, written out: 0-7 (and not yet due), 8-15, 16-30, 31-45, 45+."""
    for i, top in enumerate((7, 15, 30, 45)):
        if days <= top:
            return i
    return 4


def _debts(now: datetime) -> list[Debt]:
    start = _month_start(now)
    before, inside = start - timedelta(minutes=1), start
    return [
        Debt("EUR", "open", -1, 10_000, days_late=-3),
        Debt("EUR", "open", 0, 5_000, 1_000, 7, payments=[(inside, 1_000)]),
        Debt("EUR", "open", 1, 7_000, 0, 8),
        Debt("EUR", "paused", 1, 3_000, 500, 15, payments=[(before, 500)]),
        Debt("EUR", "open", 2, 2_500, 0, 16),
        Debt("EUR", "open", 2, 1_200, 200, 30, payments=[(now, 200)]),
        Debt("EUR", "open", 3, 9_900, 0, 31),
        Debt("EUR", "paused", 3, 4_000, 0, 45),
        Debt("EUR", "open", 4, 8_800, 800, 46, payments=[(before, 300), (now, 500)]),
        Debt("EUR", "open", 4, 1_000, 0, 200),
        Debt("EUR", "paid", 2, 6_000, 6_000, 20, closed_at=now, payments=[(now, 6_000)]),
        # closed because its invoice was paid elsewhere: 1,000 came before, 4,000 now
        Debt("EUR", "paid", 1, 5_000, 5_000, 12, closed_at=now,
             payments=[(before, 1_000), (now, None)]),
        Debt("EUR", "written_off", 3, 5_500, 500, 60, closed_at=now),
        Debt("EUR", "written_off", 4, 2_000, 0, 90, closed_at=before),
        Debt("USD", "open", 0, 4_400, 0, 10),
        Debt("USD", "paused", -1, 1_100, 100, 50, payments=[(inside, 100)]),
    ]


def _expected_recovered(debts: list[Debt], start: datetime) -> dict[str, int]:
    got: dict[str, int] = {}
    for d in debts:
        before = 0
        for at, amount in d.payments:
            value = d.principal - before if amount is None else amount
            before += amount or 0
            if at >= start:
                got[d.currency] = got.get(d.currency, 0) + value
    return got



def _invoices(app, pid: int, now: datetime) -> int:
    """Invoices 90, 89 and 10 days ago and a credit note: what DSO divides by (89 and 10)."""
    with app.app_context():
        cid = make_client(pid)
        for days, amount in ((90, 50_000), (89, 30_000), (10, 12_000)):
            at = datetime.combine(_today(now) - timedelta(days=days), time(12), PARIS)
            invoice = issue(pid, cid, amount, now=at.astimezone(UTC))
        credit(invoice, 2_000, now=now)
    return 30_000 + 12_000


def test_totals_equal_the_sum_of_the_receivables(app, client, now):
    pid = provider_id(app, f.provider(client))
    other = provider_id(app, f.provider(client))
    debts = _debts(now)
    seed(app, pid, now, debts)
    seed(app, other, now, [Debt("EUR", "open", 2, 77_700, 700, 20, payments=[(now, 700)])])
    invoiced = _invoices(app, pid, now)
    with app.app_context():
        got = board.summary(pid, now)
    assert [c.currency for c in got.currencies] == ["EUR", "USD"]  # the provider's first
    recovered = _expected_recovered(debts, _month_start(now))
    for cur in got.currencies:
        mine = [d for d in debts if d.currency == cur.currency]
        owed = [d for d in mine if d.status in ("open", "paused")]
        assert cur.outstanding_minor == sum(d.principal - d.paid for d in owed)
        assert sum(cur.ages) == cur.outstanding_minor
        assert cur.ages == [sum(d.principal - d.paid for d in owed if _bucket(d.days_late) == i)
                            for i in range(5)]
        for col in cur.columns:
            for status in ("open", "paused"):
                rows = [d for d in owed if d.status == status and d.last_step == col.step]
                assert getattr(col, f"{status}_count") == len(rows)
                assert getattr(col, f"{status}_minor") == sum(d.principal - d.paid for d in rows)
        assert [c.step for c in cur.columns] == [-1, 0, 1, 2, 3, 4]
        lost = [d for d in mine if d.status == "written_off"]
        assert cur.written_off_minor == sum(d.principal - d.paid for d in lost)
        assert cur.written_off_month_minor == sum(d.principal - d.paid for d in lost
                                                  if d.closed_at >= _month_start(now))
        assert cur.recovered_month_minor == recovered.get(cur.currency, 0)
    eur, usd = got.currencies
    assert (eur.outstanding_minor, eur.recovered_month_minor) == (49_900, 1_000 + 200 + 500
                                                                  + 6_000 + 4_000)
    assert eur.invoiced_minor == invoiced
    assert eur.dso_days == round(49_900 * 90 / invoiced)
    assert usd.dso_days is None  # nothing invoiced in USD: the page shows "—"


@pytest.mark.parametrize(("days", "bucket"), [(-30, 0), (0, 0), (7, 0), (8, 1), (15, 1),
                                              (16, 2), (30, 2), (31, 3), (45, 3), (46, 4)])
def test_age_bucket_edges(app, client, now, days, bucket):
    pid = provider_id(app, f.provider(client))
    seed(app, pid, now, [Debt("EUR", "open", 0, 1_234, days_late=days)])
    with app.app_context():
        ages = board.summary(pid, now).currencies[0].ages
    assert ages == [1_234 if i == bucket else 0 for i in range(5)]


def test_recovery_rate_by_step_on_a_case_table(app, client, now):
    """Each step counts the money in from its sending until the next step sent, over the
    balance still owed when it went; step -1 is the time before any reminder."""
    pid = provider_id(app, f.provider(client))
    t = [now - timedelta(days=40 - 5 * i) for i in range(8)]  # t[0] < t[1] < ... < now
    seed(app, pid, now, [
        # 2,000 by card retry, nothing after the notice, 3,000 after step 1, the rest after 2
        Debt("EUR", "paid", 2, 10_000, 10_000, 30, closed_at=t[6], opened_at=t[0],
             steps={0: t[2], 1: t[3], 2: t[5]},
             payments=[(t[1], 2_000), (t[4], 3_000), (t[6], 5_000)]),
        # closed by its invoice paid elsewhere after the notice; step 1 withdrawn (not sent)
        Debt("EUR", "paid", 1, 4_000, 4_000, 30, closed_at=t[4], opened_at=t[0],
             steps={0: t[2], 1: None}, payments=[(t[4], None)]),
        # step 1 switched off in the ladder: the notice's window runs until step 2
        Debt("EUR", "open", 2, 6_000, 1_000, 30, opened_at=t[0], steps={0: t[1], 2: t[5]},
             payments=[(t[3], 1_000)]),
        Debt("USD", "open", 0, 900, 0, 10, opened_at=t[0], steps={0: t[2]}),
    ])
    with app.app_context():
        got = board.summary(pid, now)
    table = {(c.currency, r.step): (r.cases, r.reached_minor, r.paid_minor)
             for c in got.currencies for r in c.rates}
    assert table == {
        ("EUR", -1): (3, 20_000, 2_000),
        ("EUR", 0): (3, 8_000 + 4_000 + 6_000, 0 + 4_000 + 1_000),
        ("EUR", 1): (1, 8_000, 3_000),
        ("EUR", 2): (2, 5_000 + 5_000, 5_000),
        ("USD", -1): (1, 900, 0),
        ("USD", 0): (1, 900, 0),
    }
    rates = {r.step: r.rate for r in got.currencies[0].rates}
    assert rates[1] == pytest.approx(3 / 8) and rates[2] == pytest.approx(0.5)


def test_each_provider_sees_only_their_own_board(app, client, now):
    prov, other = f.provider(client), f.provider(client)
    seed(app, provider_id(app, prov), now, [Debt("EUR", "open", 1, 12_345, days_late=9)])
    seed(app, provider_id(app, other), now, [Debt("EUR", "open", 3, 67_890, days_late=40)])
    pages = {}
    for who in (prov, other):
        browser = app.test_client()  # a session of its own
        browser.post("/login", data={"email": who["email"], "password": "kiwi-falcon-2291"})
        pages[who["email"]] = browser.get("/dashboard/receivables?lang=en").get_data(
            as_text=True)
    mine, theirs = pages[prov["email"]], pages[other["email"]]
    assert 'data-total="outstanding" data-currency="EUR">€123.45<' in mine
    assert "678.90" not in mine and "123.45" not in theirs
    assert 'data-total="outstanding" data-currency="EUR">€678.90<' in theirs
    assert mine.count('data-bucket="') == 5 and '<svg' in mine
    assert 'data-amount="12345"' in mine.split('data-bucket="1"')[1].split("</g>")[0]


def test_money_in_counts_a_transfer_and_an_invoice_paid_elsewhere(app, client, now):
    """The source of truth read through the real services: a transfer marked paid (a payment
    event) and an invoice paid by another path (closed with no payment event) both count."""
    pid = provider_id(app, f.provider(client))
    transfer = open_debt(app, pid, now, amount=12_000, days_late=20)
    elsewhere = open_debt(app, pid, now, amount=4_500, days_late=3)
    with app.app_context():
        cases.mark_paid(transfer["id"], now, pid, amount=3_000)
        settling.invoice_paid(elsewhere["invoice_id"], now)
        got = board.summary(pid, now).currencies[0]
    assert got.recovered_month_minor == 3_000 + 4_500
    assert got.outstanding_minor == 12_000 - 3_000
    assert {r.step: (r.reached_minor, r.paid_minor) for r in got.rates} == {
        -1: (12_000 + 4_500, 3_000 + 4_500)}
