"""Refunds from the provider's pages: a call's (dashboard), an answer's (inbox), a deposit's
and a milestone's (project page). One form and one route for all of them, through the refund
service (payments.refunds): the amount is checked in money ("at most 32,50 € can be
refunded", never cents), the reason is asked for (the client reads it in the credit note's
e-mail), money moves only after the confirmation, and the provider goes back to the page the
payment belongs to.
"""

from __future__ import annotations

from flask import abort, flash, redirect, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from skod.core.clock import utcnow
from skod.core.errors import DomainError
from skod.core.money import parse_minor
from skod.extensions import db
from skod.payments import refunds
from skod.payments.models import Payment
from skod.web import confirm, confirm_labels, display
from skod.web.blueprint import bp, current_locale
from skod.web.forms import RefundForm


def refundable(payment: Payment) -> int:
    """What can still be refunded of a payment (0 unless it was captured)."""
    if payment.status not in ("captured", "refunded"):
        return 0
    return refunds.refundable(payment)


def refund_rows(payments: list[Payment], locale: str) -> list[tuple[int, str]]:
    """(payment id, what is left to refund in money) of each payment a page may refund."""
    return [(p.id, display.money(left, p.currency, locale))
            for p in payments if (left := refundable(p)) > 0]


def back_to(payment: Payment) -> str:
    """The page the payment belongs to: the answer, the project, else the calls."""
    if payment.message_id is not None:
        return url_for("messages_pages.inbox_message", message_id=payment.message_id)
    if payment.project_id is not None:
        return url_for("projects_pages.project_page", project_id=payment.project_id)
    return url_for("web.dashboard")


#: the session's copy of a refused refund form, shown once on the page it goes back to
KEPT = "refund_kept"


def problem(form: RefundForm, payment: Payment) -> tuple[str | None, str, int]:
    """(what is wrong in the page's words, or None; the field it is about; the amount)."""
    left = refundable(payment)
    amount = parse_minor(form.amount.data, payment.currency) if form.amount.data else left
    if amount is None:
        return _("A positive amount, like 90 or 1.50."), "amount", 0
    if left <= 0:
        return _("Nothing is left to refund on this payment."), "amount", 0
    if amount > left:
        return _("At most %(amount)s can be refunded.",
                 amount=display.money(left, payment.currency, current_locale())), "amount", 0
    if not (form.reason.data or "").strip():
        return _("Please give the reason for the refund: the client reads it."), "reason", 0
    return None, "", amount


def _keep(payment_id: int, form: RefundForm, field: str, message: str) -> None:
    """The page comes back by a redirect: what was typed and the message of its field wait
    in the session for the form to show them once (nothing typed is lost)."""
    session[KEPT] = {"payment_id": payment_id, "amount": (form.amount.data or "")[:40],
                     "reason": (form.reason.data or "")[:500], "field": field,
                     "message": message}


@bp.app_template_global()
def refund_kept(payment_id: int) -> dict | None:
    """The refused form of this payment, once (templates/web/_refund.html)."""
    kept = session.get(KEPT)
    if not kept or kept.get("payment_id") != payment_id:
        return None
    session.pop(KEPT, None)
    return kept


@bp.post("/dashboard/payments/<int:payment_id>/refund")
@login_required
def refund_payment(payment_id: int) -> ResponseReturnValue:
    """Refund all or part of a captured payment (a goodwill gesture, a call cut short...)."""
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.provider_id != current_user.id:
        abort(404)
    form = RefundForm()
    if not form.validate_on_submit():
        abort(400)
    back = back_to(payment)
    wrong, field, amount = problem(form, payment)
    # nothing to confirm when something is wrong: the plain post then says what, once
    asked = confirm.before(lambda: None if wrong else confirm_labels.refund(
        payment, amount, current_locale(), back))
    if asked is not None:
        return asked
    if wrong:
        flash(wrong, "error")
        _keep(payment_id, form, field, wrong)
        return redirect(back)
    try:
        refunds.refund(payment_id, current_user.id, amount, form.reason.data.strip(), utcnow())
    except DomainError as err:
        db.session.rollback()
        # another refund got there first: what is left now, in money, never the service's
        # own English words in cents
        again, field, _amount = problem(form, db.session.get(Payment, payment_id))
        flash(again or display.error_text(err), "error")
        if again:
            _keep(payment_id, form, field, again)
    else:
        flash(_("The refund is on its way to the client."), "success")
    return redirect(back)
