"""m2clients01 on a database made before it (PostgreSQL, and SQLite for `make run`): one
provider's duplicate client rows become one (the newest), a row two providers used is split,
every reference follows, each card holder keeps the customer its card is on, and no issued
invoice changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from tests.support.db import database_url_for_tests, recreate_database

ROOT = Path(__file__).resolve().parents[1]


def _flask_db(url: str, *args: str) -> None:
    env = dict(os.environ, DATABASE_URL=url, FLASK_APP="wsgi")
    done = subprocess.run([sys.executable, "-m", "flask", "db", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


def _insert(conn: Connection, table: str, **values) -> int:
    cols = ", ".join(values)
    params = ", ".join(f":{k}" for k in values)
    return conn.execute(text(f"INSERT INTO {table} ({cols}) VALUES ({params}) RETURNING id"),
                        values).scalar_one()


def _provider(conn: Connection, n: int) -> int:
    return _insert(conn, "providers", email=f"p{n}@example.test", password_hash="x",
                   name=f"P{n}", slug=f"p{n}", timezone="Europe/Paris", currency="EUR",
                   locale="fr", created_at="2026-01-01T00:00:00Z")


def _client(conn: Connection, email: str, name: str, at: str, customer: str | None) -> int:
    return _insert(conn, "clients", email=email, name=name, kind="consumer",
                   timezone="Europe/Paris", locale="fr", created_at=at,
                   stripe_customer_id=customer)


def _booking(conn: Connection, provider: int, offer: int, client: int, pm: str) -> int:
    return _insert(conn, "bookings", provider_id=provider, offer_id=offer, client_id=client,
                   status="confirmed", start_at="2026-03-01T10:00:00Z",
                   end_at="2026-03-01T10:20:00Z", payment_mode="deferred",
                   pricing="per_minute", price_minor=100, currency="EUR", minimum_minutes=0,
                   duration_minutes=20, late_cancel_fee_percent=0, hold_attempts=0,
                   auto_captured=False, terms_accepted_at="2026-02-01T00:00:00Z",
                   created_at="2026-02-01T00:00:00Z", stripe_payment_method_id=pm)


def _invoice(conn: Connection, provider: int, client: int, n: int, buyer: str) -> int:
    snapshot = {"buyer": {"name": buyer, "email": "alice@example.test"}, "lines": []}
    return _insert(conn, "invoices", provider_id=provider, client_id=client, kind="invoice",
                   series="F2026", sequence=n, number=f"F2026-{n:05d}",
                   issued_at="2026-02-02T00:00:00Z", issue_date="2026-02-02",
                   due_date="2026-02-02", currency="EUR", ht_minor=1000, vat_minor=200,
                   ttc_minor=1200, paid=False, source=f"test:{provider}:{n}", locale="fr",
                   snapshot=json.dumps(snapshot), created_at="2026-02-02T00:00:00Z")


def _made_before(conn: Connection) -> dict:
    """P1 has Alice twice (two cases of her e-mail) and shares a third Alice row with P2;
    Bob is P2's only; one row nothing uses."""
    p1, p2 = _provider(conn, 1), _provider(conn, 2)
    offers = [_insert(conn, "offers", provider_id=p, kind="call", title="Call",
                      pricing="per_minute", price_minor=100, currency="EUR", minimum_minutes=0,
                      late_cancel_fee_percent=0, status="active",
                      created_at="2026-01-01T00:00:00Z") for p in (p1, p2)]
    old = _client(conn, "alice@example.test", "Alice Old", "2026-01-01T00:00:00Z", "cus_old")
    shared = _client(conn, "alice@example.test", "Alice Shared", "2026-01-15T00:00:00Z",
                     "cus_shared")
    new = _client(conn, "Alice@Example.test", "Alice New", "2026-02-01T00:00:00Z", "cus_new")
    bob = _client(conn, "bob@example.test", "Bob", "2026-01-20T00:00:00Z", None)
    _client(conn, "nobody@example.test", "Nobody", "2026-01-20T00:00:00Z", None)
    ids = {"p1": p1, "p2": p2, "new": new,
           "b_old": _booking(conn, p1, offers[0], old, "pm_old"),
           "b_new": _booking(conn, p1, offers[0], new, "pm_new"),
           "b_bob": _booking(conn, p2, offers[1], bob, "pm_bob"),
           "i_new": _invoice(conn, p1, new, 1, "Alice New"),
           "i_old": _invoice(conn, p1, old, 2, "Alice Old"),
           "i_p2": _invoice(conn, p2, shared, 1, "Alice Shared")}
    ids["pay_p1"] = _insert(
        conn, "payments", provider_id=p1, client_id=shared, purpose="fee", status="captured",
        currency="EUR", amount_requested_minor=500, amount_held_minor=0,
        amount_captured_minor=500, amount_refunded_minor=0, off_session=True,
        create_key="test:pay", created_at="2026-02-01T00:00:00Z",
        updated_at="2026-02-01T00:00:00Z")
    ids["r_p2"] = _insert(
        conn, "receivables", provider_id=p2, client_id=shared, source="test:1",
        currency="EUR", principal_minor=1200, client_kind="consumer", due_date="2026-02-02",
        status="open", opened_at="2026-02-10T00:00:00Z", evidence="[]",
        created_at="2026-02-10T00:00:00Z", stripe_payment_method_id="pm_shared")
    return ids


