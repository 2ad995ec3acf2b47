"""`flask skod ...`: tick (run every periodic job once, as of a given instant), seed-demo,
reconcile, invoices, events, the late-payment rate table (`rates list|set`), the penalty
calculator (`penalties`) and the providers' bank statements (`bank import`)."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from skod.cli_rates import penalties_cmd, rates_cli
from skod.core.clock import parse_iso, utcnow
from skod.dunning.bank_statements.cli import bank_cli

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
    click.echo(f"demo provider: {provider.email} / skod-demo-garden-42 -> /p/{provider.slug}")


@skod_cli.command("connect-demo")
def connect_demo_cmd() -> None:
    """Give the demo provider an onboarded connected account on the Stripe emulator (make run:
    run once the emulator answers; idempotent)."""
    from skod.seed import connect_demo

    click.echo(f"demo provider's Stripe account: {connect_demo()}")


@skod_cli.command("reconcile")
@click.option("--since", default=None, help="only payments created since this ISO instant")
@click.option("--at", "at", default=None, help="ISO 8601 instant (default: now)")
def reconcile_cmd(since: str | None, at: str | None) -> None:
    """Re-read open payments from Stripe and repair our side (and forgotten holds)."""
    from skod.payments.reconcile import reconcile

    now = parse_iso(at) if at else utcnow()
    report = reconcile(now, parse_iso(since) if since else None)
    click.echo(json.dumps({"at": now.isoformat(), **report}))


invoices_cli = AppGroup("invoices", help="Invoices and credit notes.")
skod_cli.add_command(invoices_cli)


@invoices_cli.command("export")
@click.option("--from", "since", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "until", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--provider", "provider_id", type=int, default=None)
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="CSV file (default: standard output)")
def invoices_export_cmd(since, until, provider_id: int | None, output) -> None:  # noqa: ANN001
    """CSV of the invoices and credit notes issued from FROM to TO (inclusive)."""
    from skod.invoicing import export

    ids = export.invoices_between(since.date(), until.date(), provider_id)
    if output.name == "<stdout>" or len(ids) < 500:
        count = export.write_csv(output, ids)
    else:  # long exports show their progress on the terminal
        with click.progressbar(ids, label="invoices", file=click.get_text_stream("stderr")) as bar:
            count = export.write_csv(output, bar)
    output.flush()  # the CSV is complete before the count is printed
    click.echo(f"{count} invoices exported", err=True)


events_cli = AppGroup("events", help="Stripe events received by the webhook.")
skod_cli.add_command(events_cli)


@events_cli.command("list")
@click.option("--status", default="failed", show_default=True,
              help="received, processing, processed, ignored, failed or all")
@click.option("--limit", default=50, show_default=True)
def events_list_cmd(status: str, limit: int) -> None:
    """Operator view of the event log (failures first by default)."""
    from sqlalchemy import select

    from skod.extensions import db
    from skod.webhooks.models import StripeEvent

    stmt = select(StripeEvent).order_by(StripeEvent.id.desc()).limit(limit)
    if status != "all":
        stmt = stmt.where(StripeEvent.status == status)
    for ev in db.session.scalars(stmt):
        click.echo(f"{ev.id}\t{ev.stripe_event_id}\t{ev.account or 'platform'}\t{ev.type}\t"
                   f"{ev.status}\t"
                   f"attempts={ev.attempts}\t{ev.last_error or ''}")


@events_cli.command("replay")
@click.argument("event_id", type=int)
def events_replay_cmd(event_id: int) -> None:
    """Process a stored event again (handlers are order-safe: replaying changes only what is
    behind Stripe's truth)."""
    from skod.webhooks.processing import EventFailed, UnknownEvent, process

    try:
        click.echo(process(event_id, utcnow(), replay=True))
    except UnknownEvent as err:
        raise click.ClickException(f"{err} (see `flask skod events list --status all`)") from err
    except EventFailed as err:
        raise click.ClickException(f"failed again: {err}") from err


# the late-payment rate table and the penalty calculator (cli_rates.py)
skod_cli.add_command(rates_cli)
skod_cli.add_command(bank_cli)
skod_cli.add_command(penalties_cmd)
