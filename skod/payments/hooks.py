"""How a domain hears that one of its payments changed outside its own request (a webhook, a
reconciliation), and how it repairs what reconciliation finds. Each domain registers itself
(calls, messages, projects; invoicing listens to refunds): payments never imports the domains.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from skod.payments.models import Payment

#: link column of Payment -> function(payment, now) called after the payment changed
_ON_CHANGE: dict[str, Callable[[Payment, datetime], None]] = {}
#: functions(refund_id, now) called after a refund succeeded (ours or made at Stripe)
_ON_REFUND: list[Callable[[int, datetime], None]] = []
#: functions(now) -> int that repair a domain's forgotten holds; run by reconciliation
_REPAIRS: list[Callable[[datetime], int]] = []


def on_change(link: str, fn: Callable[[Payment, datetime], None]) -> None:
    _ON_CHANGE[link] = fn


def on_reconcile(fn: Callable[[datetime], int]) -> None:
    if fn not in _REPAIRS:
        _REPAIRS.append(fn)


def on_refund(fn: Callable[[int, datetime], None]) -> None:
    if fn not in _ON_REFUND:
        _ON_REFUND.append(fn)


def refunded(refund_id: int, now: datetime) -> None:
    for fn in _ON_REFUND:
        fn(refund_id, now)


def changed(payment: Payment, now: datetime) -> None:
    for link, fn in _ON_CHANGE.items():
        if getattr(payment, link, None) is not None:
            fn(payment, now)


def repairs() -> list[Callable[[datetime], int]]:
    return list(_REPAIRS)
