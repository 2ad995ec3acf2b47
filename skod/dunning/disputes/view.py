"""What the provider's case page and the client's pay page show of a debt's latest client
dispute: what the client wrote, the provider's answer, the decision and what it changed."""

from __future__ import annotations

from flask_babel import gettext as _

from skod.dunning.debts.models import CLOSED, Receivable
from skod.dunning.disputes import labels, store
from skod.extensions import db
from skod.invoicing.models import Invoice
from skod.web import display


def dispute_view(receivable: Receivable, tz: str, locale: str) -> dict | None:
    """The latest dispute (None: the client never disputed this debt)."""
    dispute = store.latest(receivable.id)
    if dispute is None:
        return None
    note = db.session.get(Invoice, dispute.credit_note_id) if dispute.credit_note_id else None
    undecided = dispute.outcome is None and receivable.status not in CLOSED
    return {
        "id": dispute.id, "reason": dispute.reason,
        "opened": display.when(dispute.opened_at, tz, locale),
        "answer": dispute.answer,
        "answered": display.when(dispute.answered_at, tz, locale)
        if dispute.answered_at else None,
        "outcome": dispute.outcome, "outcome_words": labels.outcome(dispute.outcome),
        "rejection": dispute.rejection,
        "credited": display.money(dispute.credited_minor, receivable.currency, locale)
        if dispute.credited_minor else None,
        "credit_note": note.number if note else None,
        "credit_note_id": note.id if note else None,
        "can_answer": undecided and dispute.answer is None, "can_decide": undecided,
    }


def client_view(receivable: Receivable, locale: str) -> dict | None:
    """The pay page's words on the client's latest dispute: the provider's answer or decision
    (None while nothing came back: the pause line says the provider looks at it)."""
    dispute = store.latest(receivable.id)
    if dispute is None:
        return None
    who = receivable.provider.company_name or receivable.provider.name
    note = db.session.get(Invoice, dispute.credit_note_id) if dispute.credit_note_id else None
    number = note.number if note else "-"
    amount = display.money(dispute.credited_minor or 0, receivable.currency, locale)
    if dispute.outcome == "partial":
        return {"outcome": "partial", "quote": None, "text": _(
            "%(provider)s accepted part of your dispute: the amount owed is lowered by "
            "%(amount)s (credit note %(number)s).", provider=who, amount=amount, number=number)}
    if dispute.outcome == "accepted":
        return {"outcome": "accepted", "quote": None, "text": _(
            "%(provider)s accepted your dispute: nothing more is owed for it (credit note "
            "%(number)s).", provider=who, number=number)}
    if dispute.outcome == "rejected":
        return {"outcome": "rejected", "quote": dispute.rejection, "text": _(
            "%(provider)s did not accept your dispute. Their reason:", provider=who)}
    if dispute.answer:
        return {"outcome": "answered", "quote": dispute.answer, "text": _(
            "%(provider)s answered your dispute:", provider=who)}
    return None
