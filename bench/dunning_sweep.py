"""Dunning sweep benchmark: one sweep over 10,000 due cases among 100,000 then 1,000,000 open
receivables in PostgreSQL (bench/loader.py), e-mails to the outbox, Celery eager.

Prints, for each size: the due selection's time (the statement of `sweep.due_cases`, median of
five runs, and its EXPLAIN ANALYZE), the sweep's steps per second and total time, its peak
memory (ru_maxrss growth during the sweep; tracemalloc's peak with --tracemalloc, which slows
the sweep down), the sweep's CPU time in this process (PostgreSQL's is apart; the figure
that moves least when the machine is shared), and checks that exactly `due` DunningStep rows
were created. Then the ratio of the sweep times. Each size runs in its own process, so that
its peak memory is its own.

    .venv/bin/python bench/dunning_sweep.py [--sizes 100000 1000000] [--due 10000]
                                            [--tracemalloc] [--workers 1]

Not a test: it prints figures (targets on 2 cores: selection < 50 ms, 10,000 steps <= 30 s,
time(1M) / time(100k) <= 1.2, flat memory).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import loader  # noqa: E402


def bench_app(instance: str):  # noqa: ANN201
    """The app on the bench database: outbox e-mails in `instance`, Celery eager."""
    os.environ.update(CELERY_TASK_ALWAYS_EAGER="1", CELERY_BROKER_URL="memory://",
                      DATABASE_URL=loader.URL, MAIL_BACKEND="outbox")
    from skod import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": loader.URL, "SKOD_INSTANCE_PATH": instance,
                      "MAIL_BACKEND": "outbox", "RATE_LIMIT_REDIS_URL": None})
    celery = app.extensions.get("celery")
    if celery is not None:
        celery.conf.update(task_always_eager=True, task_eager_propagates=True,
                           broker_url="memory://")
    return app


def selection(batch: int) -> tuple[float, str]:
    """Median time of `due_cases` (locks taken, then released) and the plan of its query."""
    from sqlalchemy import text

    from skod.dunning.debts import sweep
    from skod.extensions import db

    times = []
    for _ in range(5):
        start = time.perf_counter()
        sweep.due_cases(loader.NOW, batch)
        times.append(time.perf_counter() - start)
        db.session.rollback()
    sql = sweep.due_query(loader.NOW, batch).compile(
        db.engine, compile_kwargs={"literal_binds": True})
    plan = db.session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")).scalars().all()
    db.session.rollback()
    return statistics.median(times), "\n".join(plan)


def run_sweep(trace: bool) -> dict:
    from sqlalchemy import func, select

    from skod.dunning.debts import sweep
    from skod.dunning.debts.models import DunningStep
    from skod.extensions import db

    before = db.session.scalar(select(func.count(DunningStep.id)))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rss, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    report = sweep.sweep(loader.NOW)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    tracemalloc.stop()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    created = db.session.scalar(select(func.count(DunningStep.id))) - before
    return {"seconds": seconds, "report": report, "steps_created": created,
            "cpu_seconds": usage.ru_utime + usage.ru_stime - cpu,
            "rss_growth_kb": usage.ru_maxrss - rss,
            "tracemalloc_peak_kb": peak and peak // 1024}


def _sweep_in_worker(instance: str) -> dict:
    """One sweep in a process of its own (--workers)."""
    app = bench_app(instance)
    with app.app_context():
        from skod.dunning.debts import sweep

        return sweep.sweep(loader.NOW)


def run_parallel(workers: int, instance: str) -> dict:
    """`workers` sweeps at once (each in its own process, as Celery workers would): they
    share the due cases through FOR UPDATE SKIP LOCKED."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from sqlalchemy import func, select

    from skod.dunning.debts.models import DunningStep
    from skod.extensions import db

    before = db.session.scalar(select(func.count(DunningStep.id)))
    db.session.rollback()
    start = time.perf_counter()
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        reports = list(pool.map(_sweep_in_worker, [instance] * workers))
    seconds = time.perf_counter() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    report = {key: sum(r[key] for r in reports) for key in reports[0]}
    return {"seconds": seconds, "report": report, "tracemalloc_peak_kb": None,
            "steps_created": db.session.scalar(select(func.count(DunningStep.id))) - before,
            "cpu_seconds": children.ru_utime + children.ru_stime,
            "rss_growth_kb": children.ru_maxrss}


def one(size: int, due: int, trace: bool, workers: int = 1) -> dict:
    """Load `size` receivables, measure the selection and one sweep (in this process, or in
    `workers` processes at once)."""
    start = time.perf_counter()
    loader.load(loader.Spread(receivables=size, due=due))
    loaded = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as instance:
        app = bench_app(instance)
        with app.app_context():
            from skod.extensions import db

            selected, plan = selection(app.config["DUNNING_BATCH"])
            figures = run_sweep(trace) if workers == 1 else run_parallel(workers, instance)
            db.session.remove()
        outbox = Path(instance) / "outbox"
        figures["emails_in_outbox"] = len(list(outbox.glob("*.eml"))) if outbox.exists() else 0
    return dict(figures, size=size, due=due, load_seconds=loaded, selection_ms=selected * 1000,
                workers=workers,
                plan=plan, steps_per_second=figures["steps_created"] / figures["seconds"])


def show(f: dict) -> None:
    print(f"== {f['size']:,} open receivables, {f['due']:,} due, {f['workers']} sweep(s) "
          f"(loaded in {f['load_seconds']:.1f} s)")
    print(f"due selection (median of 5): {f['selection_ms']:.1f} ms")
    print(f["plan"])
    print(f"sweep: {f['seconds']:.1f} s, {f['steps_per_second']:.0f} steps/s, report "
          f"{f['report']}, e-mails in the outbox: {f['emails_in_outbox']}; CPU of the "
          f"sweep process(es) (not PostgreSQL's) {f['cpu_seconds']:.1f} s")
    print(f"DunningStep rows created: {f['steps_created']:,} (expected {f['due']:,}): "
          f"{'OK' if f['steps_created'] == f['due'] else 'WRONG'}")
    peak = f["tracemalloc_peak_kb"]
    what = "growth" if f["workers"] == 1 else "of the largest worker"
    print(f"peak memory: ru_maxrss {what} {f['rss_growth_kb'] / 1024:.1f} MiB"
          + (f", tracemalloc peak {peak / 1024:.1f} MiB" if peak else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--workers", type=int, default=1,
                        help="sweeps at once, each in its own process (default 1)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.due, args.tracemalloc, args.workers)))
        return
    loader.ensure_database()
    results = []
    for size in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(size), "--due", str(args.due),
             "--workers", str(args.workers)]
            + (["--tracemalloc"] if args.tracemalloc else []),
            check=True, capture_output=True, text=True,
            env=dict(os.environ, PYTHONPATH=str(loader.ROOT))).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
        show(results[-1])
    if len(results) > 1:
        first, last = results[0], results[-1]
        print(f"time({last['size']:,}) / time({first['size']:,}) = "
              f"{last['seconds'] / first['seconds']:.2f}; selection "
              f"{last['selection_ms'] / first['selection_ms']:.2f}; ru_maxrss growth "
              f"{last['rss_growth_kb'] / 1024:.1f} vs {first['rss_growth_kb'] / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
