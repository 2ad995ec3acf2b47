"""Periodic jobs of messages (being written)."""

from __future__ import annotations

from datetime import datetime


def run_all(now: datetime) -> dict[str, int]:
    """Every periodic job of messages, once, as of `now`."""
    return {}
