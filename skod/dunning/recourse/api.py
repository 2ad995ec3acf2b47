"""API of the recourse files (step 4): one file as JSON (route, reasons, limitation,
insolvency check, amounts as of today by the penalty engine, its debts) and its ZIP.

Bearer token of the provider only; another provider's file answers 404.
"""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from skod.accounts.auth import require_provider
from skod.core.clock import utcnow
from skod.core.schemas import Schema
from skod.dunning.debts.document_models import RecourseFile
from skod.dunning.recourse import archive as recourse_archive
from skod.dunning.recourse import facts as recourse_facts
from skod.dunning.recourse import services as recourse
from skod.dunning.rules import recourse_routes as rules
from skod.invoicing.ledger import local_day

blp = Blueprint("recourse_api", __name__, description="Recourse files (step 4 of the ladder)")


class AmountsSchema(Schema):
    as_of = fields.Date()
    currency = fields.String()
    principal_minor = fields.Integer()
    interest_minor = fields.Integer()
    indemnity_minor = fields.Integer()
    total_minor = fields.Integer()
    complete = fields.Boolean(metadata={"description": "false when a rate was missing"})


class RecourseFileSchema(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "open or closed"})
    client_id = fields.Integer()
    client_email = fields.String()
    created_at = fields.DateTime()
    route = fields.String(metadata={"description": "mediation, injonction_commerce, "
                                                   "injonction_judiciaire or small_claims"})
    alternatives = fields.List(fields.String())
    reasons = fields.List(fields.String())
    limitation_on = fields.Date()
    limitation = fields.String(metadata={"description": "ok, near (< 90 days) or passed"})
    insolvent = fields.Boolean(allow_none=True, metadata={"description": "null: not checked"})
    insolvency_checked_at = fields.DateTime(allow_none=True)
    bodacc_checked_on = fields.Date(allow_none=True)
    receivable_ids = fields.List(fields.Integer())
    amounts = fields.Nested(AmountsSchema)
    recommended = fields.String(allow_none=True, metadata={
        "description": "the route the rules recommend (route: the provider's choice if any)"})
    court = fields.String(allow_none=True, metadata={
        "description": "a business debtor's court: commerce (tribunal de commerce or des "
                       "activités économiques) or judiciaire; null otherwise"})
    tae_seat = fields.String(allow_none=True, metadata={
        "description": "the tribunal des activités économiques read from the address"})
    chosen = fields.Dict(allow_none=True, metadata={
        "description": "the provider's own route: route, reason, at, previous"})


class RouteChoiceSchema(Schema):
    route = fields.String(required=True, validate=validate.OneOf(rules.CHOOSABLE))
    reason = fields.String(required=True, validate=validate.Length(min=3, max=500))


def detail(file: RecourseFile) -> dict:
    now = utcnow()
    today = local_day(now, file.provider.timezone)
    rows = recourse_facts.receivables_of(file)
    totals = recourse_facts.totals_of(recourse_facts.lines_of(rows, today))
    data = file.facts or {}
    return {
        "id": file.id, "status": file.status, "client_id": file.client_id,
        "client_email": file.client_email, "created_at": file.created_at, "route": file.route,
        "alternatives": data.get("alternatives", []), "reasons": data.get("reasons", []),
        "limitation_on": file.limitation_on,
        "limitation": rules.limitation_state(file.limitation_on, today),
        "insolvent": file.insolvent, "insolvency_checked_at": file.insolvency_checked_at,
        "bodacc_checked_on": data.get("bodacc_checked_on"),
        "receivable_ids": [r.id for r in rows],
        "amounts": {"as_of": today, **vars(totals)},
        "recommended": data.get("recommended"), "court": data.get("court"),
        "tae_seat": data.get("tae_seat"), "chosen": data.get("chosen"),
    }


# one rule for both methods: an id past the database's range is then a 404 for both
@blp.route("/recourse-files/<int:file_id>")
class RecourseFileItem(MethodView):
    @blp.response(200, RecourseFileSchema)
    def get(self, file_id: int):
        """The file: route and why, limitation, insolvency check, amounts owed today."""
        provider = require_provider()
        return detail(recourse.owned(file_id, provider.id))

    @blp.arguments(RouteChoiceSchema)
    @blp.response(200, RecourseFileSchema)
    def patch(self, data: dict, file_id: int):
        """Take another route than the recommended one; the reason is kept in the file."""
        provider = require_provider()
        return detail(recourse.choose_route(file_id, provider.id, utcnow(), data["route"],
                                            data["reason"]))


@blp.get("/recourse-files/<int:file_id>.zip")
@blp.response(200, description="application/zip: the file's documents")
def get_recourse_zip(file_id: int) -> Response:
    """The ZIP: invoices, evidence timeline, reminders (.eml), mise en demeure, summary."""
    provider = require_provider()
    name, content = recourse_archive.build(recourse.owned(file_id, provider.id), utcnow())
    return recourse_archive.download(name, content)
