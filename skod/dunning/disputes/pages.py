"""The provider's dispute forms on the case page (/dashboard/receivables/<id>/dispute/<action>):
answer, accept a part, accept all, reject. A form error comes back on its field with the case
page (the other forms empty, nothing changed); a refusal (closed case, dispute answered
already, a double submit) is said at the top of the case page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from skod.core.clock import utcnow
from skod.core.errors import DomainError, Invalid, NotFound
from skod.core.money import parse_minor
from skod.dunning.disputes import forms, services
from skod.dunning.receivables import queries
from skod.dunning.receivables.blueprint import bp, error_words
from skod.dunning.receivables.view import case_view
from skod.extensions import db
from skod.web.blueprint import current_locale

DONE = {
    "answer": _l("Your answer is sent to the client and kept on the case."),
    "accept-part": _l("The amount owed is lowered and the credit note is sent to the client: "
                      "the reminders resume for the rest."),
    "accept-all": _l("The dispute is accepted: the credit note is sent to the client and the "
                     "debt is written off."),
    "reject": _l("Your reason is sent to the client: the reminders resume."),
}
#: a service's field -> what the form says under it
FIELD_WORDS = {
    "amount": _l("More than 0 and at most the balance, like 90 or 1.50."),
    "message": _l("Write your answer, in at most 2000 characters."),
    "reason": _l("Say why, in at most 2000 characters."),
}


@bp.post("/dashboard/receivables/<int:receivable_id>/dispute/<action>")
@login_required
def dispute_action(receivable_id: int, action: str) -> ResponseReturnValue:
    if action not in forms.FORMS:
        abort(404)
    try:
        receivable = queries.owned(receivable_id, current_user.id)
    except NotFound:
        abort(404)
    name, form_class = forms.FORMS[action]
    form = form_class()
    if form.validate_on_submit():
        try:
            _run(action, receivable, form)
        except Invalid as err:
            db.session.rollback()
            for field in err.fields or {}:
                target = getattr(form, field, None)
                if target is not None:
                    target.errors = [*target.errors, str(FIELD_WORDS[field])]
        except DomainError as err:
            db.session.rollback()
            flash(error_words(err), "error")
            return _back(receivable_id)
        else:
            flash(str(DONE[action]), "success")
            return _back(receivable_id)
    view = case_view(receivable, utcnow(), current_user.timezone, current_locale())
    view["dispute_forms"] = {**forms.blank(), name: form}
    return render_template("dunning/provider_case.html", **view), 422


def _back(receivable_id: int) -> ResponseReturnValue:
    return redirect(url_for("dunning_pages.receivable_case", receivable_id=receivable_id,
                            _anchor="dispute"), code=303)


def _run(action: str, receivable, form) -> None:  # noqa: ANN001 - a Receivable, a form
    now, pid, rid = utcnow(), current_user.id, receivable.id
    if action == "answer":
        services.answer(rid, pid, now, form.message.data)
    elif action == "reject":
        services.reject(rid, pid, now, form.reason.data)
    elif action == "accept-all":
        services.accept_all(rid, pid, now)
    else:
        amount = parse_minor(form.amount.data, receivable.currency)
        if amount is None:
            raise Invalid("not an amount", fields={"amount": ["not an amount"]})
        services.accept_part(rid, pid, now, amount)
