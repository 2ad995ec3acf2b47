"""The dunning jobs of every tick: promises whose date passed resume, unpaid invoices past
their due date get a receivable (the net under the domains' own openings), the instalments of
accepted payment plans due now are charged, lost excesses refunded, the operator warned (once a
day) when today's half-year has no verified rate, then the sweep (which then sees the cases a
failed instalment resumed)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select

from skod.core.isolation import isolated
from skod.dunning.debts import cases, opening, overpay, sweep
from skod.dunning.debts.models import Receivable
from skod.dunning.owed import rates_watch
from skod.dunning.pay_page import plan_charges
from skod.extensions import db
from skod.invoicing.models import INVOICE, Invoice
from skod.payments.models import Payment

#: invoices looked at per tick by the net; the next tick takes the rest
BATCH = 500


def open_overdue(now: datetime) -> int:
    """Every invoice still unpaid the day after its due date is chased."""
    yesterday = (now - timedelta(days=1)).date()
    ids = db.session.scalars(
        select(Invoice.id).where(
            Invoice.kind == INVOICE, Invoice.paid.is_(False), Invoice.due_date <= yesterday,
            ~exists().where(Receivable.source == Invoice.source))
        .order_by(Invoice.id).limit(BATCH)).all()
    opened = 0
    for invoice_id in ids:
        with isolated("open_overdue", invoice_id):
            invoice = db.session.get(Invoice, invoice_id)
            payment = db.session.get(Payment, invoice.payment_id) if invoice.payment_id else None
            if opening.open_for_invoice(invoice, now, payment) is not None:
                opened += 1
            db.session.commit()
    return opened


def run_all(now: datetime) -> dict[str, int]:
    report = {"dunning_resumed": -1, "dunning_opened": -1, "dunning_instalments": -1,
              "dunning_excess_refunds": -1, "dunning_rates_warning": -1}
    for name, job in (("dunning_resumed", cases.resume_due), ("dunning_opened", open_overdue),
                      ("dunning_instalments", plan_charges.charge_due),
                      ("dunning_excess_refunds", overpay.refund_lost_excess),
                      ("dunning_rates_warning", rates_watch.check)):
        with isolated(name, "(the whole job)"):  # -1 when it raised (logged)
            report[name] = job(now)
    report.update(sweep.sweep(now))
    return report
