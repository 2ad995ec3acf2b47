"""Reading invoices: the provider's list with filters, one invoice for whoever may see it, and
its PDF (rendered from the document by the rendering module)."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import Select, select

from skod.accounts.auth import access
from skod.core.errors import NotFound
from skod.core.signing import read_token
from skod.extensions import db
from skod.invoicing.models import Invoice

log = logging.getLogger(__name__)

#: which client link opens an invoice: the signed token of its booking, message or project
#: (the purposes of make_token in calls, messages and projects)
CLIENT_LINKS = (("booking_id", "booking"), ("message_id", "message"), ("project_id", "project"))


def listing(provider_id: int, paid: bool | None = None, since: date | None = None,
            until: date | None = None) -> Select:
    stmt = select(Invoice).where(Invoice.provider_id == provider_id)
    if paid is not None:
        stmt = stmt.where(Invoice.paid.is_(paid))
    if since is not None:
        stmt = stmt.where(Invoice.issue_date >= since)
    if until is not None:
        stmt = stmt.where(Invoice.issue_date <= until)
    return stmt.order_by(Invoice.issue_date.desc(), Invoice.series.desc(),
                         Invoice.sequence.desc())


def visible(invoice_id: int) -> tuple[Invoice, str]:
    """The invoice and the caller's role; a stranger (or another client's token) gets 404."""
    invoice = db.session.get(Invoice, invoice_id)
    if invoice is None:
        raise NotFound("invoice not found")
    for column, purpose in CLIENT_LINKS:
        object_id = getattr(invoice, column)
        if object_id is not None:
            return invoice, access(purpose, object_id, invoice.provider_id)
    return invoice, access("invoice", invoice.id, invoice.provider_id)


def for_client(purpose: str, object_id: int) -> list[Invoice]:
    """Invoices and credit notes of one booking / message / project (client pages)."""
    column = {p: c for c, p in CLIENT_LINKS}[purpose]
    return list(db.session.scalars(select(Invoice).where(getattr(Invoice, column) == object_id)
                                   .order_by(Invoice.id)))


def pdf_bytes(invoice: Invoice, instructions: bool = True) -> bytes:
    """The invoice's PDF (Factur-X when it can be made, else the plain PDF). Unpaid, it
    prints how to pay it by transfer, when its debt offers one (instructions.py); False: the
    invoice alone, as issued (a file handed over as evidence)."""
    from skod.invoicing import document, facturx
    from skod.invoicing import instructions as transfer
    from skod.invoicing.pdf import render_pdf

    doc = document.build(invoice)
    doc["transfer"] = transfer.for_invoice(invoice) if instructions else None
    pdf = render_pdf(doc, pdf_variant=facturx.PDF_VARIANT)  # rendered once, with or without XML
    try:
        return facturx.embed(pdf, doc)
    except Exception:  # noqa: BLE001 - the PDF without its XML is still a valid invoice
        log.exception("invoice %s: Factur-X failed, the PDF is served without its XML",
                      invoice.id)
        return pdf


def filename(invoice: Invoice) -> str:
    prefix = "credit-note" if invoice.kind == "credit_note" else "invoice"
    return f"{prefix}-{invoice.number}.pdf"


def invoice_pdfs(invoice_ids: list[int], instructions: bool = True) -> list[tuple[str, bytes]]:
    """[(filename, PDF bytes)] of these invoices, for an e-mail; one that cannot be rendered is
    left out and logged (the e-mail goes anyway). `instructions`: as pdf_bytes."""
    files = []
    for invoice_id in invoice_ids:
        invoice = db.session.get(Invoice, invoice_id)
        if invoice is None:
            continue
        try:
            files.append((filename(invoice), pdf_bytes(invoice, instructions)))
        except Exception:  # noqa: BLE001 - a PDF problem must not stop the e-mail
            log.exception("invoice %s could not be rendered for an e-mail", invoice_id)
    return files


def token_opens(invoice: Invoice, token: str) -> bool:
    """True when `token` is the client link of the invoice's booking, message or project."""
    for column, purpose in CLIENT_LINKS:
        object_id = getattr(invoice, column)
        if object_id is not None and read_token(purpose, token) == object_id:
            return True
    return False


def balances(invoices: list[Invoice]) -> dict[int, int]:
    """invoice id -> what the client still owes on it: all of it while unpaid; once paid, what
    lost disputes took back (a chargeback the bank decided for the client is owed again). One
    query for the whole list; each payment with a lost dispute is then matched to its invoice."""
    from skod.invoicing.issuing import invoice_of_payment
    from skod.payments.disputes import lost_by_payment
    from skod.payments.models import Payment

    owed = {i.id: i.ttc_minor if i.kind == "invoice" and not i.paid else 0 for i in invoices}
    paid = {i.id: i for i in invoices if i.kind == "invoice" and i.paid}
    if not paid:
        return owed
    for payment_id, lost in lost_by_payment({i.provider_id for i in paid.values()}).items():
        invoice = invoice_of_payment(db.session.get(Payment, payment_id))
        if invoice is not None and invoice.id in paid:
            owed[invoice.id] = min(owed[invoice.id] + lost, invoice.ttc_minor)
    return owed


def with_balances(invoices: list[Invoice]) -> list[dict]:
    owed = balances(invoices)
    return [dict(i.as_dict(), balance_minor=owed[i.id]) for i in invoices]
