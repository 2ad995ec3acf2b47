"""The emulator's clock, which tests may move like one of Stripe's test clocks.

The app's `flask skod tick --at T` runs as if it were T; when the tests move the app's time they
move the emulator's with `POST /_test/clock {"now": <unix seconds> | null}`, so that what Stripe
dates (`created`, a hold's `capture_before`, a dispute's evidence deadline) agrees with the
app's moved time. Without it a hold placed "twenty days from now" would lapse, by its
`capture_before`, before it was placed.
"""

from __future__ import annotations

import time as _time
from types import SimpleNamespace

_offset = 0.0


def now() -> float:
    return _time.time() + _offset


def set_now(at: float | None) -> None:
    """Move the clock to `at` (unix seconds); None goes back to the real time."""
    global _offset
    _offset = 0.0 if at is None else float(at) - _time.time()


#: stands in for the `time` module inside localstripe.resources and the emulator's modules
time = SimpleNamespace(time=now, sleep=_time.sleep, monotonic=_time.monotonic)


def install() -> None:
    from localstripe import resources

    resources.time = time
