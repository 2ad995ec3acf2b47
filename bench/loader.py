"""Bench data for the dunning benches: providers, clients, receivables and their past steps
COPYed (not ORM loops) into a dedicated database, never the test or dev one.

The database is BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/skod_bench);
it is created when missing and brought to the migrations' head, then each load empties the
dunning tables and fills them again. The spread: many providers (one of them, optionally, with
`big` receivables for the board bench), clients with four debts each, cases at every stage of
the ladder, most not due, and exactly `due` cases due at NOW (steps 1 and 2, two debts of the
same client at a time, so that one e-mail carries two steps). No card is saved and no invoice
exists: the sweep sends e-mails only (no Stripe call, no invoice PDF rendered on delivery).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
# the benches run on this machine's throwaway database: development mode (the dev SECRET_KEY),
# for the app they build and every `flask` they start
os.environ.setdefault("SKOD_DEV", "1")
URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/skod_bench")
#: a Tuesday, 10:00 in Paris: French working hours, so the due steps really go
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
DEBTS_PER_CLIENT = 4
RECEIVABLES_PER_PROVIDER = 500
TABLES = ("providers", "clients", "receivables", "dunning_steps", "dunning_events",
          "dunning_messages", "dunning_settings")


@dataclass(frozen=True)
class Spread:
    """How many rows of each kind one load writes."""

    receivables: int
    due: int
    big: int = 0  # receivables of provider 1 (the board bench's provider)

    @property
    def clients(self) -> int:
        return -(-self.receivables // DEBTS_PER_CLIENT)

    @property
    def providers(self) -> int:
        return 1 + max(1, (self.receivables - self.big) // RECEIVABLES_PER_PROVIDER)

    @property
    def period(self) -> int:
        """Two due debts (the same client's first two) in every `period` receivables."""
        return max(DEBTS_PER_CLIENT, 2 * self.receivables // self.due // 4 * 4)


def ensure_database(url: str = URL) -> None:
    """Create the bench database when missing and run the migrations (flask db upgrade)."""
    base, name = url.rsplit("/", 1)
    if name in ("skod_test", "skod_dev", "skod"):
        raise SystemExit(f"refusing to load bench data into {name}")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    env = dict(os.environ, DATABASE_URL=url, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade", "heads"],
                   cwd=ROOT, env=env, check=True, capture_output=True)


def load(spread: Spread, url: str = URL) -> None:
    """Empty the dunning tables and COPY `spread`'s rows, then VACUUM ANALYZE."""
    with psycopg.connect(url) as conn:
        conn.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        _copy(conn, "providers", PROVIDER_COLUMNS, providers(spread))
        _copy(conn, "clients", CLIENT_COLUMNS, clients(spread))
        _copy(conn, "receivables", RECEIVABLE_COLUMNS, receivables(spread))
        _copy(conn, "dunning_steps", STEP_COLUMNS, past_steps(spread))
        for table in ("providers", "clients", "receivables", "dunning_steps"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                         f"(SELECT coalesce(max(id), 1) FROM {table}))")
    with psycopg.connect(url, autocommit=True) as conn:
        for table in TABLES:
            conn.execute(f"VACUUM ANALYZE {table}")


def _copy(conn: psycopg.Connection, table: str, columns: tuple[str, ...],
          rows: Iterator[tuple]) -> None:
    with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


PROVIDER_COLUMNS = ("id", "email", "password_hash", "name", "slug", "timezone", "currency",
                    "locale", "company_name", "legal_form", "siren", "address", "created_at",
                    "payment_terms_days", "session_version")


def providers(spread: Spread) -> Iterator[tuple]:
    for p in range(1, spread.providers + 1):
        yield (p, f"provider{p}@bench.test", "!", f"Provider {p}", f"provider-{p}",
               "Europe/Paris", "EUR", "fr" if p % 3 else "en", f"Studio {p}", "SAS",
               f"{100000000 + p}", f"{p} rue de la Paix, 75002 Paris", NOW - timedelta(days=400),
               0, 0)


CLIENT_COLUMNS = ("id", "provider_id", "email", "name", "kind", "company_name", "timezone",
                  "locale", "created_at")


def clients(spread: Spread) -> Iterator[tuple]:
    """One row per client, of the one provider whose debts it has (a row is a provider's)."""
    for c in range(1, spread.clients + 1):
        business = c % 3 == 0
        yield (c, provider_of(spread, c), f"client{c}@bench.test", f"Client {c}",
               "business" if business else "consumer", f"Company {c}" if business else None,
               "Europe/Paris", "en" if c % 4 == 0 else "fr", NOW - timedelta(days=300))


def provider_of(spread: Spread, client: int) -> int:
    """Provider 1 has the first `big` receivables' clients; the others share the rest."""
    if client <= spread.big // DEBTS_PER_CLIENT:
        return 1
    return 2 + client % (spread.providers - 1)


RECEIVABLE_COLUMNS = ("id", "provider_id", "client_id", "source", "currency", "principal_minor",
                      "paid_minor", "client_kind", "due_date", "status", "opened_at",
                      "evidence", "last_step", "last_step_at", "retries_done", "next_action_at",
                      "pause_reason", "paused_until", "created_at")


def stage_of(spread: Spread, i: int) -> tuple[str, int | None]:
    """("due", step) for the due cases, else (a stage, None)."""
    slot = i % spread.period
    if slot < 2 and i // spread.period * 2 + slot < spread.due:
        return "due", 1 + (i // spread.period) % 2
    return ("waiting1", "waiting2", "waiting2", "waiting1", "waiting1", "ladder_end",
            "paused", "waiting1", "waiting2", "waiting1")[i % 10], None


def receivables(spread: Spread) -> Iterator[tuple]:
    today = NOW.date()
    for i in range(spread.receivables):
        stage, step = stage_of(spread, i)
        client = i // DEBTS_PER_CLIENT + 1
        if stage == "due":
            # the step's morning was yesterday; the sweep comes late by up to a day
            last, age = step - 1, 8 if step == 1 else 16
            action = NOW - timedelta(minutes=1 + i // 2 % 1400)  # a client's two: one instant
        else:
            last = {"waiting1": 0, "waiting2": 1, "paused": 1}.get(stage, 2)
            age = i % 7 + (0, 8, 20)[last]
            action = (NOW + timedelta(days=7 - age if last == 0 else 15 - age, hours=-1 - i % 3)
                      if stage.startswith("waiting") else None)
            action = max(action, NOW + timedelta(minutes=5)) if action else None
        due_date = today - timedelta(days=age)
        opened = NOW - timedelta(days=age + 2)
        yield (i + 1, provider_of(spread, client), client, f"bench:{i + 1}", "EUR",
               1000 + (i * 37) % 200000, 0, "business" if client % 3 == 0 else "consumer",
               due_date, "paused" if stage == "paused" else "open", opened, "[]", last,
               opened + timedelta(days=2 * last, minutes=1), 0, action,
               "provider" if stage == "paused" else None, None, opened)


STEP_COLUMNS = ("receivable_id", "step", "claimed_at", "sent_at", "status", "channel",
                "message_id")


def past_steps(spread: Spread) -> Iterator[tuple]:
    """The steps already taken (0 .. last_step), as the sweep left them."""
    for row in receivables(spread):
        receivable_id, last, opened = row[0], row[12], row[10]
        for step in range(last + 1):
            at = opened + timedelta(days=2 * step, minutes=1)
            yield (receivable_id, step, at, at, "sent", "email",
                   f"<bench.{receivable_id}.{step}@skod.local>")
