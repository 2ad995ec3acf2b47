"""API of the penalty calculator: GET /penalties (a provider's token), the breakdown of
skod.dunning.rules.penalties.compute() with the stored rate table."""

from __future__ import annotations

from flask_smorest import Blueprint

from skod.accounts.auth import require_provider
from skod.core.errors import Invalid
from skod.dunning.owed import rates
from skod.dunning.owed.schemas import BreakdownSchema, PenaltyQuerySchema
from skod.dunning.rules import penalties

blp = Blueprint("dunning_api", __name__, description="Late-payment penalties")

#: compute() argument -> the query parameter that gave it
_PARAMS = {"until": "paid", "contractual_rate_bp": "contract_rate_bp",
           "mise_en_demeure_on": "notice"}


@blp.get("/penalties")
@blp.arguments(PenaltyQuerySchema, location="query")
@blp.response(200, BreakdownSchema)
def get_penalties(args: dict):
    """Interest per half-year segment, the 40 EUR indemnity and the total of one late debt."""
    require_provider()
    try:
        return penalties.compute(
            amount_minor=args["amount_minor"], currency=args["currency"], due=args["due"],
            until=args["paid"], client_kind=args["client_kind"], table=rates.table(),
            contractual_rate_bp=args.get("contract_rate_bp"),
            mise_en_demeure_on=args.get("notice"), invoices=args["invoices"],
            payments=args["payments"])
    except penalties.PenaltyError as err:
        field = _PARAMS.get(err.field, err.field) if err.field else "_schema"
        raise Invalid(err.message, {field: [err.message]}, code=err.code) from err
