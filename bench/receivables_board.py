"""Receivables board benchmark: `skod.dunning.board.summary(provider_id, now)` for a provider
with 50,000 receivables (bench/loader.py), among 100,000 in all. Target: < 0.5 s.

Prints the median of five calls (after one warm-up call), how many SQL statements one call
runs, and with --plans the EXPLAIN ANALYZE of each of them. Then the same for one page of the
board's table of debts (skod.dunning.board.table.page: its count and its rows) sorted, searched
and far down the list.

    .venv/bin/python bench/receivables_board.py [--receivables 50000] [--total 100000] [--plans]

Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import loader  # noqa: E402
from bench.dunning_sweep import bench_app  # noqa: E402


def statements_of(call) -> list[tuple[str, object]]:  # noqa: ANN001
    """The SQL statements (and their parameters) that `call()` runs."""
    from sqlalchemy import event

    from skod.extensions import db

    seen: list[tuple[str, object]] = []

    def listen(_conn, _cursor, statement, params, _context, _many) -> None:  # noqa: ANN001
        seen.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    return seen


def plans(statements: list[tuple[str, object]]) -> None:
    from skod.extensions import db

    for statement, params in statements:
        if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        rows = db.session.connection().exec_driver_sql(
            f"EXPLAIN (ANALYZE, BUFFERS) {statement}", params).scalars().all()
        print(statement, params, *rows, sep="\n", end="\n\n")
    db.session.rollback()


def median_ms(call) -> tuple[float, float]:  # noqa: ANN001
    """(median, max) in ms of five calls of `call`, after one warm-up call."""
    from skod.extensions import db

    call()
    db.session.rollback()
    times = []
    for _ in range(5):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
        db.session.rollback()
    return statistics.median(times) * 1000, max(times) * 1000


def table_pages() -> None:
    """One page of the table of debts, for a few of the ways a provider reads it."""
    from skod.dunning.board import table

    today = loader.NOW.date()
    for words, query in (
            ("next action first", table.Query()),
            ("by balance, descending", table.Query(sort="balance", descending=True)),
            ("by client, stage 2, 8-30 days late", table.Query(sort="client", stage=2,
                                                              late_min=8, late_max=30)),
            ("search '12'", table.Query(search="12")),
            ("page 500", table.Query(page=500))):
        median, most = median_ms(lambda q=query: table.page(1, q, today))
        print(f"table.page, {words}: median {median:.0f} ms, max {most:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--receivables", type=int, default=50_000)
    parser.add_argument("--total", type=int, default=100_000)
    parser.add_argument("--plans", action="store_true")
    args = parser.parse_args()
    # the app's modules after the bench's own set-up
    from skod.dunning.board import summary as board
    loader.ensure_database()
    loader.load(loader.Spread(receivables=args.total, due=1000, big=args.receivables))
    with tempfile.TemporaryDirectory() as instance:
        app = bench_app(instance)
        with app.app_context():
            from skod.extensions import db

            statements = statements_of(lambda: board.summary(1, loader.NOW))
            db.session.rollback()
            times = []
            for _ in range(5):
                start = time.perf_counter()
                board.summary(1, loader.NOW)
                times.append(time.perf_counter() - start)
                db.session.rollback()
            print(f"board.summary of a provider with {args.receivables:,} receivables "
                  f"(of {args.total:,}): median {statistics.median(times) * 1000:.0f} ms, "
                  f"max {max(times) * 1000:.0f} ms, {len(statements)} SQL statements")
            if args.plans:
                plans(statements)
            table_pages()


if __name__ == "__main__":
    main()
