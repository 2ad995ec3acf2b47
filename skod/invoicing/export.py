"""CSV of a period's invoices and credit notes for the accountant (credit notes negative)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import islice
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from skod.core.money import decimal_of
from skod.core.text import csv_cell
from skod.extensions import db
from skod.invoicing.ledger import local_day
from skod.invoicing.models import CREDIT_NOTE, Invoice

HEADER = ["provider_id", "number", "kind", "issue_date", "due_date", "client", "client_siren",
          "currency", "ht", "vat", "ttc", "vat_rate", "vat_exemption", "paid", "paid_on",
          "credited_number"]


def invoices_between(since: date, until: date, provider_id: int | None = None) -> list[int]:
    stmt = select(Invoice.id).where(Invoice.issue_date >= since, Invoice.issue_date <= until)
    if provider_id is not None:
        stmt = stmt.where(Invoice.provider_id == provider_id)
    return list(db.session.scalars(stmt.order_by(Invoice.provider_id, Invoice.series,
                                                 Invoice.sequence)))


def _amount(minor: int, sign: int, currency: str) -> str:
    """Minor units as a plain decimal ("-12.50"), in the currency's own number of digits."""
    return str(decimal_of(sign * minor, currency))


def row(invoice: Invoice) -> list[str]:
    sign = -1 if invoice.kind == CREDIT_NOTE else 1
    buyer = invoice.snapshot["buyer"]
    return [str(invoice.provider_id), invoice.number, invoice.kind,
            invoice.issue_date.isoformat(), invoice.due_date.isoformat(),
            buyer.get("company_name") or buyer["name"], buyer.get("siren") or "",
            invoice.currency, *(_amount(v, sign, invoice.currency) for v in (
                invoice.ht_minor, invoice.vat_minor, invoice.ttc_minor)),
            "" if invoice.vat_rate_bp is None else f"{invoice.vat_rate_bp / 100:.2f}",
            invoice.vat_exempt_mention or "", "yes" if invoice.paid else "no",
            local_day(invoice.paid_at, invoice.provider.timezone).isoformat()
            if invoice.paid_at else "",
            invoice.credited.number if invoice.credited else ""]


#: invoices read per query (with the invoice they credit and their provider)
CHUNK = 500


def rows(ids: Iterable[int]) -> Iterator[list[str]]:
    """One CSV row per id, in the order given; read CHUNK invoices per query, not one each."""
    ids = iter(ids)
    while chunk := list(islice(ids, CHUNK)):
        found = {i.id: i for i in db.session.scalars(
            select(Invoice).where(Invoice.id.in_(chunk))
            .options(selectinload(Invoice.credited), selectinload(Invoice.provider)))}
        for invoice_id in chunk:
            yield row(found[invoice_id])


def write_csv(out: TextIO, ids: Iterable[int]) -> int:
    """The page's `/invoices.csv` and `skod invoices export`: every cell that a spreadsheet
    would read as a formula (a client named "=HYPERLINK(...)") is written as text."""
    writer = csv.writer(out)
    writer.writerow(HEADER)
    count = 0
    for line in rows(ids):
        writer.writerow([csv_cell(cell) for cell in line])
        count += 1
    return count