@pytest.fixture(params=["postgresql", "sqlite"])
def before_url(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'before.db'}"
    else:
        url = recreate_database(database_url_for_tests() + "_m2clients")
    _flask_db(url, "upgrade", "l1recourse01")
    return url


def test_migration_merges_one_providers_rows_and_splits_a_shared_one(before_url):
    engine = create_engine(before_url)
    with engine.begin() as conn:
        ids = _made_before(conn)
        invoices = conn.execute(text("SELECT id, number, snapshot FROM invoices "
                                     "ORDER BY id")).all()
    _flask_db(before_url, "upgrade", "m2clients01")
    with engine.begin() as conn:
        clients = {(r.provider_id, r.email.lower()): r for r in conn.execute(text(
            "SELECT id, provider_id, email, name, stripe_customer_id FROM clients"))}
        assert sorted(clients) == [(ids["p1"], "alice@example.test"),
                                   (ids["p2"], "alice@example.test"),
                                   (ids["p2"], "bob@example.test")]
        alice1, alice2 = clients[ids["p1"], "alice@example.test"], clients[
            ids["p2"], "alice@example.test"]
        assert (alice1.id, alice1.name, alice1.stripe_customer_id) == (
            ids["new"], "Alice New", "cus_new")  # the newest row and its details
        assert (alice2.name, alice2.stripe_customer_id) == ("Alice Shared", None)

        def row(table: str, key: str) -> tuple:
            return conn.execute(text(f"SELECT client_id, stripe_customer_id FROM {table} "
                                     f"WHERE id = :id"), {"id": ids[key]}).one()

        # every reference on its provider's row; each card on the customer it was saved on
        assert row("bookings", "b_old") == (alice1.id, "cus_old")
        assert row("bookings", "b_new") == (alice1.id, "cus_new")
        assert row("receivables", "r_p2") == (alice2.id, "cus_shared")
        assert row("bookings", "b_bob")[0] == clients[ids["p2"], "bob@example.test"].id
        owners = dict(conn.execute(text("SELECT id, client_id FROM invoices")).all())
        assert owners == {ids["i_new"]: alice1.id, ids["i_old"]: alice1.id,
                          ids["i_p2"]: alice2.id}
        assert conn.execute(text("SELECT client_id FROM payments WHERE id = :id"),
                            {"id": ids["pay_p1"]}).scalar_one() == alice1.id
        assert conn.execute(text("SELECT id, number, snapshot FROM invoices "
                                 "ORDER BY id")).all() == invoices  # printed as issued
    with pytest.raises(IntegrityError), engine.begin() as conn:  # the index holds from now on
        _insert(conn, "clients", provider_id=ids["p1"], email="ALICE@example.test", name="X",
                kind="consumer", timezone="Europe/Paris", locale="fr",
                created_at="2026-03-01T00:00:00Z")
    engine.dispose()
    _flask_db(before_url, "downgrade", "l1recourse01")
    _flask_db(before_url, "upgrade", "m2clients01")
