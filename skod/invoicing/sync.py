"""Invoicing's side of payments: a refund (ours, or made in the Stripe dashboard) gets its
credit note, sent to the client. Registered in skod.payments.hooks by `register()`."""

from __future__ import annotations

import logging
from datetime import datetime

from skod.extensions import db
from skod.invoicing import issuing, notify
from skod.payments import hooks
from skod.payments.refunds import Refund

log = logging.getLogger(__name__)


def refund_made(refund_id: int, now: datetime) -> None:
    """The refund stands whatever happens here: a credit note that fails now is issued by the
    tick's sweep (without its e-mail)."""
    try:
        note = issuing.credit_for_refund(refund_id, now)
    except Exception:  # noqa: BLE001
        db.session.rollback()
        log.exception("refund %s: credit note not issued now", refund_id)
        return
    if note is not None:
        notify.credit_note_issued(note, _reason(refund_id))


def _reason(refund_id: int) -> str | None:
    """The provider's reason, for the client's e-mail; none for a refund made in the Stripe
    dashboard (its row carries our placeholder, not the provider's words)."""
    row = db.session.get(Refund, refund_id)
    if row is None or row.idempotency_key.startswith("stripe:"):
        return None
    return (row.reason or "").strip() or None


def register() -> None:
    hooks.on_refund(refund_made)
