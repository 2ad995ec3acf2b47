"""`flask skod ...`: tick (run every periodic job once, as of a given instant), seed-demo,
reconcile, invoices, events, the late-payment rate table (`rates list|set`) and the penalty
calculator (`penalties`)."""

from __future__ import annotations

import json
from decimal import Decimal

import click
from flask.cli import AppGroup

from skod.core.clock import parse_iso, utcnow
from skod.core.money import CURRENCY_EXPONENTS, decimal_of, parse_minor
from skod.dunning.penalties import (
    B2B_MARGIN_BP,
    CLIENT_KINDS,
    CONTRACT_FLOOR_FACTOR,
    Breakdown,
    PenaltyError,
    bp_of_percent,
)

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


class Percent(click.ParamType):
    """A yearly rate typed in percent with at most 2 decimals ("2.15") -> basis points (215)."""

    name = "percent"

    def convert(self, value, param, ctx):  # noqa: ANN001, ANN201  (click's signature)
        if isinstance(value, int):
            return value
        try:
            return bp_of_percent(value)
        except PenaltyError as err:
            self.fail(err.message, param, ctx)


PERCENT = Percent()
DAY = click.DateTime(["%Y-%m-%d"])


def _pct(bp: int | None) -> str:
    return "-" if bp is None else f"{Decimal(bp).scaleb(-2)} %"  # 215 -> "2.15 %"


rates_cli = AppGroup("rates", help="Late-payment rates, one row per half-year.")
skod_cli.add_command(rates_cli)


@rates_cli.command("list")
def rates_list_cmd() -> None:
    """Every half-year: ECB, B2B default (ECB + 10), legal rates, floor of an agreed rate."""
    from skod.dunning.rates import table

    click.echo("half\tECB\tB2B\tlegal private\tlegal other\tfloor (3 x other)\tverified")
    for row in table().rows:
        other = row.legal_other_bp
        floor = None if other is None else CONTRACT_FLOOR_FACTOR * other
        cells = (row.ecb_bp, row.ecb_bp + B2B_MARGIN_BP, row.legal_private_bp, other, floor)
        click.echo("\t".join([f"{row.year} H{row.half}", *map(_pct, cells),
                              "yes" if row.verified else "no"]))


@rates_cli.command("set")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option("--half", type=click.IntRange(1, 2), required=True,
              help="1: January-June, 2: July-December")
@click.option("--ecb", type=PERCENT, required=True,
              help="ECB main refinancing rate in force on day 1, in percent (2.15)")
@click.option("--legal-private", type=PERCENT, required=True,
              help="legal rate, creditor = private individual, in percent")
@click.option("--legal-other", type=PERCENT, required=True,
              help="legal rate, all other creditors, in percent")
@click.option("--unverified", is_flag=True, help="not confirmed from a primary source yet")
def rates_set_cmd(year: int, half: int, ecb: int, legal_private: int, legal_other: int,
                  unverified: bool) -> None:
    """Create or replace the rates of one half-year."""
    from skod.dunning.rates import set_rate

    try:
        set_rate(year, half, ecb, legal_private, legal_other, not unverified, utcnow())
    except PenaltyError as err:
        raise click.ClickException(err.message) from err
    click.echo(f"{year} H{half}: ECB {_pct(ecb)}, legal private {_pct(legal_private)}, "
               f"legal other {_pct(legal_other)}, {'unverified' if unverified else 'verified'}")


#: compute() argument -> the option that gave it
_OPTIONS = {"amount_minor": "--amount", "until": "--paid", "client_kind": "--client",
            "contractual_rate_bp": "--contract-rate", "invoices": "--invoices",
            "currency": "--currency"}
_BASES = {"ecb_plus_10": "ECB + 10 points", "ecb_plus_8": "ECB + 8 points",
          "contract": "agreed rate", "legal_other": "legal rate"}
_FLAGS = {"unverified_rate": "a rate used is marked unverified in the rate table",
          "extrapolated_rate": "no rate for a half-year: the last known one was used",
          "indemnity_eur_only": "the 40 EUR indemnity is not added to a debt in another currency"}


@skod_cli.command("penalties")
@click.option("--amount", required=True, help="unpaid amount incl. VAT, e.g. 1200.00")
@click.option("--currency", default="EUR", show_default=True,
              type=click.Choice(sorted(CURRENCY_EXPONENTS), case_sensitive=False))
@click.option("--due", type=DAY, required=True, help="due date printed on the invoice")
@click.option("--paid", type=DAY, required=True, help="day the funds arrived (or today)")
@click.option("--client", "client_kind", type=click.Choice(CLIENT_KINDS), required=True)
@click.option("--contract-rate", type=PERCENT, default=None,
              help="agreed B2B rate in percent (at least 3 x the legal rate)")
@click.option("--notice", type=DAY, default=None, help="consumer: day of the mise en demeure")
@click.option("--invoices", type=click.IntRange(1, 1000), default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="the breakdown as JSON")
def penalties_cmd(amount: str, currency: str, due, paid, client_kind: str,  # noqa: ANN001
                  contract_rate: int | None, notice, invoices: int, as_json: bool) -> None:
    """Late-payment penalties of one debt: interest per half-year, indemnity, total."""
    from skod.dunning import penalties, rates

    currency = currency.upper()
    amount_minor = parse_minor(amount, currency)
    if amount_minor is None:
        raise click.BadParameter(f"{amount!r} is not a positive amount in {currency}",
                                 param_hint="'--amount'")
    try:
        breakdown = penalties.compute(
            amount_minor=amount_minor, currency=currency, due=due.date(), until=paid.date(),
            client_kind=client_kind, table=rates.table(), contractual_rate_bp=contract_rate,
            formal_notice_on=notice.date() if notice else None, invoices=invoices)
    except PenaltyError as err:
        if err.field in _OPTIONS:
            raise click.BadParameter(err.message, param_hint=f"'{_OPTIONS[err.field]}'") from err
        raise click.ClickException(err.message) from err
    if as_json:
        click.echo(json.dumps(breakdown.to_dict(), indent=2))
    else:
        click.echo("\n".join(_breakdown_lines(breakdown)))


def _breakdown_lines(b: Breakdown) -> list[str]:
    def money(minor: int) -> str:
        return f"{decimal_of(minor, b.currency):,} {b.currency}"

    lines = [f"Late-payment penalties, {b.client_kind} client ({b.basis})",
             f"Principal {money(b.principal_minor)}, due {b.due}, paid {b.until}: "
             f"{b.days_late} days late"]
    for s in b.segments:
        flags = f"  [{', '.join(s.flags)}]" if s.flags else ""
        lines.append(f"  {s.start} to {s.end}  {s.days:>5} days at {_pct(s.rate_bp):>8} "
                     f"({_BASES[s.basis]})  {money(s.amount_minor):>16}{flags}")
    if not b.segments:
        lines.append("  no interest" + (" (no mise en demeure yet)"
                                        if b.client_kind == "consumer" else ""))
    if b.indemnity_minor:
        indemnity = f"{money(b.indemnity_minor)} ({b.invoices} x 40 EUR, no VAT)"
    else:
        indemnity = "none" + (" (never charged to a consumer)"
                              if b.client_kind == "consumer" else "")
    lines += [f"Interest: {money(b.interest_minor)}", f"Indemnity: {indemnity}",
              f"Total: {money(b.total_minor)}"]
    return lines + [f"Warning: {_FLAGS[flag]}" for flag in b.flags]
