"""API of the provider's receivables: the list (filters status / step / client, paged, next
action first), one case with its timeline, and the provider's actions on it: pause, resume,
write off, mark paid by transfer, send the next reminder now.

Bearer token of the provider only; another provider's receivable answers 404.
"""

from __future__ import annotations

from flask_smorest import Blueprint

from skod.accounts.auth import require_provider
from skod.core.clock import utcnow
from skod.dunning.debts import actions
from skod.dunning.debts.store import remembering
from skod.dunning.owed import penalty_choices
from skod.dunning.receivables import queries
from skod.dunning.receivables.schemas import (
    MarkPaidBodySchema,
    PauseBodySchema,
    PenaltiesChoiceBodySchema,
    ReceivableDetailSchema,
    ReceivablePageSchema,
    ReceivableQuerySchema,
    WriteOffBodySchema,
)
from skod.extensions import db

blp = Blueprint("receivables_api", __name__, description="Receivables and their dunning cases")


def _detail(receivable_id: int, provider_id: int) -> dict:
    db.session.expire_all()  # the action committed: read the case as it is now
    return queries.detail(queries.owned(receivable_id, provider_id), utcnow())


@blp.get("/receivables")
@blp.arguments(ReceivableQuerySchema, location="query")
@blp.response(200, ReceivablePageSchema)
def list_receivables(args: dict):
    provider = require_provider()
    stmt = queries.listing(provider.id, args.get("status"), args.get("step"),
                           args.get("client_id"))
    rows, total = queries.page(stmt, args["page"], args["per_page"])
    now = utcnow()
    with remembering():  # the ladder and the rate table read once for the page
        items = [queries.row(r, now) for r in rows]
    return {"items": items, "page": args["page"], "per_page": args["per_page"], "total": total}


@blp.get("/receivables/<int:receivable_id>")
@blp.response(200, ReceivableDetailSchema)
def get_receivable(receivable_id: int):
    provider = require_provider()
    return queries.detail(queries.owned(receivable_id, provider.id), utcnow())


@blp.post("/receivables/<int:receivable_id>/pause")
@blp.arguments(PauseBodySchema)
@blp.response(200, ReceivableDetailSchema)
def pause(data: dict, receivable_id: int):
    """Stop reminders and card retries, until resumed or until the given day."""
    provider = require_provider()
    actions.pause(receivable_id, provider.id, utcnow(), data.get("until"), data.get("note"))
    return _detail(receivable_id, provider.id)


@blp.post("/receivables/<int:receivable_id>/resume")
@blp.response(200, ReceivableDetailSchema)
def resume(receivable_id: int):
    provider = require_provider()
    actions.resume(receivable_id, provider.id, utcnow())
    return _detail(receivable_id, provider.id)


@blp.post("/receivables/<int:receivable_id>/write-off")
@blp.arguments(WriteOffBodySchema)
@blp.response(200, ReceivableDetailSchema)
def write_off(data: dict, receivable_id: int):
    """Give the debt up: the case closes, no reminder or retry any more."""
    provider = require_provider()
    actions.write_off(receivable_id, provider.id, utcnow(), data.get("note"))
    return _detail(receivable_id, provider.id)


@blp.post("/receivables/<int:receivable_id>/mark-paid")
@blp.arguments(MarkPaidBodySchema)
@blp.response(200, ReceivableDetailSchema)
def mark_paid(data: dict, receivable_id: int):
    """A bank transfer was received: all of the balance, or `amount_minor` of it."""
    provider = require_provider()
    actions.mark_paid(receivable_id, provider.id, utcnow(), data.get("amount_minor"))
    return _detail(receivable_id, provider.id)


@blp.post("/receivables/<int:receivable_id>/remind")
@blp.response(200, ReceivableDetailSchema)
def remind(receivable_id: int):
    """Send the next step of the ladder now: at most once per step, and never sooner than
    the minimum gap after the previous one (409 too_soon, with the earliest instant)."""
    provider = require_provider()
    actions.remind(receivable_id, provider.id, utcnow())
    return _detail(receivable_id, provider.id)


@blp.post("/receivables/<int:receivable_id>/penalties")
@blp.arguments(PenaltiesChoiceBodySchema)
@blp.response(200, ReceivableDetailSchema)
def penalties_choice(data: dict, receivable_id: int):
    """Whether interest and the indemnity are claimed on this debt (null: the ladder's
    setting); false on penalties a letter claimed is a waiver, kept on the timeline."""
    provider = require_provider()
    penalty_choices.choose(receivable_id, provider.id, data["claim"], utcnow())
    return _detail(receivable_id, provider.id)


@blp.post("/receivables/<int:receivable_id>/waive-penalties")
@blp.response(200, ReceivableDetailSchema)
def waive_penalties(receivable_id: int):
    """Let the penalties go: a case open for them alone closes as paid (409 when closed)."""
    provider = require_provider()
    penalty_choices.waive(receivable_id, provider.id, utcnow())
    return _detail(receivable_id, provider.id)


@blp.post("/receivables/<int:receivable_id>/penalties-notice")
@blp.response(200, ReceivableDetailSchema)
def penalties_notice(receivable_id: int):
    """Send a mise en demeure for the penalties alone (the ladder's step 3), which otherwise
    never goes for them (409 when the case is not open for penalties alone)."""
    provider = require_provider()
    penalty_choices.ask_notice(receivable_id, provider.id, utcnow())
    return _detail(receivable_id, provider.id)
