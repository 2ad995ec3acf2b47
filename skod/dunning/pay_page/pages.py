"""The client's pay page of a debt, behind its signed link (/pay/<id>/<token>): what is owed and
why, pay by card (static/js/pay.js and the API in dunning/pay_api.py), bank details for a
transfer, the invoice PDF, and the client's three answers: "I dispute this", "I will pay on
<date>", "I need a payment plan" (with a card step when no saved card can carry instalments).

In the client's language unless the visitor picked one (?lang=). Views stay thin: each form
calls one service; a refused input comes back as a form message (422 / 409), never a 500.
"""

from __future__ import annotations

from io import BytesIO

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from skod.core.clock import utcnow
from skod.core.errors import DomainError
from skod.dunning.debts import cases, links
from skod.dunning.debts.models import Receivable
from skod.dunning.pay_page import plans
from skod.dunning.pay_page import view as pay_view
from skod.dunning.pay_page.forms import DisputeForm, PlanForm, PromiseForm
from skod.dunning.rules import plan_split as plan_rules
from skod.dunning.transfers import services as transfers
from skod.extensions import db
from skod.invoicing import queries

bp = Blueprint("pay_pages", __name__)

#: a refused action, in the client's words (by the service's error code)
ERROR_WORDS = {
    "receivable_closed": _l("This amount is no longer owed."),
    "paused_plan": _l("A payment plan is under way: it must end first."),
    "paused_stripe_dispute": _l("A dispute with your bank is open: this must wait for it."),
    "plan_exists": _l("A payment plan is already under way."),
    "instalment_too_small": _l("The instalments would be too small: choose fewer of them."),
}


def _debt(receivable_id: int, token: str) -> Receivable:
    """The receivable the link opens; 410 for its expired link, 404 for a forged or other
    debt's token."""
    if not links.opens(receivable_id, token):
        abort(410 if links.expired(receivable_id, token) else 404)
    receivable = db.session.get(Receivable, receivable_id)
    if receivable is None:
        abort(404)
    return receivable


def _locale(receivable: Receivable) -> str:
    """The visitor's pick (?lang=, kept in the session), else the client's language."""
    wanted = request.args.get("lang") or session.get("lang")
    if wanted in ("fr", "en"):
        session["lang"] = wanted
        return wanted
    return receivable.client.locale if receivable.client.locale in ("fr", "en") else "fr"


def _here(receivable: Receivable, token: str) -> ResponseReturnValue:
    return redirect(url_for("pay_pages.pay_page", receivable_id=receivable.id, token=token),
                    303)


def _render(receivable: Receivable, token: str, status: int = 200, refused: str | None = None,
            **forms: FlaskForm) -> ResponseReturnValue:
    """The page; `refused`: why the action just sent was not taken (its form may be gone)."""
    forms = {"dispute_form": DisputeForm(), "promise_form": PromiseForm(),
             "plan_form": PlanForm(), **forms}
    view = pay_view.page(receivable, token, utcnow())
    return render_template("dunning/pay.html", refused=refused, **view, **forms), status


def _refused(receivable: Receivable, token: str, err: DomainError, form: FlaskForm,
             field: str) -> ResponseReturnValue:
    """The service's refusal, on its field when it is about the input, else at the top of
    the page; nothing was changed."""
    db.session.rollback()
    if err.code not in ERROR_WORDS and err.fields:
        getattr(form, field).errors = [*getattr(form, field).errors, str(FIELD_WORDS[field])]
        return _render(receivable, token, err.status, **{_FORMS[field]: form})
    words = ERROR_WORDS.get(err.code) or _("This is not possible now.")
    return _render(receivable, token, err.status, refused=str(words),
                   **{_FORMS[field]: form})


_FORMS = {"day": "promise_form", "reason": "dispute_form", "instalments": "plan_form"}
FIELD_WORDS = {
    "day": _l("Choose a date between today and 30 days from now."),
    "reason": _l("Say why, in at most 2000 characters."),
    "instalments": _l("Choose between 2 and 6 instalments."),
}


