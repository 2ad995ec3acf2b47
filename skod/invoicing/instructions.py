"""How to pay an unpaid invoice by bank transfer, printed beside it (issue 22, point 2).

The issued invoice stays the document it was at issue: its number, lines, totals, terms and
legal mentions come from the frozen snapshot and never change. What this adds is a payment
instruction, printed in a box of its own under the invoice while the invoice is unpaid and its
debt has a transfer waiting for the money: the client's virtual IBAN and the debt's reference.
A paid invoice (or one the provider hands over as evidence) is rendered without it.

Invoicing imports no dunning: the dunning package registers its reader at app creation
(`provide`), as it registers its listeners on the ledger.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from skod.invoicing.models import INVOICE, Invoice

log = logging.getLogger(__name__)

#: invoice id -> {"iban", "bic", "holder", "reference"} of its open transfer, or None
Reader = Callable[[int], "dict | None"]
_READERS: list[Reader] = []


def provide(reader: Reader) -> None:
    """Register a reader of an invoice's transfer instructions (once per function)."""
    if reader not in _READERS:
        _READERS.append(reader)


def for_invoice(invoice: Invoice) -> dict | None:
    """The transfer instructions to print with `invoice`: None for a paid invoice or a credit
    note, or when no reader knows any. A reader that fails is logged: the invoice is still
    rendered, with its payment terms alone."""
    if invoice.kind != INVOICE or invoice.paid:
        return None
    for reader in _READERS:
        try:
            found = reader(invoice.id)
        except Exception:  # noqa: BLE001 - never a reason to refuse the invoice itself
            log.exception("invoice %s: its transfer instructions could not be read",
                          invoice.id)
            continue
        if found:
            return found
    return None
