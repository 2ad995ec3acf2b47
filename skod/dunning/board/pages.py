"""The board table's own routes, on the dunning pages' blueprint: the bulk form (pause,
resume, remind now or export the checked rows; CSRF-checked by the app's CSRFProtect) and
the CSV of the filtered table. The table itself is on the receivables list
(skod/dunning/receivables/pages.py calls skod/dunning/board/listing.py).
"""

from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required

from skod.core.clock import utcnow
from skod.core.errors import DomainError
from skod.dunning.board import bulk, export, table
from skod.dunning.board.forms import BoardFilterForm
from skod.dunning.board.listing import kept_args
from skod.dunning.debts.models import Receivable
from skod.dunning.receivables.blueprint import ERROR_WORDS, bp, error_words
from skod.extensions import db
from skod.invoicing.ledger import local_day
from skod.web.blueprint import current_locale

ERROR_WORDS.update({
    "bulk_unknown": _l("One of the selected debts is not one of yours (or no longer exists): "
                       "nothing was done. Reload the page and select again."),
    "bulk_empty": _l("Select at least one debt first."),
    "bulk_too_many": _l("Select at most 500 debts at once."),
    "bulk_action": _l("Choose pause, resume, remind now or export."),
    "reminded_today": _l("A reminder went today already."),
    "bulk_failed": _l("This debt could not be handled: try it from its case page."),
})
#: the button pressed -> what the provider is told, for the rows done
DONE_WORDS = {
    "pause": lambda n: ngettext("%(num)s debt paused.", "%(num)s debts paused.", n),
    "resume": lambda n: ngettext("%(num)s debt resumed.", "%(num)s debts resumed.", n),
    "remind": lambda n: ngettext("%(num)s reminder sent.", "%(num)s reminders sent.", n),
}


def _back() -> ResponseReturnValue:
    """The table as the provider left it (the filter, the sort and the page they were on)."""
    args = kept_args(request.form)
    if (page := request.form.get("page", "")).isdigit():
        args["page"] = page
    return redirect(url_for("dunning_pages.receivable_list", **args) + "#debts")


def _who(receivable_id: int) -> str:
    receivable = db.session.get(Receivable, receivable_id)
    client = receivable.client
    name = client.company_name or client.name
    if receivable.invoice:
        return _("%(client)s, invoice %(number)s", client=name,
                 number=receivable.invoice.number)
    return name


def _csv(ids: list[int]) -> Response:
    now, tz = utcnow(), current_user.timezone
    text = export.csv_text(ids, now, tz, current_locale())
    name = f"receivables-{local_day(now, tz).isoformat()}.csv"
    return Response(text, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/dashboard/receivables/bulk")
@login_required
def board_bulk() -> ResponseReturnValue:
    action = request.form.get("action", "")
    try:
        ids = bulk.checked(current_user.id, request.form.getlist("ids"))
        if action == "export":
            return _csv(ids)
        outcome = bulk.run(action, ids, current_user.id, utcnow())
    except DomainError as err:
        flash(error_words(err), "error")
        return _back()
    if outcome.done:
        flash(DONE_WORDS[action](len(outcome.done)), "success")
    if outcome.refused:
        flash(ngettext("%(num)s debt refused:", "%(num)s debts refused:",
                       len(outcome.refused)) + " " + "; ".join(
            f"{_who(rid)} ({error_words(err)})" for rid, err in outcome.refused), "error")
    return _back()


@bp.get("/dashboard/receivables.csv")
@login_required
def board_export() -> ResponseReturnValue:
    """Every row of the table as filtered (every page, in its order)."""
    form = BoardFilterForm(formdata=request.args)
    form.validate()
    form.forgive()
    today = local_day(utcnow(), current_user.timezone)
    return _csv(table.ids(current_user.id, form.query(), today))
