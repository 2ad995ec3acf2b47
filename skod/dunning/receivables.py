"""Receivables: opened when delivered value goes unpaid, linked to their invoice, closed by any
payment, and scheduled on the ladder.

`open_for_payment` runs inside the domain's own transaction (the failure and the debt are one
fact) and never commits; everything else here is a service that owns its transaction. A
receivable is unique per source, so a webhook, a retried job and the sweep opening the same
debt at once end with one row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import TypeVar

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from skod.accounts.models import Client
from skod.dunning import ladder as rules
from skod.dunning.models import (
    CLIENT_KINDS,
    CLOSED,
    RECEIVABLE_STATES,
    DunningEvent,
    DunningSettings,
    DunningStep,
    Receivable,
)
from skod.extensions import db
from skod.invoicing import ledger
from skod.invoicing.models import Invoice
from skod.payments import cards, hooks
from skod.payments.models import Payment

log = logging.getLogger(__name__)
T = TypeVar("T")


def by_source(source: str) -> Receivable | None:
    return db.session.scalar(select(Receivable).where(Receivable.source == source))


def lock(receivable_id: int) -> Receivable | None:
    return db.session.get(Receivable, receivable_id, with_for_update=True,
                          populate_existing=True)


def record(receivable: Receivable, event: str, now: datetime, **data: object) -> None:
    """One line of the case's timeline (the caller commits)."""
    db.session.add(DunningEvent(receivable_id=receivable.id, at=now, kind=event, data=data))


def ladder_for(provider_id: int) -> rules.Ladder:
    """The provider's ladder; a stored override that no longer validates falls back to the
    default (and is logged) rather than stopping every reminder of that provider."""
    return remembered(("ladder", provider_id), lambda: _read_ladder(provider_id))


def _read_ladder(provider_id: int) -> rules.Ladder:
    gap = current_app.config["DUNNING_MIN_GAP"]
    row = db.session.get(DunningSettings, provider_id)
    try:
        return rules.settings_from(row.overrides if row else None, gap)
    except rules.SettingsError:
        log.exception("provider %s: ladder settings ignored", provider_id)
        return rules.Ladder(min_gap=gap)


#: what one sweep reads once (ladders, the rate table); None outside a sweep
_remembered: ContextVar[dict | None] = ContextVar("dunning_remembered", default=None)


@contextmanager
def remembering() -> Iterator[None]:
    """Within the block (one sweep), `remembered` reads each thing once: 10,000 steps of a
    few hundred providers read their ladders a few hundred times, not 20,000. A setting
    changed during a sweep applies from the next one."""
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def remembered(key: Hashable, read: Callable[[], T]) -> T:
    """`read()`, once per `key` inside `remembering()`; every time outside it."""
    memo = _remembered.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]


def state_of(receivable: Receivable) -> rules.CaseState:
    return rules.CaseState(
        status=receivable.status, opened_at=receivable.opened_at,
        due_date=receivable.due_date, timezone=receivable.client.timezone,
        last_step=receivable.last_step, last_step_at=receivable.last_step_at,
        paused_until=receivable.paused_until,
        held=receivable.last_step == 3 and held_for_approval(receivable.id))


def held_for_approval(receivable_id: int) -> bool:
    """Step 3 claimed and put in a mise en demeure still waiting for the provider's approval
    (formal_notice.py): the case waits, whoever schedules it (a retry, a resume)."""
    return db.session.scalar(select(DunningStep.id).where(
        DunningStep.receivable_id == receivable_id, DunningStep.step == 3,
        DunningStep.status == "claimed", DunningStep.notice_id.is_not(None))) is not None


def schedule(receivable: Receivable, now: datetime, ladder: rules.Ladder | None = None) -> None:
    """Set `next_action_at`: the next step's instant or the next retry, whichever comes first
    (None when nothing is planned: closed, paused without a date, or the ladder's end)."""
    if receivable.status != "open":
        receivable.next_action_at = None
        return
    ladder = ladder or ladder_for(receivable.provider_id)
    planned = next_planned(receivable, now, ladder)
    moments = [m for m in (planned[1] if planned else None, receivable.next_retry_at) if m]
    receivable.next_action_at = min(moments) if moments else None


def next_planned(receivable: Receivable, now: datetime,
                 ladder: rules.Ladder) -> tuple[int, datetime] | None:
    """The ladder's next step; none after the formal step for penalties alone (no recourse
    file for them unless the provider asked for a mise en demeure: penalties_alone.py)."""
    planned = rules.next_step(state_of(receivable), now, ladder)
    if planned and planned[0] > 3 and receivable.penalties_alone and (
            not receivable.penalties_notice):
        return None
    return planned


