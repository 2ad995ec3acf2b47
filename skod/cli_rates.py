"""`flask skod rates list|set` (the late-payment rate table, one sourced row per half-year) and
`flask skod penalties` (the penalty calculator, with the debt's payments). Registered on the
`skod` group by cli.py."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import click
from flask.cli import AppGroup, with_appcontext

from skod.core.clock import local_date, utcnow
from skod.core.money import CURRENCY_EXPONENTS, decimal_of, parse_minor
from skod.dunning.rules.penalties import (
    B2B_MARGIN_BP,
    CLIENT_KINDS,
    CONTRACT_FLOOR_FACTOR,
    Breakdown,
    PenaltyError,
    bp_of_percent,
)

#: the operator's calendar: a half-year starts on 1 January / 1 July in France
OPERATOR_TZ = "Europe/Paris"


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


def _today() -> date:
    return local_date(utcnow(), OPERATOR_TZ)


@rates_cli.command("list")
@click.option("--on", "on", type=DAY, default=None,
              help="the day whose half-year must have a verified row (default: today, Paris)")
def rates_list_cmd(on) -> None:  # noqa: ANN001 - click's datetime
    """Every half-year: ECB, B2B default (ECB + 10), legal rates, floor of an agreed rate,
    verified, source; a warning when today's half-year has no verified row."""
    from skod.dunning.owed.rates import current_gap, stored

    click.echo("half\tECB\tB2B\tlegal private\tlegal other\tfloor (3 x other)\tverified\t"
               "source")
    for row in stored():
        other = row.legal_other_bp
        floor = None if other is None else CONTRACT_FLOOR_FACTOR * other
        cells = (row.ecb_bp, row.ecb_bp + B2B_MARGIN_BP, row.legal_private_bp, other, floor)
        click.echo("\t".join([f"{row.year} H{row.half}", *map(_pct, cells),
                              "yes" if row.verified else "no", row.source or "-"]))
    gap = current_gap(on.date() if on else _today())
    if gap:
        click.echo(f"Warning: {gap}")


@rates_cli.command("set")
@click.argument("half_year", metavar="YYYY-H1|YYYY-H2")
@click.option("--ecb", type=PERCENT, required=True,
              help="ECB main refinancing rate in force on day 1, in percent (2.15)")
@click.option("--legal-private", type=PERCENT, required=True,
              help="legal rate, creditor = private individual, in percent")
@click.option("--legal-other", type=PERCENT, required=True,
              help="legal rate, all other creditors, in percent")
@click.option("--source", default=None, help="ECB decision, arrêté and its JO date")
@click.option("--verified", is_flag=True,
              help="checked against the primary source (else the row is unverified and its "
                   "rates are printed as provisional)")
def rates_set_cmd(half_year: str, ecb: int, legal_private: int, legal_other: int,
                  source: str | None, verified: bool) -> None:
    """Create or replace the rates of one half-year, e.g. 2027-H1."""
    from skod.dunning.owed.rates import parse_half, set_rate

    try:
        year, half = parse_half(half_year)
    except PenaltyError as err:
        raise click.BadParameter(err.message, param_hint="'YYYY-H1|YYYY-H2'") from err
    try:
        set_rate(year, half, ecb, legal_private, legal_other, verified, utcnow(), source)
    except PenaltyError as err:
        if err.field == "year":
            raise click.BadParameter(err.message, param_hint="'YYYY-H1|YYYY-H2'") from err
        if err.field == "source":
            raise click.BadParameter(err.message, param_hint="'--source'") from err
        raise click.ClickException(err.message) from err
    click.echo(f"{year} H{half}: ECB {_pct(ecb)}, legal private {_pct(legal_private)}, "
               f"legal other {_pct(legal_other)}, {'verified' if verified else 'unverified'}")


#: compute() argument -> the option that gave it
_OPTIONS = {"amount_minor": "--amount", "until": "--paid", "client_kind": "--client",
            "contractual_rate_bp": "--contract-rate", "invoices": "--invoices",
            "currency": "--currency", "payments": "--payment"}
_BASES = {"ecb_plus_10": "ECB + 10 points", "ecb_plus_8": "ECB + 8 points",
          "contract": "agreed rate", "legal_other": "legal rate"}
