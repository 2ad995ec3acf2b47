"""The migration history stays one line: `flask db upgrade` (what `make run` and production
run) refuses to choose between two heads, whereas the tests upgrade to "heads". And it runs
from empty on SQLite, `make run`'s database, up to the head and down again (PostgreSQL's run is
every test session's own set-up)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

ROOT = Path(__file__).resolve().parents[1]


def test_one_head():
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def _flask_db(url: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=url, FLASK_APP="wsgi")
    return subprocess.run([sys.executable, "-m", "flask", "db", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_upgrade_from_empty_and_back_on_sqlite(tmp_path):
    """`make run` works on SQLite: every revision must go through its batch mode (an ALTER
    of a constraint outside it fails there while PostgreSQL accepts it)."""
    url = f"sqlite:///{tmp_path / 'skod.db'}"
    up = _flask_db(url, "upgrade")
    assert up.returncode == 0, up.stderr[-2000:]
    assert "(head)" in _flask_db(url, "current").stdout
    down = _flask_db(url, "downgrade", "base")
    assert down.returncode == 0, down.stderr[-2000:]


def _sql(url_path: Path, query: str) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(url_path) as conn:
        rows = conn.execute(query).fetchall()
        conn.commit()
    return rows


def test_the_rate_rows_revision_inserts_only_the_missing_half_years(tmp_path):
    """o1rates01 on a table an operator already filled: their 2023 H2 row stays as it is
    (no duplicate), the other half-years from 2021 H1 arrive with their source, the seeded ones
    gain theirs; down and up again gives the same table."""
    path = tmp_path / "skod.db"
    url = f"sqlite:///{path}"
    assert _flask_db(url, "upgrade", "n1savedcard01").returncode == 0
    _sql(path, "INSERT INTO late_rates (year, half, ecb_bp, legal_private_bp, legal_other_bp, "
               "verified, updated_at) VALUES (2023, 2, 401, 683, 423, 0, '2026-01-01')")
    up = _flask_db(url, "upgrade", "o1rates01")
    assert up.returncode == 0, up.stderr[-2000:]
    query = "SELECT year, half, ecb_bp, verified, source FROM late_rates ORDER BY year, half"
    rows = _sql(path, query)
    assert [(y, h) for y, h, *_ in rows] == [(y, h) for y in range(2021, 2027) for h in (1, 2)]
    by_half = {(y, h): rest for y, h, *rest in rows}
    assert by_half[(2023, 2)][:2] == [401, 0]  # the operator's row, untouched
    assert by_half[(2023, 1)][0] == 250 and "21 December 2022" in by_half[(2023, 1)][2]
    assert "ECOT2516925A" in by_half[(2025, 2)][2] and by_half[(2026, 2)][1] == 0
    assert all(source for _e, _v, source in by_half.values() if source is not None)
    assert _flask_db(url, "downgrade", "n1savedcard01").returncode == 0
    assert len(_sql(path, "SELECT * FROM late_rates")) == 7  # 2023 H2 stays, the seeded six
    assert _flask_db(url, "upgrade", "o1rates01").returncode == 0
    assert [r[:4] for r in _sql(path, query)] == [r[:4] for r in rows]