def client_kind(client: Client) -> str:
    return client.kind if client.kind in CLIENT_KINDS else "consumer"


def open_for_payment(payment: Payment, source: str, amount: int, now: datetime) -> (
        Receivable | None):
    """In the caller's transaction: the debt left by `payment`'s failure for good on delivered
    value `source` (the invoice's source). Idempotent on the source; no commit."""
    if amount <= 0:
        return None
    existing = by_source(source)
    if existing is not None:
        return existing
    client = db.session.get(Client, payment.client_id)
    receivable = Receivable(
        provider_id=payment.provider_id, client_id=payment.client_id, source=source,
        currency=payment.currency, principal_minor=amount, client_kind=client_kind(client),
        due_date=ledger.local_day(now, client.timezone), status="open", opened_at=now,
        payment_id=payment.id, failure_code=payment.last_error_code,
        failure_kind=payment.last_error_kind,
        stripe_payment_method_id=payment.stripe_payment_method_id,
        stripe_customer_id=cards.payment_customer(payment),
        evidence=[list(pair) for pair in hooks.evidence(payment)])
    return _insert(receivable, now)


def open_for_invoice(invoice: Invoice, now: datetime, payment: Payment | None = None) -> (
        Receivable | None):
    """The sweep's net: an invoice still unpaid after its due date gets its receivable."""
    if by_source(invoice.source) is not None:
        return None
    receivable = Receivable(
        provider_id=invoice.provider_id, client_id=invoice.client_id, source=invoice.source,
        invoice_id=invoice.id, currency=invoice.currency, principal_minor=invoice.ttc_minor,
        client_kind=client_kind(invoice.client), due_date=invoice.due_date, status="open",
        opened_at=now, payment_id=payment.id if payment else None,
        failure_code=payment.last_error_code if payment else None,
        failure_kind=payment.last_error_kind if payment else None,
        stripe_payment_method_id=payment.stripe_payment_method_id if payment else None,
        stripe_customer_id=cards.payment_customer(payment) if payment else None,
        evidence=[list(pair) for pair in hooks.evidence(payment)] if payment else [])
    return _insert(receivable, now)


def _insert(receivable: Receivable, now: datetime) -> Receivable:
    """Insert under a savepoint: a concurrent opener of the same source wins cleanly."""
    invoice = ledger.by_source(receivable.source)
    if invoice is not None and receivable.invoice_id is None:
        receivable.invoice_id, receivable.due_date = invoice.id, invoice.due_date
    try:
        with db.session.begin_nested():
            db.session.add(receivable)
            db.session.flush()
    except IntegrityError:
        return by_source(receivable.source)
    from skod.dunning import retries

    retries.plan_first(receivable)
    record(receivable, "opened", now, amount=receivable.principal_minor,
           code=receivable.failure_code, kind=receivable.failure_kind)
    schedule(receivable, now)
    return receivable


def link_invoice(invoice_id: int, now: datetime) -> None:
    """An invoice was issued: its receivable (if any) takes its id and its due date."""
    invoice = db.session.get(Invoice, invoice_id)
    receivable = by_source(invoice.source) if invoice else None
    if receivable is None or receivable.invoice_id is not None:
        return
    receivable = lock(receivable.id)
    receivable.invoice_id, receivable.due_date = invoice.id, invoice.due_date
    schedule(receivable, now)
    db.session.commit()


