"""`flask skod ...`: tick (run every periodic job once, as of a given instant) and seed-demo."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from skod.core.clock import parse_iso, utcnow

skod_cli = AppGroup("skod", help="Skod operations.")


@skod_cli.command("tick")
@click.option("--at", "at", default=None, help="ISO 8601 instant (default: now)")
def tick_cmd(at: str | None) -> None:
    """Run every periodic job once as of AT (catch up, or move time in tests)."""
    from skod.scheduler import tick

    now = parse_iso(at) if at else utcnow()
    click.echo(json.dumps({"at": now.isoformat(), **tick(now)}))


@skod_cli.command("seed-demo")
def seed_demo_cmd() -> None:
    """Create the demo provider, its call offers and weekly hours (idempotent)."""
    from skod.seed import seed_demo

    provider = seed_demo()
    click.echo(f"demo provider: {provider.email} / demo-password -> /p/{provider.slug}")