@bp.get("/pay/<int:receivable_id>/<token>")
def pay_page(receivable_id: int, token: str) -> ResponseReturnValue:
    receivable = _debt(receivable_id, token)
    transfers.offer(receivable_id, utcnow())  # the client's virtual IBAN, once per debt
    with force_locale(_locale(receivable)):
        return _render(receivable, token)


@bp.get("/pay/<int:receivable_id>/<token>/invoice.pdf")
def invoice_pdf(receivable_id: int, token: str) -> ResponseReturnValue:
    invoice = _debt(receivable_id, token).invoice
    if invoice is None:
        abort(404)
    return send_file(BytesIO(queries.pdf_bytes(invoice)), mimetype="application/pdf",
                     as_attachment=True, download_name=queries.filename(invoice))


@bp.post("/pay/<int:receivable_id>/<token>/dispute")
def dispute(receivable_id: int, token: str) -> ResponseReturnValue:
    receivable = _debt(receivable_id, token)
    with force_locale(_locale(receivable)):
        form = DisputeForm()
        if not form.validate_on_submit():
            return _render(receivable, token, 422, dispute_form=form)
        try:
            cases.client_dispute(receivable_id, utcnow(), form.reason.data)
        except DomainError as err:
            return _refused(receivable, token, err, form, "reason")
        flash(_("Your dispute is sent to %(provider)s. Reminders are paused meanwhile.",
                provider=receivable.provider.name), "success")
    return _here(receivable, token)


@bp.post("/pay/<int:receivable_id>/<token>/promise")
def promise(receivable_id: int, token: str) -> ResponseReturnValue:
    receivable = _debt(receivable_id, token)
    with force_locale(_locale(receivable)):
        form = PromiseForm()
        if not form.validate_on_submit():
            return _render(receivable, token, 422, promise_form=form)
        try:
            cases.promise(receivable_id, utcnow(), form.day.data)
        except DomainError as err:
            return _refused(receivable, token, err, form, "day")
        flash(_("Thank you. %(provider)s is told of the date you gave.",
                provider=receivable.provider.name), "success")
    return _here(receivable, token)


@bp.post("/pay/<int:receivable_id>/<token>/plan")
def plan(receivable_id: int, token: str) -> ResponseReturnValue:
    receivable = _debt(receivable_id, token)
    with force_locale(_locale(receivable)):
        form = PlanForm()
        if not form.validate_on_submit():
            return _render(receivable, token, 422, plan_form=form)
        try:
            plans.propose(receivable_id, form.instalments.data, utcnow())
        except DomainError as err:
            if err.code == "card_needed":  # a card first, then the same request again
                db.session.rollback()
                return redirect(url_for("pay_pages.plan_card", receivable_id=receivable_id,
                                        token=token, instalments=form.instalments.data), 303)
            return _refused(receivable, token, err, form, "instalments")
        flash(_("Your request is sent to %(provider)s, who will answer by e-mail.",
                provider=receivable.provider.name), "success")
    return _here(receivable, token)


@bp.get("/pay/<int:receivable_id>/<token>/plan")
def plan_card(receivable_id: int, token: str) -> ResponseReturnValue:
    """The plan page: the schedule of the number of instalments chosen (?instalments=),
    then the request; a card or a SEPA mandate first when no saved one can carry them."""
    receivable = _debt(receivable_id, token)
    with force_locale(_locale(receivable)):
        now = utcnow()
        view = pay_view.page(receivable, token, now)
        if "plan" not in view["actions"]:  # closed, a plan under way, a bank dispute
            return _here(receivable, token)
        wanted = request.args.get("instalments", type=int)
        n = wanted if wanted in range(plan_rules.MIN_INSTALMENTS,
                                      plan_rules.MAX_INSTALMENTS + 1) else 3
        form = PlanForm(formdata=None, instalments=n)
        preview = pay_view.plan_preview(receivable, n, now)
        if preview is None:
            form.instalments.errors = [str(ERROR_WORDS["instalment_too_small"])]
        card_needed = not plans.card_ready(receivable, now)
        return render_template(
            "dunning/pay_plan.html", plan_form=form, preview=preview, card_needed=card_needed,
            card_failed=card_needed and bool(receivable.stripe_payment_method_id), **view)
