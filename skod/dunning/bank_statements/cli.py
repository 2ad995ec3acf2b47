"""`flask skod bank import FILE --provider ID|E-MAIL`: a statement imported for a provider
from the command line, with the same matching and the same once-only rule as the page; it
prints what was settled, reduced, proposed for review and left alone."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from skod.accounts.models import Provider
from skod.core.clock import utcnow
from skod.core.money import decimal_of
from skod.dunning.bank_statements import importing, reading
from skod.dunning.bank_statements.csv_lines import CsvMapping
from skod.dunning.bank_statements.lines import StatementError
from skod.dunning.bank_statements.view import report_counts
from skod.extensions import db

bank_cli = AppGroup("bank", help="The providers' own bank statements.")


def _provider(value: str) -> Provider:
    if value.isdigit():
        found = db.session.get(Provider, int(value))
    else:
        found = db.session.scalar(select(Provider).where(
            func.lower(Provider.email) == value.strip().lower()))
    if found is None:
        raise click.BadParameter(f"no provider {value!r}", param_hint="--provider")
    return found


@bank_cli.command("import")
@click.argument("path", type=click.File("rb"))
@click.option("--provider", "provider", required=True, help="the provider's id or e-mail")
@click.option("--format", "kind", type=click.Choice(reading.KINDS), default="auto",
              show_default=True)
@click.option("--date-column", default="date", show_default=True,
              help="CSV: header or 1-based number of the date column")
@click.option("--amount-column", default="amount", show_default=True)
@click.option("--reference-column", default="reference", show_default=True)
@click.option("--label-column", default=None)
@click.option("--payer-column", default=None)
@click.option("--currency", default="EUR", show_default=True, help="CSV: the account's currency")
def bank_import_cmd(path, provider: str, kind: str, date_column: str,  # noqa: ANN001
                    amount_column: str, reference_column: str, label_column: str | None,
                    payer_column: str | None, currency: str) -> None:
    """Import a bank statement (CAMT.053 XML or CSV) for a provider."""
    who = _provider(provider)
    mapping = CsvMapping(date=date_column, amount=amount_column,
                         reference=reference_column or None, label=label_column,
                         payer=payer_column, currency=currency.upper())
    try:
        source, lines = reading.read(path.read(reading.MAX_BYTES + 1), kind, mapping)
    except StatementError as err:
        raise click.ClickException(f"{path.name}: {err}") from err
    report = importing.import_statement(who.id, lines, source, utcnow())
    for line in report.lines:
        amount = decimal_of(line.amount_minor, line.currency)
        target = f" -> receivable {line.receivable_id}" if line.receivable_id else ""
        click.echo(f"{line.status:<9} {line.booked_on} {amount} {line.currency} "
                   f"{line.reference or line.label}{target}")
    counts = report_counts(report)
    click.echo("settled {settled}, reduced {reduced}, proposed {proposed}, left alone "
               "{unrelated}, already imported {already}".format(**counts))
