"""Invoicing's side of payments: a refund (ours, or made in the Stripe dashboard) gets its
credit note, sent to the client. Registered in skod.payments.hooks by `register()`."""

from __future__ import annotations

from datetime import datetime

from skod.invoicing import issuing, notify
from skod.payments import hooks


def refund_made(refund_id: int, now: datetime) -> None:
    note = issuing.credit_for_refund(refund_id, now)
    if note is not None:
        notify.credit_note_issued(note)


def register() -> None:
    hooks.on_refund(refund_made)
