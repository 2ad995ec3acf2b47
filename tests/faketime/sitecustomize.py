"""Loaded by every Python process of `make test-dates` (PYTHONPATH=tests/faketime), the tests and
the Stripe emulator alike, when libfaketime is preloaded (FAKETIME set by `faketime`).

libfaketime 0.9.10 (Debian bookworm) breaks Python's waits in two ways: with the monotonic clock
faked (its default), a lock or Event wait with a timeout (pthread_cond_timedwait) never returns,
so the suite hangs; with FAKETIME_DONT_FAKE_MONOTONIC=1, which cures that, time.sleep fails
with EINVAL (its clock_nanosleep on an absolute CLOCK_MONOTONIC deadline is rewritten with the
fake offset). So the dates run with the monotonic clock real, and time.sleep waits in select(),
whose relative timeout libfaketime leaves alone.
"""

from __future__ import annotations

import os
import select
import time

if os.environ.get("FAKETIME"):
    def _sleep(seconds: float) -> None:
        """time.sleep without clock_nanosleep (same errors for bad input)."""
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        select.select([], [], [], seconds)

    time.sleep = _sleep
