"""Webhook intake benchmark: the app under gunicorn on loopback against PostgreSQL.

Sends N signed Stripe events at concurrency C to POST /stripe/webhook, and the same number of
requests to the same server's bare POST /healthz, and prints throughput, p50 and p99 of each and
their ratio. Events are verified, stored under their unique id and enqueued on Redis (no worker
runs: the intake alone is measured). Not a test: it prints figures.

    .venv/bin/python bench/webhooks.py [-n 30000] [-c 50] [--workers 4] [--threads 1]
                                       [--seconds 10] [--async-commit]

The load comes from `wrk` (Debian package `wrk`) when it is installed: it costs the two cores
far less than Python threads, so the server is what is measured. Without it, a Python client
with C keep-alive connections sends the requests (slower figures for both endpoints).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
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


def server_env(db_url: str, instance: Path, sync_commit: bool) -> dict:
    return dict(os.environ, DATABASE_URL=db_url, CELERY_BROKER_URL=REDIS_URL,
                CELERY_TASK_ALWAYS_EAGER="0", STRIPE_WEBHOOK_SECRET=SECRET, SKOD_DEV="1",
                SKOD_INSTANCE_PATH=str(instance), PYTHONUNBUFFERED="1",
                WEBHOOK_INTAKE_SYNC_COMMIT="1" if sync_commit else "0")


def start_server(env: dict, port: int, workers: int, threads: int) -> subprocess.Popen:
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade", "heads"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "wsgi:app", "-b", f"127.0.0.1:{port}",
         "-w", str(workers), "-k", "gthread" if threads > 1 else "sync", "--threads",
         str(threads), "--log-level", "warning"], cwd=ROOT, env=env)
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


WRK_SCRIPT = """
local requests, i = {}, 0
function init(args)
  for line in io.lines(args[1]) do
    local body, sig = line:match("^(.-)\\t(.*)$")
    requests[#requests + 1] = wrk.format("POST", args[2], {
      ["Content-Type"] = "application/json", ["Stripe-Signature"] = sig}, body)
  end
end
function request()
  i = i % #requests + 1
  return requests[i]
end
"""


def run_wrk(port: int, path: str, bodies: list[tuple[bytes, str]], concurrency: int,
            seconds: int) -> dict:
    """wrk for `seconds` at `concurrency` connections, cycling through the signed bodies."""
    import re
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        data, script = Path(tmp) / "requests.tsv", Path(tmp) / "post.lua"
        data.write_text("".join(f"{b.decode()}\t{s}\n" for b, s in bodies))
        script.write_text(WRK_SCRIPT)
        out = subprocess.run(
            ["wrk", "-t", "2", "-c", str(concurrency), "-d", f"{seconds}s", "--latency",
             "-s", str(script), f"http://127.0.0.1:{port}{path}", "--", str(data), path],
            capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "errors": int(non2xx.group(1)) if non2xx else 0,
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": ms("50"), "p99_ms": ms("99")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30000, help="distinct signed events")
    parser.add_argument("-c", type=int, default=50)
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="1: sync workers, else gthread")
    parser.add_argument("--seconds", type=int, default=10, help="duration of each wrk run")
    parser.add_argument("--async-commit", action="store_true",
                        help="WEBHOOK_INTAKE_SYNC_COMMIT=0: the intake skips the WAL flush wait")
    args = parser.parse_args()
    instance = Path("/tmp/skod-bench-instance")
    instance.mkdir(exist_ok=True)
    env = server_env(fresh_database(), instance, not args.async_commit)
    proc = start_server(env, args.port, args.workers, args.threads)
    use_wrk = shutil.which("wrk") is not None
    try:
        events = signed_events(args.n)
        run(args.port, "/healthz", events[:200], args.c)  # warm both paths up
        if use_wrk:
            bare = run_wrk(args.port, "/healthz", events, args.c, args.seconds)
            intake = run_wrk(args.port, "/stripe/webhook", events, args.c, args.seconds)
        else:
            bare = run(args.port, "/healthz", events, args.c)
            intake = run(args.port, "/stripe/webhook", events, args.c)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        redis.Redis.from_url(REDIS_URL).flushdb()
    client = f"wrk {args.seconds}s per endpoint" if use_wrk else "python client"
    kind = f"gthread {args.workers}x{args.threads}" if args.threads > 1 else f"sync x{args.workers}"
    print(f"events={args.n} concurrency={args.c} gunicorn {kind}"
          f" load={client} intake_commit={'async' if args.async_commit else 'sync'}")
    for name, r in (("bare /healthz", bare), ("intake /stripe/webhook", intake)):
        print(f"{name:24s} {r['requests']:7d} req {r['rps']:8.0f} req/s   "
              f"p50 {r['p50_ms']:6.1f} ms   p99 {r['p99_ms']:6.1f} ms   errors {r['errors']}")
    print(f"intake / bare throughput ratio: {intake['rps'] / bare['rps']:.2f}")


if __name__ == "__main__":
    main()
