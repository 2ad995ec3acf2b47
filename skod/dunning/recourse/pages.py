"""The provider's recourse file pages (on the dunning pages' blueprint): the insolvency check
form (POST, from the case page's recourse section) and the ZIP download. Another provider's
file answers 404."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from skod.core.clock import utcnow
from skod.core.errors import DomainError, Invalid, NotFound
from skod.dunning.receivables.blueprint import bp, error_words
from skod.dunning.receivables.forms import InsolvencyForm
from skod.dunning.receivables.view import case_view
from skod.dunning.recourse import archive as recourse_archive
from skod.dunning.recourse import facts as recourse_facts
from skod.dunning.recourse import services as recourse
from skod.dunning.recourse import view as recourse_view
from skod.extensions import db
from skod.web.blueprint import current_locale

DONE = {"solvent": _l("Recorded: the client is not in insolvency proceedings."),
        "insolvent": _l("Recorded: the client is in insolvency proceedings. Its reminders "
                        "are stopped.")}
ROUTE_DONE = _l("Recorded: the file follows the route you chose, with your reason.")
CHECKED_ON_WORDS = _l("The day you checked the BODACC: within the last 30 days, not in the "
                      "future.")


def _file(file_id: int):  # noqa: ANN202
    try:
        return recourse.owned(file_id, current_user.id)
    except NotFound:
        abort(404)


def _case_of(file):  # noqa: ANN001, ANN202 - the file's first debt: whose page shows it
    rows = recourse_facts.receivables_of(file)
    if not rows:
        abort(404)
    return rows[0]


@bp.post("/dashboard/recourse-files/<int:file_id>/insolvency")
@login_required
def recourse_insolvency(file_id: int) -> ResponseReturnValue:
    file = _file(file_id)
    first = _case_of(file)
    form = InsolvencyForm()
    if form.validate_on_submit():
        try:
            recourse.confirm_insolvency(file.id, current_user.id, utcnow(),
                                        form.answer.data == "insolvent", form.checked_on.data)
        except Invalid:
            db.session.rollback()
            form.checked_on.errors = [*form.checked_on.errors, str(CHECKED_ON_WORDS)]
        except DomainError as err:
            db.session.rollback()
            flash(error_words(err), "error")
            return redirect(url_for("dunning_pages.receivable_case",
                                    receivable_id=first.id, _anchor="recourse"))
        else:
            flash(str(DONE[form.answer.data]), "success")
            return redirect(url_for("dunning_pages.receivable_case",
                                    receivable_id=first.id, _anchor="recourse"))
    view = case_view(first, utcnow(), current_user.timezone, current_locale())
    return render_template("dunning/provider_case.html", insolvency_form=form, **view), 422


@bp.post("/dashboard/recourse-files/<int:file_id>/route")
@login_required
def recourse_route(file_id: int) -> ResponseReturnValue:
    file = _file(file_id)
    first = _case_of(file)
    form = recourse_view.route_form(file.route, formdata=request.form)
    if form.validate_on_submit():
        try:
            recourse.choose_route(file.id, current_user.id, utcnow(), form.route.data,
                                  form.reason.data)
        except DomainError as err:
            db.session.rollback()
            flash(error_words(err), "error")
        else:
            flash(str(ROUTE_DONE), "success")
        return redirect(url_for("dunning_pages.receivable_case", receivable_id=first.id,
                                _anchor="recourse"))
    view = case_view(first, utcnow(), current_user.timezone, current_locale())
    return render_template("dunning/provider_case.html", route_form=form, **view), 422


@bp.get("/dashboard/recourse-files/<int:file_id>.zip")
@login_required
def recourse_download(file_id: int) -> ResponseReturnValue:
    name, content = recourse_archive.build(_file(file_id), utcnow())
    return recourse_archive.download(name, content)