_FLAGS = {"unverified_rate": "a rate used is marked unverified in the rate table (provisional)",
          "extrapolated_rate": "no rate for a half-year: the last known one was used "
                               "(provisional)",
          "indemnity_eur_only": "the 40 EUR indemnity is not added to a debt in another currency"}


def _payments(texts: tuple[str, ...], currency: str) -> list[tuple[date, int]]:
    """"2025-02-09:1200.00" -> (date(2025, 2, 9), 120000)."""
    out = []
    for text in texts:
        day, _sep, amount = text.partition(":")
        try:
            on = date.fromisoformat(day.strip())
        except ValueError:
            on = None
        minor = parse_minor(amount.strip(), currency)
        if on is None or minor is None:
            raise click.BadParameter(f"{text!r} is not YYYY-MM-DD:AMOUNT such as "
                                     f"2025-02-09:1200.00", param_hint="'--payment'")
        out.append((on, minor))
    return out


@click.command("penalties")
@with_appcontext
@click.option("--amount", required=True, help="amount due on the due date incl. VAT, 1200.00")
@click.option("--currency", default="EUR", show_default=True,
              type=click.Choice(sorted(CURRENCY_EXPONENTS), case_sensitive=False))
@click.option("--due", type=DAY, required=True, help="due date printed on the invoice")
@click.option("--paid", type=DAY, required=True, help="day the funds arrived (or today)")
@click.option("--client", "client_kind", type=click.Choice(CLIENT_KINDS), required=True)
@click.option("--contract-rate", type=PERCENT, default=None,
              help="agreed B2B rate in percent (at least 3 x the legal rate)")
@click.option("--notice", type=DAY, default=None, help="consumer: day of the mise en demeure")
@click.option("--invoices", type=click.IntRange(1, 1000), default=1, show_default=True)
@click.option("--payment", "payments", multiple=True, metavar="YYYY-MM-DD:AMOUNT",
              help="a part paid (day the funds arrived, amount), repeatable")
@click.option("--json", "as_json", is_flag=True, help="the breakdown as JSON")
def penalties_cmd(amount: str, currency: str, due, paid, client_kind: str,  # noqa: ANN001
                  contract_rate: int | None, notice, invoices: int,  # noqa: ANN001
                  payments: tuple[str, ...], as_json: bool) -> None:
    """Late-payment penalties of one debt: interest per segment, indemnity, total."""
    from skod.dunning.owed import rates
    from skod.dunning.rules import penalties

    currency = currency.upper()
    amount_minor = parse_minor(amount, currency)
    if amount_minor is None:
        raise click.BadParameter(f"{amount!r} is not a positive amount in {currency}",
                                 param_hint="'--amount'")
    try:
        breakdown = penalties.compute(
            amount_minor=amount_minor, currency=currency, due=due.date(), until=paid.date(),
            client_kind=client_kind, table=rates.table(), contractual_rate_bp=contract_rate,
            mise_en_demeure_on=notice.date() if notice else None, invoices=invoices,
            payments=_payments(payments, currency))
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
    lines += [f"  paid {on}: {money(amount)}" for on, amount in b.payments]
    for s in b.segments:
        flags = f"  [{', '.join(s.flags)}]" if s.flags else ""
        lines.append(f"  {s.start} to {s.end}  {s.days:>5} days on "
                     f"{money(s.principal_minor):>16} at {_pct(s.rate_bp):>8} "
                     f"({_BASES[s.basis]})  {money(s.amount_minor):>16}{flags}")
    if not b.segments:
        lines.append("  no interest" + (" (no mise en demeure yet)"
                                        if b.client_kind == "consumer" else ""))
    if b.indemnity_minor:
        indemnity = f"{money(b.indemnity_minor)} ({b.invoices} x 40 EUR, no VAT)"
    else:
        indemnity = "none" + (" (never charged to a consumer)"
                              if b.client_kind == "consumer" else "")
    lines += [f"Interest: {money(b.interest_minor)}", f"Indemnity: {indemnity}"]
    if b.paid_minor:
        lines.append(f"Paid: {money(b.paid_minor)}")
    lines.append(f"Total: {money(b.total_minor)}" + (" still owed" if b.paid_minor else ""))
    return lines + [f"Warning: {_FLAGS[flag]}" for flag in b.flags]
