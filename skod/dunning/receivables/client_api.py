"""API of a provider's client details: GET and PATCH /api/v1/clients/<id> (kind, company,
legal form, register, postal address...). Filling a consumer's address resumes the debts whose
mise en demeure waited for it. Bearer token of the provider; another provider's client: 404."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError, fields, validate, validates_schema

from skod.accounts.auth import require_provider
from skod.accounts.clients import owned
from skod.core.clock import utcnow
from skod.core.errors import NotFound
from skod.core.schemas import Schema, Text
from skod.dunning.receivables import client_details

blp = Blueprint("clients_api", __name__, description="A provider's clients")
KINDS = ("business", "consumer", "public")


class ClientUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    kind = fields.String(validate=validate.OneOf(KINDS), metadata={
        "description": "business, consumer or public (a public body: ECB + 8 points, "
                       "référé-provision before the administrative court)"})
    company_name = fields.String(allow_none=True, validate=validate.Length(max=200))
    legal_form = fields.String(allow_none=True, validate=validate.Length(max=64), metadata={
        "description": "SAS, SARL, SCI, association, EI, profession libérale..."})
    siren = fields.String(allow_none=True, validate=validate.Regexp(r"^\d{9}$",
                                                                    error="9 digits"))
    registry = fields.String(allow_none=True, validate=validate.OneOf(("rcs", "rm")),
                             metadata={"description": "rcs, rm or null: with the legal form, "
                                                      "decides the court"})
    address = Text(allow_none=True, validate=validate.Length(max=500), metadata={
        "description": "postal address: a consumer's mise en demeure waits for it"})
    locale = fields.String(validate=validate.OneOf(["fr", "en"]))

    @validates_schema
    def _something(self, data: dict, **_: object) -> None:
        if not data:
            raise ValidationError("give at least one field to change")


class ClientOutSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    kind = fields.String()
    company_name = fields.String(allow_none=True)
    legal_form = fields.String(allow_none=True)
    siren = fields.String(allow_none=True)
    registry = fields.Function(lambda c: c.trade_register, allow_none=True)
    address = fields.String(allow_none=True)
    locale = fields.String()


# one rule for both methods: an id past the database's range is then a 404 for both (two
# rules would make a PATCH on such an id a 405, the GET rule matching its path)
@blp.route("/clients/<int:client_id>")
class ClientItem(MethodView):
    @blp.response(200, ClientOutSchema)
    def get(self, client_id: int):
        """One client of the provider."""
        client = owned(require_provider().id, client_id)
        if client is None:
            raise NotFound("client not found")
        return client

    @blp.arguments(ClientUpdateSchema)
    @blp.response(200, ClientOutSchema)
    def patch(self, data: dict, client_id: int):
        """Correct the client's details; a filled address resumes the debts waiting for it."""
        return client_details.update(require_provider().id, client_id, data, utcnow())
