"""The PostgreSQL test database: create it fresh, empty it between tests, and put back the
reference rows the migrations seed (the late-payment rate table), which the code reads as data."""

from __future__ import annotations

import os

import psycopg
from psycopg import sql
from sqlalchemy import insert, select, text
from sqlalchemy.engine import make_url

DEFAULT_TEST_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/skod_test"
#: tables a migration fills with reference data: emptied with the rest, then seeded again
SEEDED_TABLES = ("late_rates",)


def database_url_for_tests() -> str:
    return os.environ.get("TEST_DATABASE_URL") or DEFAULT_TEST_DATABASE_URL


def recreate_database(url: str) -> str:
    """DROP (if it exists) and CREATE the database of `url`, connecting to the `postgres` db.

    Returns the SQLAlchemy URL with the psycopg 3 driver.
    """
    target = make_url(url)
    name = target.database
    if not name:
        raise ValueError(f"no database name in {url!r}")
    admin = target.set(drivername="postgresql", database="postgres")
    conninfo = admin.render_as_string(hide_password=False)
    try:
        conn = psycopg.connect(conninfo, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise RuntimeError(
            f"PostgreSQL is not reachable at {admin.render_as_string()}: {exc}\n"
            "Start it (`make test` does) or set TEST_DATABASE_URL."
        ) from exc
    with conn:
        ident = sql.Identifier(name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))
    return target.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def truncate_all(engine, metadata) -> None:
    """TRUNCATE every table of `metadata` (not alembic_version), restarting sequences."""
    tables = [t.name for t in metadata.sorted_tables]
    if not tables:
        return
    quote = engine.dialect.identifier_preparer.quote
    names = ", ".join(quote(t) for t in tables)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # Fail loudly instead of hanging if a session left open by the test holds a lock.
            conn.execute(text("SET LOCAL lock_timeout = '10s'"))
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for name in reversed(tables):
                conn.execute(text(f"DELETE FROM {quote(name)}"))


def seeded_rows(engine, metadata) -> dict[str, list[dict]]:
    """The rows of SEEDED_TABLES as the migrations left them (read once, after upgrade)."""
    with engine.connect() as conn:
        return {name: [dict(row._mapping) for row in conn.execute(
            select(metadata.tables[name]).order_by(metadata.tables[name].c.id))]
            for name in SEEDED_TABLES}


def reseed(engine, metadata, rows: dict[str, list[dict]]) -> None:
    """Insert the seeded rows again, without their ids: the restarted sequence numbers them as
    the migration did and stays ahead of them (a test's own insert gets the next id)."""
    with engine.begin() as conn:
        for name, table_rows in rows.items():
            if table_rows:
                conn.execute(insert(metadata.tables[name]),
                             [{k: v for k, v in row.items() if k != "id"} for row in table_rows])
