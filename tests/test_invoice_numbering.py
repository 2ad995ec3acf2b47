"""Invoice numbers on PostgreSQL: gapless and unique under concurrent issuing, chronological,
and one invoice per source even when every worker tries to issue the same one."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from skod.extensions import db
from skod.invoicing import ledger, numbering
from skod.invoicing.models import Invoice
from tests import invoice_support as inv

WORKERS = 8


def _in_threads(app, jobs: list, worker) -> list[BaseException]:  # noqa: ANN001
    """Run worker(job) for each job on WORKERS threads, each with its own app context (so
    its own session and connection), all starting together; returns the errors."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(WORKERS)
    shares = [jobs[i::WORKERS] for i in range(WORKERS)]

    def run(share: list) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                for job in share:
                    worker(job)
            except BaseException as err:  # noqa: BLE001 - reported to the test
                errors.append(err)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return errors


def _numbers(provider_id: int) -> list[Invoice]:
    return list(db.session.scalars(select(Invoice).where(Invoice.provider_id == provider_id)
                                   .order_by(Invoice.sequence)))


def test_200_invoices_by_8_workers_are_numbered_1_to_200(app):
    with app.app_context():
        provider_id = inv.make_provider()
        client_id = inv.make_client(provider_id)
        other = inv.make_provider()
        inv.issue(other, client_id, 500)  # another provider's series does not interfere
    start = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)

    def issue_one(n: int) -> None:
        inv.issue(provider_id, client_id, 1000 + n, source=f"concurrent:{n}",
                  now=start + timedelta(milliseconds=n))

    assert _in_threads(app, list(range(200)), issue_one) == []
    with app.app_context():
        invoices = _numbers(provider_id)
        assert [i.sequence for i in invoices] == list(range(1, 201))
        assert [i.number for i in invoices] == [f"2026-{n:06d}" for n in range(1, 201)]
        assert len({i.source for i in invoices}) == 200
        # chronological: a higher number is never dated before a lower one
        stamps = [i.issued_at for i in invoices]
        assert stamps == sorted(stamps)
        assert [i.number for i in _numbers(other)] == ["2026-000001"]


def test_every_worker_issuing_the_same_service_gives_one_invoice(app):
    with app.app_context():
        provider_id = inv.make_provider()
        client_id = inv.make_client(provider_id)
    got: list[str] = []

    def issue_same(_n: int) -> None:
        got.append(inv.issue(provider_id, client_id, 4200, source="booking-like:1").number)

    assert _in_threads(app, list(range(WORKERS * 3)), issue_same) == []
    with app.app_context():
        assert [i.number for i in _numbers(provider_id)] == ["2026-000001"]
    assert set(got) == {"2026-000001"}


def test_a_rolled_back_issue_gives_its_number_back(app, monkeypatch):
    with app.app_context():
        provider_id = inv.make_provider()
        client_id = inv.make_client(provider_id)
        inv.issue(provider_id, client_id, 1000)

        def broken(*args, **kwargs):  # noqa: ANN002, ANN003
            raise RuntimeError("crash after the number was taken")

        monkeypatch.setattr(ledger, "_snapshot", broken)
        with pytest.raises(RuntimeError):
            inv.issue(provider_id, client_id, 2000)
        db.session.rollback()
        monkeypatch.undo()
        third = inv.issue(provider_id, client_id, 3000)
        assert third.number == "2026-000002"
        assert [i.sequence for i in _numbers(provider_id)] == [1, 2]


def test_a_late_clock_never_dates_an_invoice_before_the_previous_number(app):
    with app.app_context():
        provider_id = inv.make_provider()
        client_id = inv.make_client(provider_id)
        first = inv.issue(provider_id, client_id, 1000, now=datetime(2026, 6, 2, 10, tzinfo=UTC))
        late = inv.issue(provider_id, client_id, 1000, now=datetime(2026, 6, 1, 10, tzinfo=UTC))
        assert late.sequence == first.sequence + 1
        assert late.issued_at == first.issued_at and late.issue_date == first.issue_date


def test_series_is_the_year_of_the_provider_local_date(app):
    with app.app_context():
        provider_id = inv.make_provider()
        client_id = inv.make_client(provider_id)
        # 23:30 UTC on 31 December is already 1 January in Paris
        new_year = inv.issue(provider_id, client_id, 1000,
                             now=datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
        assert new_year.number == "2027-000001"
        assert new_year.issue_date.isoformat() == "2027-01-01"
        assert numbering.format_number("2026", 123) == "2026-000123"


def test_the_database_refuses_a_duplicate_number(app):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        provider_id = inv.make_provider()
        client_id = inv.make_client(provider_id)
        first = inv.issue(provider_id, client_id, 1000)
        copy = Invoice(**{c.key: getattr(first, c.key) for c in Invoice.__table__.columns
                          if c.key not in ("id", "source")}, source="duplicate")
        db.session.add(copy)
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
