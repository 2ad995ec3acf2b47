"""API of the provider's decision on a payment plan a client asked for on the pay page:
accept (the schedule fixed by the request is kept, each instalment charged on its date) or
refuse (the ladder resumes). Bearer provider token, like every provider route; the provider
pages call the same services (pay_page/plans.py)."""

from __future__ import annotations

from flask_smorest import Blueprint

from skod.accounts.auth import require_provider
from skod.core.clock import utcnow
from skod.dunning.pay_page import plans
from skod.dunning.pay_page.schemas import PlanSchema, plan_out

blp = Blueprint("plan_api", __name__, description="Payment plans of debts")


@blp.post("/receivables/<int:receivable_id>/plan/accept")
@blp.response(200, PlanSchema)
def accept_plan(receivable_id: int):
    """Accept the plan the client proposed: the schedule they asked for, each instalment
    charged on its date by the tick, the first at once only when its date has come (a
    refused charge ends the plan: `status: failed`, the ladder resumes)."""
    provider = require_provider()
    plan_id = plans.proposed_id(receivable_id, provider.id)
    return plan_out(plans.accept(plan_id, provider.id, utcnow()))


@blp.post("/receivables/<int:receivable_id>/plan/refuse")
@blp.response(200, PlanSchema)
def refuse_plan(receivable_id: int):
    """Refuse the plan the client proposed: the reminders go on."""
    provider = require_provider()
    plan_id = plans.proposed_id(receivable_id, provider.id)
    return plan_out(plans.refuse(plan_id, provider.id, utcnow()))
