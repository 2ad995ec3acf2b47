"""`make test-dates` runs the suite under libfaketime; what it needs from the process tree, checked
in a child process under `faketime` itself: the clock shows the faked instant (also in a
subprocess), and timed waits and sleeps return (libfaketime 0.9.10 hangs the first with its
default faked monotonic clock, and fails the second with EINVAL once that is turned off:
scripts/test-dates.sh turns it off and tests/faketime/sitecustomize.py repairs time.sleep)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FAKETIME_DIR = Path(__file__).resolve().parent / "faketime"
PROBE = """
import subprocess, sys, threading, time
from datetime import datetime, timezone
threading.Event().wait(0.05)
time.sleep(0.05)
print(datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"))
child = "import time; time.sleep(0.01); print(time.gmtime().tm_year)"
print(subprocess.run([sys.executable, "-c", child], capture_output=True, text=True,
                     check=True).stdout.strip())
"""


def _probe(extra_env: dict) -> subprocess.CompletedProcess:
    env = dict(os.environ, TZ="UTC", FAKETIME_DONT_FAKE_MONOTONIC="1", **extra_env)
    return subprocess.run(["faketime", "-f", "@2028-02-29 22:30:00", sys.executable, "-c",
                           PROBE], env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(shutil.which("faketime") is None, reason="faketime is not installed "
                    "(make test-dates installs it)")
def test_a_process_tree_under_faketime_sees_the_date_and_still_waits():
    done = _probe({"PYTHONPATH": str(FAKETIME_DIR)})
    assert done.returncode == 0, done.stderr[-1000:]
    assert done.stdout.split() == ["2028-02-29", "22:30", "2028"]


def test_the_repaired_sleep_keeps_sleeps_contract(monkeypatch):
    import importlib.util
    import time

    monkeypatch.setenv("FAKETIME", "@2028-02-29 22:30:00")
    monkeypatch.setattr(time, "sleep", time.sleep)  # put back after the test
    spec = importlib.util.spec_from_file_location("ft_site", FAKETIME_DIR / "sitecustomize.py")
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    start = time.monotonic()
    time.sleep(0.05)
    assert 0.04 < time.monotonic() - start < 1
    with pytest.raises(ValueError):
        time.sleep(-1)
