"""API of invoices: the provider's list (filters paid, from, to), one invoice, its PDF (the
provider, or the client through the token of its booking / message / project)."""

from __future__ import annotations

from io import BytesIO

from flask import send_file
from flask_smorest import Blueprint
from marshmallow import fields

from skod.accounts.auth import require_provider
from skod.core.schemas import Schema, check_year
from skod.extensions import db
from skod.invoicing import queries

blp = Blueprint("invoices_api", __name__, description="Invoices and credit notes")


class InvoiceQuerySchema(Schema):
    paid = fields.Boolean()
    date_from = fields.Date(data_key="from", validate=check_year)
    date_to = fields.Date(data_key="to", validate=check_year)


class InvoiceSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    number = fields.String()
    issue_date = fields.String()
    due_date = fields.String()
    currency = fields.String()
    ht_minor = fields.Integer()
    vat_minor = fields.Integer()
    ttc_minor = fields.Integer()
    vat_rate_bp = fields.Integer(allow_none=True)
    vat_exempt_mention = fields.String(allow_none=True)
    paid = fields.Boolean()
    #: still owed: the total while unpaid; after payment, what lost disputes took back
    balance_minor = fields.Integer()
    paid_at = fields.String(allow_none=True)
    payment_method = fields.String(allow_none=True)
    source = fields.String()
    booking_id = fields.Integer(allow_none=True)
    message_id = fields.Integer(allow_none=True)
    project_id = fields.Integer(allow_none=True)
    milestone_id = fields.Integer(allow_none=True)
    payment_id = fields.Integer(allow_none=True)
    credited_number = fields.String(allow_none=True)
    client = fields.Dict()


@blp.get("/invoices")
@blp.arguments(InvoiceQuerySchema, location="query")
@blp.response(200, InvoiceSchema(many=True))
def list_invoices(args: dict):
    provider = require_provider()
    stmt = queries.listing(provider.id, args.get("paid"), args.get("date_from"),
                           args.get("date_to"))
    return queries.with_balances(list(db.session.scalars(stmt)))


@blp.get("/invoices/<int:invoice_id>")
@blp.response(200, InvoiceSchema)
def get_invoice(invoice_id: int):
    invoice, _role = queries.visible(invoice_id)
    return queries.with_balances([invoice])[0]


@blp.get("/invoices/<int:invoice_id>/pdf")
@blp.response(200)
def get_pdf(invoice_id: int):
    invoice, _role = queries.visible(invoice_id)
    return send_file(BytesIO(queries.pdf_bytes(invoice)), mimetype="application/pdf",
                     as_attachment=True, download_name=queries.filename(invoice))
