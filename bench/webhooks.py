"""Webhook intake benchmark: the app under gunicorn on loopback against PostgreSQL.

Sends N signed Stripe events at concurrency C to POST /stripe/webhook, and the same number of
requests to the same server's bare POST /healthz, and prints throughput, p50 and p99 of each and
their ratio. Events are verified, stored under their unique id and enqueued on Redis (no worker
runs: the intake alone is measured). Not a test: it prints figures.

    .venv/bin/python bench/webhooks.py [-n 5000] [-c 50] [--workers 2] [--threads 16]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import redis
import stripe

ROOT = Path(__file__).resolve().parents[1]
SECRET = "whsec_bench"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DB_NAME = "skod_bench"
REDIS_URL = "redis://127.0.0.1:6379/13"


def fresh_database() -> str:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    return f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"


def server_env(db_url: str, instance: Path) -> dict:
    return dict(os.environ, DATABASE_URL=db_url, CELERY_BROKER_URL=REDIS_URL,
                CELERY_TASK_ALWAYS_EAGER="0", STRIPE_WEBHOOK_SECRET=SECRET,
                SKOD_INSTANCE_PATH=str(instance), PYTHONUNBUFFERED="1")


def start_server(env: dict, port: int, workers: int, threads: int) -> subprocess.Popen:
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade", "heads"], cwd=ROOT,
                   env=env, check=True, capture_output=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "wsgi:app", "-b", f"127.0.0.1:{port}",
         "-w", str(workers), "-k", "gthread", "--threads", str(threads), "--log-level",
         "warning"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def signed_events(n: int) -> list[tuple[bytes, str]]:
    out = []
    now = int(time.time())
    for i in range(n):
        body = json.dumps({"id": f"evt_bench_{now}_{i}", "object": "event",
                           "type": "payment_intent.succeeded", "created": now,
                           "data": {"object": {"id": f"pi_bench_{i}",
                                               "object": "payment_intent"}}}).encode()
        sig = stripe.WebhookSignature._compute_signature(f"{now}.{body.decode()}", SECRET)
        out.append((body, f"t={now},v1={sig}"))
    return out


def run(port: int, path: str, bodies: list[tuple[bytes, str]], concurrency: int) -> dict:
    """Send every body (C connections, keep-alive); latencies of the 2xx answers."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    cursor = iter(range(len(bodies)))

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while True:
            with lock:
                i = next(cursor, None)
            if i is None:
                break
            body, sig = bodies[i]
            t0 = time.perf_counter()
            conn.request("POST", path, body=body, headers={
                "Content-Type": "application/json", "Stripe-Signature": sig})
            resp = conn.getresponse()
            resp.read()
            elapsed = time.perf_counter() - t0
            if resp.status == 200:
                mine.append(elapsed)
            else:
                errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    lat = sorted(latencies)
    return {"requests": len(bodies), "errors": errors[0], "rps": len(lat) / wall,
            "p50_ms": 1000 * statistics.median(lat),
            "p99_ms": 1000 * lat[int(0.99 * (len(lat) - 1))]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=5000)
    parser.add_argument("-c", type=int, default=50)
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()
    instance = Path("/tmp/skod-bench-instance")
    instance.mkdir(exist_ok=True)
    proc = start_server(server_env(fresh_database(), instance), args.port, args.workers,
                        args.threads)
    try:
        events = signed_events(args.n)
        run(args.port, "/healthz", events[:200], args.c)  # warm both paths up
        bare = run(args.port, "/healthz", events, args.c)
        intake = run(args.port, "/stripe/webhook", events, args.c)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        redis.Redis.from_url(REDIS_URL).flushdb()
    print(f"n={args.n} concurrency={args.c} gunicorn gthread {args.workers}x{args.threads}")
    for name, r in (("bare /healthz", bare), ("intake /stripe/webhook", intake)):
        print(f"{name:24s} {r['rps']:8.0f} req/s   p50 {r['p50_ms']:6.1f} ms   "
              f"p99 {r['p99_ms']:6.1f} ms   errors {r['errors']}")
    print(f"intake / bare throughput ratio: {intake['rps'] / bare['rps']:.2f}")


if __name__ == "__main__":
    main()
