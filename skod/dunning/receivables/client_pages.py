"""The provider's file on one client (/dashboard/clients/<id>): the client's payments to this
provider, the incidents (failed payments, disputes at the bank), the debts and the reminders
sent. A client row is one provider's (one row per provider and e-mail address): another
provider's row is "not found", whatever its e-mail."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from skod.accounts.clients import owned
from skod.core.clock import utcnow
from skod.dunning.debts.models import DunningStep, Receivable
from skod.dunning.receivables import client_details, labels, queries
from skod.dunning.receivables.blueprint import bp
from skod.dunning.receivables.forms import ClientDetailsForm
from skod.dunning.receivables.view import list_row
from skod.extensions import db
from skod.payments.disputes import Dispute, reason_words, status_words
from skod.payments.models import Payment
from skod.web import display
from skod.web.blueprint import current_locale

SAVED = _l("The client's details are saved.")
#: the latest rows of each section (a file is for reading, not an export)
LIMIT = 100
PURPOSE_WORDS = {
    **display.PURPOSE_WORDS, "answer": _l("Paid question"), "deposit": _l("Project deposit"),
    "milestone": _l("Milestone"), "recovery": _l("Debt payment"),
}
STATE_WORDS = {
    "created": _l("being set up"), "requires_action": _l("waiting for the client's "
                                                        "confirmation"),
    "held": _l("held on the card"), "capture_pending": _l("being charged"),
    "captured": _l("paid"), "released": _l("released, nothing charged"),
    "failed": _l("failed"), "refunded": _l("refunded"),
    "waived": _l("not charged: below the minimum card payment"),
}


def _payment(payment: Payment, tz: str, locale: str) -> dict:
    amount = payment.amount_captured_minor or payment.amount_requested_minor
    return {"id": payment.id, "when": display.when(payment.created_at, tz, locale),
            "what": str(PURPOSE_WORDS.get(payment.purpose, _l("Payment"))),
            "amount": display.money(amount, payment.currency, locale),
            "state": str(STATE_WORDS.get(payment.status, payment.status)),
            "failed": payment.status == "failed",
            "why": labels.failure(payment.last_error_code, payment.last_error_kind)
            if payment.status == "failed" else None}


def _dispute(dispute: Dispute, tz: str, locale: str) -> dict:
    return {"when": display.when(dispute.created_at, tz, locale),
            "amount": display.money(dispute.amount_minor, dispute.currency, locale),
            "why": reason_words(dispute.reason), "state": status_words(dispute.status)}


@bp.route("/dashboard/clients/<int:client_id>", methods=["GET", "POST"])
@login_required
def client_file(client_id: int) -> ResponseReturnValue:
    pid, now, tz, locale = current_user.id, utcnow(), current_user.timezone, current_locale()
    client = owned(pid, client_id)
    if client is None:
        abort(404)
    form = ClientDetailsForm(obj=client)
    if form.validate_on_submit():
        client_details.update(pid, client.id, form.to_data(), now)
        flash(str(SAVED), "success")
        return redirect(url_for("dunning_pages.client_file", client_id=client.id))
    mine = (Payment.provider_id == pid, Payment.client_id == client.id)
    payments = db.session.scalars(select(Payment).where(*mine)
                                  .order_by(Payment.created_at.desc()).limit(LIMIT)).all()
    disputes = db.session.scalars(select(Dispute).join(Payment, Payment.id == Dispute.payment_id)
                                  .where(*mine).order_by(Dispute.created_at.desc())
                                  .limit(LIMIT)).all()
    debts = db.session.scalars(queries.listing(pid, client_id=client_id).limit(LIMIT)).all()
    reminders = db.session.execute(
        select(DunningStep, Receivable).join(Receivable, Receivable.id ==
                                             DunningStep.receivable_id)
        .where(Receivable.provider_id == pid, Receivable.client_id == client.id,
               DunningStep.status == "sent")
        .order_by(DunningStep.sent_at.desc()).limit(LIMIT)).all()
    page = render_template(
        "dunning/provider_client.html", client=client, form=form,
        payments=[_payment(p, tz, locale) for p in payments],
        incidents=[_payment(p, tz, locale) for p in payments if p.status == "failed"],
        disputes=[_dispute(d, tz, locale) for d in disputes],
        debts=[list_row(r, now, tz, locale) for r in debts],
        reminders=[{"name": labels.step(step.step), "receivable_id": r.id,
                    "invoice": r.invoice.number if r.invoice else None,
                    "when": display.when(step.sent_at, tz, locale)} for step, r in reminders])
    return page, 422 if form.errors else 200
