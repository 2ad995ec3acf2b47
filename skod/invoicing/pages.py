"""Invoice pages (provider list and downloads; client downloads through signed links).

Provider: /invoices (filters status / period, GET form), /invoices.csv (same filters),
/invoices/<id>/pdf. Client: /i/<id>/<token>, where the token is the signed link of the
invoice's booking, message or project (the same token as /b/, /m/ or /pr/). The client pages
list their invoices with the partial templates/invoicing/_client_invoices.html, which calls the
`invoice_row` template global defined here.
"""

from __future__ import annotations

from datetime import date
from io import BytesIO, StringIO

from flask import Blueprint, Response, abort, render_template, request, send_file
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import Select
from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError

from skod.core import formats
from skod.core.clock import utcnow
from skod.core.forms import Form
from skod.extensions import db
from skod.invoicing import export, queries
from skod.invoicing.ledger import local_day
from skod.invoicing.models import CREDIT_NOTE, Invoice
from skod.web import display
from skod.web.blueprint import current_locale
from skod.web.forms import SelectChoice

bp = Blueprint("invoices", __name__)

#: rows shown on the page (the CSV has them all)
PAGE_LIMIT = 300
STATUS_FILTER = {"all": None, "paid": True, "unpaid": False}
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]  # the date picker, or a date typed by hand


class FilterForm(Form):
    """The list's GET filters: status and issue-date period (both ends included)."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    status = SelectField(_l("Status"), default="all", choices=[
        SelectChoice("all", _l("All")), SelectChoice("paid", _l("Paid")),
        SelectChoice("unpaid", _l("Unpaid"))])
    since = DateField(_l("From"), format=DATE_FORMATS, validators=[Optional()])
    until = DateField(_l("Until"), format=DATE_FORMATS, validators=[Optional()])

    def validate_until(self, field: DateField) -> None:
        if self.since.data and field.data and field.data < self.since.data:
            raise ValidationError(_l("The end date is before the start date."))

    def statement(self, provider_id: int) -> Select:
        """The provider's invoices under the valid filters (an invalid one is left out)."""
        return queries.listing(provider_id, STATUS_FILTER.get(self.status.data),
                               self.since.data, self.until.data)

    def query(self) -> dict:
        """The filters as sent, for the CSV link (nothing else from the query string)."""
        return {name: request.args[name] for name in ("status", "since", "until")
                if request.args.get(name)}

    def is_filtered(self) -> bool:
        return bool(self.status.data not in (None, "all") or self.since.data or self.until.data)


def _filters() -> FilterForm:
    form = FilterForm(formdata=request.args)
    form.validate()
    return form


def _day(value: date, locale: str) -> str:
    return formats.day(value, locale, "medium")


@bp.app_template_global()
def invoice_row(invoice: Invoice, owed: dict[int, int] | None = None) -> dict:
    """What a page shows of an invoice, in the page's language (credit notes negative).
    `owed`: the list's balances (queries.balances), computed once for the whole list."""
    locale = current_locale()
    credit = invoice.kind == CREDIT_NOTE
    if invoice.paid:
        state = _("Refunded") if credit else _("Paid")
    else:
        state = _("Unpaid, due %(date)s", date=_day(invoice.due_date, locale))
    if owed is None:
        owed = queries.balances([invoice])
    again = owed.get(invoice.id, 0) if invoice.paid else 0
    if again:
        state = _("Owed again after a lost dispute: %(amount)s",
                  amount=display.money(again, invoice.currency, locale))
    buyer = invoice.snapshot.get("buyer", {})
    return {
        "kind": _("Credit note") if credit else _("Invoice"),
        "date": _day(invoice.issue_date, locale),
        "client": buyer.get("company_name") or buyer.get("name", ""),
        "total": display.money(-invoice.ttc_minor if credit else invoice.ttc_minor,
                               invoice.currency, locale),
        "state": state, "overdue": not invoice.paid and invoice.due_date < local_day(
            utcnow(), invoice.provider.timezone),  # due dates are the provider's days
    }


def _pdf(invoice: Invoice) -> ResponseReturnValue:
    return send_file(BytesIO(queries.pdf_bytes(invoice)), mimetype="application/pdf",
                     as_attachment=True, download_name=queries.filename(invoice))


# Provider ---------------------------------------------------------------------------------
@bp.get("/invoices")
@login_required
def invoice_list() -> ResponseReturnValue:
    form = _filters()
    stmt = form.statement(current_user.id).limit(PAGE_LIMIT + 1)
    invoices = list(db.session.scalars(stmt))
    return render_template("invoicing/list.html", form=form, invoices=invoices[:PAGE_LIMIT],
                           owed=queries.balances(invoices[:PAGE_LIMIT]),
                           truncated=len(invoices) > PAGE_LIMIT, filtered=form.is_filtered(),
                           query=form.query())


@bp.get("/invoices.csv")
@login_required
def invoice_csv() -> ResponseReturnValue:
    """The list under the same filters, as the accountant's CSV."""
    ids = [invoice.id for invoice in db.session.scalars(_filters().statement(current_user.id))]
    out = StringIO()
    export.write_csv(out, reversed(ids))  # oldest first, as in a ledger
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="invoices.csv"'})


@bp.get("/invoices/<int:invoice_id>/pdf")
@login_required
def invoice_pdf(invoice_id: int) -> ResponseReturnValue:
    invoice = db.session.get(Invoice, invoice_id)
    if invoice is None or invoice.provider_id != current_user.id:
        abort(404)
    return _pdf(invoice)


# Client -----------------------------------------------------------------------------------
@bp.get("/i/<int:invoice_id>/<token>")
def client_pdf(invoice_id: int, token: str) -> ResponseReturnValue:
    invoice = db.session.get(Invoice, invoice_id)
    if invoice is None or not queries.token_opens(invoice, token):
        abort(404)
    return _pdf(invoice)
