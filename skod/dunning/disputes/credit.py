"""The credit note of an accepted dispute: the part taken off the debt, referring to its
invoice, numbered in the provider's series. Its source is the dispute's, so it is issued at
most once whatever retries."""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _

from skod.core.errors import Conflict
from skod.dunning.debts.models import Receivable
from skod.dunning.disputes.models import ClientDispute
from skod.extensions import db
from skod.invoicing import ledger
from skod.invoicing.models import CREDIT_NOTE, Invoice


def source_of(dispute: ClientDispute) -> str:
    return f"client-dispute:{dispute.id}"


def check_invoice(receivable: Receivable) -> None:
    """A credit note refers to an invoice: none is issued yet, nothing can be credited."""
    if receivable.invoice is None:
        db.session.rollback()
        raise Conflict("the invoice of this debt is not issued yet", code="no_invoice")


def issue(receivable: Receivable, dispute: ClientDispute, now: datetime) -> Invoice:
    """Issue it in the caller's transaction (ledger.issue commits it with the decision; a
    failure rolls both back) and link it to the dispute (committed by the caller's next
    commit)."""
    invoice = receivable.invoice
    with force_locale(invoice.locale):
        text = _("Dispute accepted: credit on invoice %(number)s", number=invoice.number)
    spec = ledger.IssueSpec(
        provider_id=receivable.provider_id, client_id=invoice.client_id,
        source=source_of(dispute), lines=[(text, dispute.credited_minor)], now=now,
        currency=invoice.currency, kind=CREDIT_NOTE, paid_at=now, credited=invoice,
        links={"booking_id": invoice.booking_id, "message_id": invoice.message_id,
               "project_id": invoice.project_id, "milestone_id": invoice.milestone_id})
    try:
        note = ledger.issue(spec)
    except Exception:
        db.session.rollback()
        raise
    dispute = db.session.get(ClientDispute, dispute.id)
    dispute.credit_note_id = note.id
    return note
