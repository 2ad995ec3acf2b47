"""The receivables page's bank statement parts: the upload (POST, the list page shown again
with the form's message when the file cannot be read: nothing changed) and the review of a
proposed line (accept on one debt, or dismiss). The list itself is receivables/pages.py's.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from skod.core.clock import utcnow
from skod.core.errors import DomainError, NotFound
from skod.dunning.bank_statements import importing, reading, review, surplus
from skod.dunning.bank_statements.forms import ImportForm, ReviewForm
from skod.dunning.bank_statements.lines import StatementError
from skod.dunning.bank_statements.view import report_counts
from skod.dunning.receivables.blueprint import bp, error_words
from skod.dunning.receivables.forms import ConfirmForm
from skod.dunning.receivables.pages import list_page
from skod.extensions import db

#: why a file was refused, said to the provider (StatementError.code)
FILE_WORDS = {
    "empty": _l("This file is empty."),
    "too_large": _l("This file is larger than 5 MB: export a shorter period."),
    "xml_entities": _l("This XML file declares entities or a DTD, which a bank statement "
                       "never needs: it is refused."),
    "bad_xml": _l("This file is not well-formed XML."),
    "not_camt": _l("This XML file is not a CAMT.053 bank statement."),
    "no_column": _l("A column named in the form is not in the file's first line. Name each "
                    "column as in that line, or give its number (1 for the first)."),
    "too_many_lines": _l("This file has more than 5,000 lines: export a shorter period."),
}
REVIEW_DONE = {"accept": _l("The transfer is counted on the debt."),
               "dismiss": _l("The bank line is left aside.")}


def _file_words(err: StatementError) -> str:
    words = FILE_WORDS.get(err.code)
    if words is not None:
        return str(words)
    if err.line is not None:  # a CSV line: its number, and what was wrong in it
        return _("Line %(n)s of the file cannot be read (date, amount): check the columns "
                 "chosen and the file.", n=err.line)
    return _("This file cannot be read as a CAMT.053 statement or a CSV export.")


@bp.post("/dashboard/receivables/bank-import")
@login_required
def bank_import() -> ResponseReturnValue:
    form = ImportForm()
    if form.validate_on_submit():
        upload = request.files.get("statement")
        data = upload.read(reading.MAX_BYTES + 1) if upload else b""
        try:
            source, lines = reading.read(data, form.kind.data, form.mapping())
        except StatementError as err:
            form.statement.errors = [_file_words(err)]
        else:
            report = importing.import_statement(current_user.id, lines, source, utcnow())
            flash(_("Statement read. Debts settled: %(settled)s; reduced: %(reduced)s; "
                    "transfers to review: %(proposed)s; lines left alone: %(unrelated)s; "
                    "lines imported before: %(already)s.", **report_counts(report)), "success")
            return redirect(url_for("dunning_pages.receivable_list") + "#bank-review")
    return list_page(import_form=form), 422


@bp.post("/dashboard/receivables/bank-lines/<int:line_id>/<decision>")
@login_required
def bank_line_review(line_id: int, decision: str) -> ResponseReturnValue:
    if decision not in REVIEW_DONE:
        abort(404)
    form = ReviewForm()
    back = redirect(url_for("dunning_pages.receivable_list") + "#bank-review")
    if not form.validate_on_submit() or (decision == "accept" and not form.receivable_id.data):
        flash(_("Choose the debt this transfer pays."), "error")
        return back
    if decision == "accept":
        _run(lambda: review.accept(line_id, current_user.id, int(form.receivable_id.data),
                                   utcnow()), str(REVIEW_DONE[decision]))
    else:
        _run(lambda: review.dismiss(line_id, current_user.id, utcnow()),
             str(REVIEW_DONE[decision]))
    return back


@bp.post("/dashboard/receivables/<int:receivable_id>/bank-surplus/<int:surplus_id>/refunded")
@login_required
def bank_surplus_refunded(receivable_id: int, surplus_id: int) -> ResponseReturnValue:
    """The provider sent back what the client paid above the debt (one click)."""
    back = redirect(url_for("dunning_pages.receivable_case", receivable_id=receivable_id)
                    + "#bank-surplus")
    if not ConfirmForm().validate_on_submit():
        flash(_("The form expired. Please send it again."), "error")
        return back
    _run(lambda: surplus.mark_refunded(receivable_id, surplus_id, current_user.id, utcnow()),
         _("Marked refunded to the client."))
    return back


def _run(service: Callable[[], object], done: str) -> None:
    """One service call of a one-click form: another provider's or a gone row is a 404, a
    refusal the service's words (nothing changed), success its message."""
    try:
        service()
    except NotFound:
        abort(404)
    except DomainError as err:
        db.session.rollback()
        flash(error_words(err), "error")
    else:
        flash(done, "success")
