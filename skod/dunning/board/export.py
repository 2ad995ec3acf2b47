"""The board's CSV: the checked rows, or every row of the filtered table, as the table shows
them (client, invoice, amounts, days late, stage, next action, last contact).

Written for a spreadsheet opened by double click: UTF-8 with a byte order mark (Excel reads
the accents), and in French the separator ";" with decimal commas ("1800,00"), as French
Excel expects; in English "," and decimal points. Dates are ISO days (a spreadsheet reads
them as dates in any language). A cell that would start a formula is written as text
(skod.core.text.csv_cell).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from skod.core.money import decimal_of
from skod.core.text import csv_cell
from skod.dunning.debts.models import Receivable
from skod.dunning.receivables import labels, queries
from skod.extensions import db
from skod.invoicing.ledger import local_day

#: the UTF-8 byte order mark: Excel reads the file as UTF-8 only with it
BOM = "\ufeff"
HEADER = (_l("Client"), _l("E-mail"), _l("Invoice"), _l("Currency"), _l("Amount"),
          _l("Balance"), _l("Days late"), _l("Stage"), _l("State"), _l("Next action"),
          _l("Next action on"), _l("Last contact"))
#: receivables read per query
CHUNK = 500


def _amount(minor: int, currency: str, comma: bool) -> str:
    text = str(decimal_of(minor, currency))
    return text.replace(".", ",") if comma else text


def _next(receivable: Receivable) -> tuple[str, str]:
    action = queries.next_action(receivable)
    if action is None:
        return "", ""
    words = (_l("Card retry no. %(n)s", n=action["attempt"]) if action["kind"] == "retry"
             else labels.step(action["step"]))
    return str(words), local_day(action["at"], receivable.provider.timezone).isoformat()


def row(receivable: Receivable, today, comma: bool) -> list[str]:  # noqa: ANN001
    client, tz = receivable.client, receivable.provider.timezone
    currency = receivable.currency
    return [client.company_name or client.name, client.email,
            receivable.invoice.number if receivable.invoice else "", currency,
            _amount(receivable.principal_minor, currency, comma),
            _amount(receivable.balance_minor, currency, comma),
            str(queries.age_days(receivable, today)), labels.step(receivable.last_step),
            labels.status(receivable.status), *_next(receivable),
            local_day(receivable.last_step_at, tz).isoformat()
            if receivable.last_step_at else ""]


def _rows(ids: Iterable[int], today, comma: bool) -> Iterator[list[str]]:  # noqa: ANN001
    ids = iter(ids)
    while chunk := list(islice(ids, CHUNK)):
        found = {r.id: r for r in db.session.scalars(
            select(Receivable).where(Receivable.id.in_(chunk)).options(
                selectinload(Receivable.client), selectinload(Receivable.invoice),
                selectinload(Receivable.provider)))}
        for receivable_id in chunk:
            yield row(found[receivable_id], today, comma)


def csv_text(ids: Iterable[int], now: datetime, tz: str, locale: str) -> str:
    """The CSV of `ids` (the caller checked they are the provider's), in the given order."""
    comma = locale.startswith("fr")
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=";" if comma else ",")
    writer.writerow([str(h) for h in HEADER])
    for line in _rows(ids, local_day(now, tz), comma):
        writer.writerow([csv_cell(cell) for cell in line])
    return out.getvalue()
