"""The provider's pages about money owed: the receivables list (/dashboard/receivables), the
case page with its timeline (/dashboard/receivables/<id>) and the actions on a case, each
behind a confirmation page (GET shows what will happen, POST does it).

The other provider pages about money owed register on the same blueprint
(receivables/blueprint.py); the app imports each of them for its routes.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from skod.core.clock import utcnow
from skod.core.errors import DomainError, Invalid, NotFound
from skod.core.money import parse_minor
from skod.dunning.bank_statements import view as bank_view
from skod.dunning.bank_statements.forms import ImportForm
from skod.dunning.board import summary as board
from skod.dunning.board.listing import table_view
from skod.dunning.board.view import board_view
from skod.dunning.debts import actions
from skod.dunning.owed import pages as calculator_pages
from skod.dunning.owed import penalty_choices
from skod.dunning.pay_page import plans
from skod.dunning.receivables import queries
from skod.dunning.receivables.blueprint import bp, error_words
from skod.dunning.receivables.forms import (
    ConfirmForm,
    MarkPaidForm,
    PauseForm,
    WriteOffForm,
)
from skod.dunning.receivables.view import case_view
from skod.dunning.transfers import services as transfers
from skod.extensions import db
from skod.invoicing.ledger import local_day
from skod.web.blueprint import current_locale

#: action -> (its form, what the provider is told once done)
ACTIONS = {
    "pause": (PauseForm, _l("The case is paused: no reminder and no card retry until it "
                            "resumes.")),
    "resume": (ConfirmForm, _l("The case resumes: the next reminder follows the ladder.")),
    "remind": (ConfirmForm, _l("The next reminder is sent.")),
    "mark-paid": (MarkPaidForm, _l("The transfer is recorded.")),
    "write-off": (WriteOffForm, _l("The debt is written off: no more reminders.")),
    "refund-credit": (ConfirmForm, _l("The client's credit is sent back to their bank: Stripe "
                                      "asks them for their account details if it needs them.")),
    "plan-accept": (ConfirmForm, _l("The payment plan is accepted: the instalments will be "
                                    "charged on their dates.")),
    "plan-refuse": (ConfirmForm, _l("The payment plan is refused: the reminders go on.")),
    "waive-penalties": (ConfirmForm, _l("The late-payment penalties are waived.")),
    "claim-penalties": (ConfirmForm, _l("The late-payment penalties are claimed on this debt "
                                        "from the next reminder that states them.")),
    "penalties-notice": (ConfirmForm, _l("A formal notice for the penalties will go with the "
                                         "next step.")),
}


def _owned(receivable_id: int):  # noqa: ANN202
    try:
        return queries.owned(receivable_id, current_user.id)
    except NotFound:
        abort(404)


@bp.get("/dashboard/receivables")
@login_required
def receivable_list() -> ResponseReturnValue:
    return list_page()


def list_page(import_form: ImportForm | None = None) -> str:
    """The board, its table of debts (skod/dunning/board/listing.py: filter, sort, search,
    page), the bank statement form (`import_form`: one sent back with its errors) and the
    bank lines waiting for the provider's review."""
    now, tz, locale = utcnow(), current_user.timezone, current_locale()
    view = board_view(board.summary(current_user.id, now), locale)
    provisional = calculator_pages.provisional_warning(current_user.id, local_day(now, tz))
    return render_template("dunning/provider_list.html", board=view,
                           debts=table_view(current_user.id, request.args, now, tz, locale),
                           provisional=provisional,
                           import_form=import_form or ImportForm(formdata=None),
                           proposals=bank_view.proposals_view(current_user.id, locale))


@bp.get("/dashboard/receivables/<int:receivable_id>")
@login_required
def receivable_case(receivable_id: int) -> ResponseReturnValue:
    receivable = _owned(receivable_id)
    view = case_view(receivable, utcnow(), current_user.timezone, current_locale())
    return render_template("dunning/provider_case.html", **view)


@bp.route("/dashboard/receivables/<int:receivable_id>/<action>", methods=["GET", "POST"])
@login_required
def receivable_action(receivable_id: int, action: str) -> ResponseReturnValue:
    """GET: what the action will do, with its form; POST: do it."""
    if action not in ACTIONS:
        abort(404)
    receivable = _owned(receivable_id)
    form_class, done = ACTIONS[action]
    form = form_class()
    if request.method == "POST" and form.validate_on_submit():
        try:
            _run(action, receivable, form)
        except Invalid as err:
            db.session.rollback()
            _field_errors(form, err)
        except DomainError as err:
            db.session.rollback()
            flash(error_words(err), "error")
            return redirect(url_for("dunning_pages.receivable_case",
                                    receivable_id=receivable_id))
        else:
            flash(str(done), "success")
            return redirect(url_for("dunning_pages.receivable_case",
                                    receivable_id=receivable_id))
    view = case_view(receivable, utcnow(), current_user.timezone, current_locale())
    page = render_template("dunning/provider_confirm.html", action=action, form=form,
                           gap_days=current_app.config["DUNNING_MIN_GAP"].days, **view)
    return page, 422 if form.errors else 200


def _run(action: str, receivable, form) -> None:  # noqa: ANN001
    now, pid, rid = utcnow(), current_user.id, receivable.id
    if action == "pause":
        actions.pause(rid, pid, now, form.until.data, form.note.data or None)
    elif action == "resume":
        actions.resume(rid, pid, now)
    elif action == "remind":
        actions.remind(rid, pid, now)
    elif action == "write-off":
        actions.write_off(rid, pid, now, form.note.data or None)
    elif action == "mark-paid":
        amount = None
        if form.amount.data:
            amount = parse_minor(form.amount.data, receivable.currency)
            if amount is None:
                raise Invalid("not an amount", fields={"amount": ["not an amount"]})
        actions.mark_paid(rid, pid, now, amount)
    elif action == "refund-credit":
        transfers.refund_credit(rid, pid, now)
    elif action == "waive-penalties":
        penalty_choices.waive(rid, pid, now)
    elif action == "claim-penalties":
        penalty_choices.choose(rid, pid, True, now)
    elif action == "penalties-notice":
        penalty_choices.ask_notice(rid, pid, now)
    else:
        _decide_plan(rid, action.removeprefix("plan-"), now)


def _decide_plan(receivable_id: int, decision: str, now) -> None:  # noqa: ANN001
    """Accept or refuse the plan the client asked for (skod/dunning/pay_page/plans.py owns the
    rule)."""
    plan = queries.latest_plan(receivable_id)
    if plan is None or plan.status != "proposed":
        raise DomainError("no plan waiting", code="no_plan")
    service = plans.accept if decision == "accept" else plans.refuse
    service(plan.id, current_user.id, now)


#: a service's field -> the form's field that shows its error
FIELD_OF = {"amount_minor": "amount", "amount": "amount", "until": "until"}
FIELD_WORDS = {
    "amount": _l("A positive amount, at most the balance, like 90 or 1.50."),
    "until": _l("A day from tomorrow to one year from today."),
}


def _field_errors(form, err: Invalid) -> None:  # noqa: ANN001
    for name in err.fields or {"_": []}:
        target = getattr(form, FIELD_OF.get(name, ""), None)
        if target is None:
            form.form_errors.append(error_words(err))
        else:
            target.errors = [*target.errors, str(FIELD_WORDS[FIELD_OF[name]])]

