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
