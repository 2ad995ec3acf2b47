"""The provider's pages of a mise en demeure (on the dunning pages' blueprint): its PDF, the
approval of a draft, and the "send by registered mail" task's form (tracking number and
posting date). Thin: mise_en_demeure.py owns the rules and the transactions."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import InputRequired, Length

from skod.core.clock import utcnow
from skod.core.errors import DomainError, Invalid, NotFound
from skod.core.forms import Form
from skod.dunning.debts.document_models import MiseEnDemeure
from skod.dunning.mise_en_demeure import services as mise_en_demeure
from skod.dunning.mise_en_demeure.documents import filename
from skod.dunning.receivables.blueprint import bp, error_words
from skod.dunning.receivables.forms import DATE_FORMATS, ConfirmForm
from skod.extensions import db

FIELD_WORDS = {
    "tracking_number": _l("The tracking number printed on the registered-mail receipt: 8 to "
                          "40 letters, digits, spaces or dashes."),
    "posted_on": _l("A day from the letter's date to today."),
}
CONFLICT_WORDS = {
    "notice_not_draft": _l("This mise en demeure is not waiting for your approval."),
    "notice_moot": _l("Every debt of this mise en demeure is closed or paused: it was not "
                      "sent."),
    "notice_no_task": _l("There is no letter to post for this mise en demeure."),
}


class PostingForm(Form):
    tracking_number = StringField(_l("Tracking number"),
                                  validators=[InputRequired(), Length(max=64)])
    posted_on = DateField(_l("Posted on"), format=DATE_FORMATS, validators=[InputRequired()])


def _notice(notice_id: int) -> MiseEnDemeure:
    try:
        return mise_en_demeure.owned(notice_id, current_user.id)
    except NotFound:
        abort(404)


def _back(notice: MiseEnDemeure) -> ResponseReturnValue:
    rows = mise_en_demeure.rows_of(notice.id)
    if not rows:
        return redirect(url_for("dunning_pages.receivable_list"))
    return redirect(url_for("dunning_pages.receivable_case", receivable_id=rows[0].id))


@bp.get("/dashboard/formal-notices/<int:notice_id>.pdf")
@login_required
def notice_pdf(notice_id: int) -> ResponseReturnValue:
    notice = _notice(notice_id)
    if notice.pdf is None:
        abort(404)
    return Response(notice.pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{filename(notice)}"'})


@bp.route("/dashboard/formal-notices/<int:notice_id>/<action>", methods=["GET", "POST"])
@login_required
def notice_action(notice_id: int, action: str) -> ResponseReturnValue:
    """approve (a draft goes now) or posting (the registered letter's receipt)."""
    if action not in ("approve", "posting"):
        abort(404)
    notice = _notice(notice_id)
    form = PostingForm() if action == "posting" else ConfirmForm()
    if form.validate_on_submit():
        try:
            _run(action, notice_id, form)
        except Invalid as err:
            db.session.rollback()
            for name in err.fields or {}:
                field = getattr(form, name, None)
                if field is not None:
                    field.errors = [*field.errors, str(FIELD_WORDS[name])]
        except DomainError as err:
            db.session.rollback()
            flash(str(CONFLICT_WORDS.get(err.code) or error_words(err)), "error")
            return _back(notice)
        else:
            flash(_("The mise en demeure was sent to the client.") if action == "approve"
                  else _("The posting is recorded."), "success")
            return _back(notice)
    page = render_template("dunning/mise_en_demeure_form.html", action=action, form=form,
                           notice=notice)
    return page, 422 if form.errors else 200


def _run(action: str, notice_id: int, form: FlaskForm) -> None:
    if action == "approve":
        mise_en_demeure.approve(notice_id, current_user.id, utcnow())
    else:
        mise_en_demeure.record_posting(notice_id, current_user.id, form.tracking_number.data,
                                     form.posted_on.data, utcnow())
