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
#: link column -> function(payment) -> [(label, text)]: what the domain holds as evidence of
#: the service delivered (call times, the reply, the milestone's delivery note)
_EVIDENCE: dict[str, Callable[[Payment], list[tuple[str, str]]]] = {}
#: functions(dispute_id, change, now) called when a dispute is first seen ("opened") and
#: when it is closed ("closed")
_ON_DISPUTE: list[Callable[[int, str, datetime], None]] = []


def on_change(link: str, fn: Callable[[Payment, datetime], None]) -> None:
    _ON_CHANGE[link] = fn


def on_reconcile(fn: Callable[[datetime], int]) -> None:
    if fn not in _REPAIRS:
        _REPAIRS.append(fn)


def on_refund(fn: Callable[[int, datetime], None]) -> None:
    if fn not in _ON_REFUND:
        _ON_REFUND.append(fn)


def on_evidence(link: str, fn: Callable[[Payment], list[tuple[str, str]]]) -> None:
    _EVIDENCE[link] = fn


def evidence(payment: Payment) -> list[tuple[str, str]]:
    for link, fn in _EVIDENCE.items():
        if getattr(payment, link, None) is not None:
            return fn(payment)
    return []


def on_dispute(fn: Callable[[int, str, datetime], None]) -> None:
    if fn not in _ON_DISPUTE:
        _ON_DISPUTE.append(fn)


def disputed(dispute_id: int, change: str, now: datetime) -> None:
    for fn in _ON_DISPUTE:
        fn(dispute_id, change, now)


def refunded(refund_id: int, now: datetime) -> None:
    for fn in _ON_REFUND:
        fn(refund_id, now)


def changed(payment: Payment, now: datetime) -> None:
    for link, fn in _ON_CHANGE.items():
        if getattr(payment, link, None) is not None:
            fn(payment, now)


def repairs() -> list[Callable[[datetime], int]]:
    return list(_REPAIRS)