def settle(receivable_id: int, amount: int, now: datetime, via: str,
           payment_id: int | None = None) -> Receivable | None:
    """A payment of `amount` reached the provider (card, transfer, instalment): counted to the
    invoice's balance first (what a client paying an invoice means), then to the penalties the
    case claims (owed.py); the case closes in this transaction when nothing is left. The
    invoice is marked paid once its balance is 0, even when penalties remain."""
    from skod.dunning import overpay, penalties_alone

    receivable = lock(receivable_id)
    if receivable is None or (payment_id and overpay.counted_twice(receivable_id, payment_id)):
        db.session.commit()  # this payment is counted already (webhook and answer)
        return receivable
    # never above what is owed: a card payment racing a transfer, an instalment or a retry
    # brings an excess, recorded once here (under the lock) and refunded after the commit.
    # A written-off debt is still owed in law (writing off is the provider's bookkeeping, not
    # a remission): money landing on it later is recovered, counted, and closes it as paid.
    to_balance, to_penalties, left = penalties_alone.split(receivable, amount, now,
                                                           _asked(payment_id))
    excess = amount - to_balance - to_penalties if payment_id else 0
    if to_balance:
        receivable.paid_minor += to_balance
        # the principal's payment history (penalties.py reads it): never penalty money
        record(receivable, "payment", now, amount=to_balance, via=via, payment_id=payment_id,
               **({"after_write_off": True} if receivable.status == "written_off" else {}))
    if to_penalties:
        receivable.penalties_paid_minor += to_penalties
        record(receivable, "penalty_payment", now, amount=to_penalties, via=via,
               payment_id=payment_id)
    if excess:
        record(receivable, overpay.OVERPAID, now, amount=excess, via=via, payment_id=payment_id)
    counted = to_balance + to_penalties
    closed = counted > 0 and receivable.balance_minor == 0 and left == 0
    if closed:
        close(receivable, "paid", now, via=via)
    db.session.commit()
    if closed:
        after_paid(receivable.id, now, via)
    elif to_balance and receivable.balance_minor == 0:  # the invoice is paid, penalties not
        penalties_alone.invoice_settled(receivable.id, now, via)
    if counted:  # the amount owed changed: an open page intent must not charge the old one
        overpay.withdraw_page_intents(receivable_id, now, keep=payment_id)
    if excess:
        overpay.refund_excess(receivable_id, payment_id, excess, now)
    return db.session.get(Receivable, receivable_id)


def _asked(payment_id: int | None) -> int | None:
    """What the pay page asked for this payment (None: not a payment made on the page)."""
    payment = db.session.get(Payment, payment_id) if payment_id else None
    on_page = payment is not None and not payment.off_session and payment.receivable_id
    return payment.amount_requested_minor if on_page else None


def on_timeline(receivable_id: int, payment_id: int, kind: str) -> bool:
    """Whether this payment's outcome is already on the case's timeline (the caller holds
    the receivable's lock, so a webhook and the synchronous answer count it once)."""
    rows = db.session.scalars(select(DunningEvent).where(
        DunningEvent.receivable_id == receivable_id, DunningEvent.kind == kind))
    return any((e.data or {}).get("payment_id") == payment_id for e in rows)


def close(receivable: Receivable, status: str, now: datetime, **data: object) -> None:
    RECEIVABLE_STATES.move(receivable, status)
    receivable.closed_at, receivable.next_action_at = now, None
    receivable.next_retry_at = receivable.paused_until = receivable.pause_reason = None
    record(receivable, status, now, **data)
    # both use this module: imported when used (a mise en demeure's draft cancelled and its
    # mail task closed; the recourse file closed with its last debt)
    from skod.dunning import formal_notice, recourse

    formal_notice.on_closed(receivable)
    recourse.debt_closed(receivable)


def after_paid(receivable_id: int, now: datetime, via: str) -> None:
    """Once the case is closed as paid: the invoice says so, the service is released (a held
    reply, a milestone), the provider is told. Each part commits on its own."""
    from skod.dunning import notify, recovery

    receivable = db.session.get(Receivable, receivable_id)
    if receivable.invoice_id is not None and not receivable.source.startswith("dispute:"):
        ledger.mark_paid(receivable.invoice_id, now, method=via)
    recovery.recovered(receivable, now)
    notify.provider_paid(receivable)


def invoice_paid(invoice_id: int, now: datetime) -> None:
    """The invoice was paid by another path (the service's own pay link, reconciliation):
    its case closes, and a step already claimed will not be sent."""
    rows = db.session.scalars(select(Receivable.id).where(
        Receivable.invoice_id == invoice_id, Receivable.status.not_in(CLOSED),
        ~Receivable.source.startswith("dispute:"))).all()
    for receivable_id in rows:
        receivable = lock(receivable_id)
        if receivable.status in CLOSED or receivable.balance_minor == 0:
            db.session.commit()  # closed, or settle() left it open for its penalties alone
            continue
        from skod.dunning import penalties_alone

        if penalties_alone.keep_open_for_penalties(receivable, now):
            db.session.commit()
            penalties_alone.invoice_settled(receivable_id, now, "invoice", mark=False)
        else:
            receivable.paid_minor = receivable.principal_minor
            close(receivable, "paid", now, via="invoice")
            db.session.commit()
        from skod.dunning import overpay

        overpay.withdraw_page_intents(receivable_id, now)
