"""Periodic jobs of projects (being written)."""

from __future__ import annotations

from datetime import datetime


def run_all(now: datetime) -> dict[str, int]:
    """Every periodic job of projects, once, as of `now`."""
    return {}
