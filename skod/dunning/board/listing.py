"""What the board's table shows, in the page's language: the filter form read from the page's
GET parameters, one page of rows (skod/dunning/board/table.py) in words, the column headers
with their sort links and aria-sort, and the page links. Every link keeps the other
parameters of the page (a sort keeps the filter, a page keeps the sort)."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from skod.core import formats
from skod.dunning.board import table
from skod.dunning.board.forms import BoardFilterForm
from skod.dunning.debts import sweep_faults
from skod.dunning.debts.models import Receivable
from skod.dunning.debts.store import remembering
from skod.dunning.mise_en_demeure import services as mise_en_demeure
from skod.dunning.receivables.view import list_row
from skod.invoicing.ledger import local_day

#: the table's columns, in table.SORTS' order
COLUMN_WORDS = {"client": _l("Client"), "invoice": _l("Invoice"), "amount": _l("Amount"),
                "balance": _l("Balance"), "age": _l("Days late"), "stage": _l("Stage"),
                "next": _l("Next action"), "contact": _l("Last contact")}
#: the GET parameters a link of the table carries over
KEPT = ("status", "stage", "late_min", "late_max", "q", "sort", "dir")


def kept_args(args: MultiDict) -> dict[str, str]:
    """The page's own parameters, those not empty (a link never carries `lang` or junk)."""
    return {name: args[name] for name in KEPT if args.get(name)}


def _link(args: dict[str, str], **changes: object) -> str:
    return url_for("dunning_pages.receivable_list", **{**args, **changes}) + "#debts"


def _columns(query: table.Query, args: dict[str, str]) -> list[dict]:
    """Each header: its words, the link that sorts by it (the other way round when it is the
    sort already) and its aria-sort (only on the column the table is sorted by)."""
    columns = []
    for key in table.SORTS:
        current = key == query.sort
        descending = current and not query.descending
        columns.append({
            "key": key, "words": str(COLUMN_WORDS[key]),
            "url": _link({k: v for k, v in args.items() if k not in ("sort", "dir")},
                         sort=key, dir="desc" if descending else "asc"),
            "aria_sort": ("descending" if query.descending else "ascending")
            if current else None})
    return columns


def _pages(query: table.Query, total: int, args: dict[str, str]) -> dict:
    count = max(1, -(-total // table.PAGE_SIZE))
    number = min(query.page, count)
    return {"number": number, "count": count, "total": total,
            "previous": _link(args, page=number - 1) if number > 1 else None,
            "next": _link(args, page=number + 1) if number < count else None}


def _row(receivable: Receivable, now: datetime, tz: str, locale: str, task: str | None,
         failing: str | None) -> dict:
    last = receivable.last_step_at
    return list_row(receivable, now, tz, locale, task, failing) | {
        "email": receivable.client.email,
        "last_contact": formats.day(local_day(last, tz), locale) if last else None}


def table_view(provider_id: int, formdata: MultiDict, now: datetime, tz: str,
               locale: str) -> dict:
    """The filter form (its errors on their fields), the rows of the page asked for, the
    headers and the page links."""
    form = BoardFilterForm(formdata=formdata)
    form.validate()
    form.forgive()
    query = form.query()
    rows, total = table.page(provider_id, query, local_day(now, tz))
    if not rows and total and query.page > 1:  # a page past the end: the last one
        last = -(-total // table.PAGE_SIZE)
        query = table.Query(**{**query.__dict__, "page": last})
        rows, total = table.page(provider_id, query, local_day(now, tz))
    tasks = mise_en_demeure.open_tasks(provider_id)
    failing = sweep_faults.stuck(provider_id, [r.id for r in rows])
    args = kept_args(formdata)
    with remembering():  # the ladder and the rate table read once for the page
        shown = [_row(r, now, tz, locale, tasks.get(r.id), failing.get(r.id)) for r in rows]
    return {"form": form, "rows": shown, "columns": _columns(query, args),
            "pages": _pages(query, total, args), "args": args,
            "export_url": url_for("dunning_pages.board_export", **args)}
