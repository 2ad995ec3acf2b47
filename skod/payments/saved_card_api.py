"""API routes of the saved card, the same under bookings, messages and projects:

  POST <base>/saved-card/code   202 always: a code is e-mailed when the client has a saved card
  POST <base>/saved-card/check  {code} -> the card (brand, last 4, expiry), the code kept
  POST <base>/saved-card        {code} -> pays with the card, same answer as payment-method

The code request is limited per address and per e-mail (Flask-Limiter, as the logins are).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app, request
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from skod.accounts.auth import reach
from skod.core.clock import utcnow
from skod.core.errors import Conflict
from skod.extensions import db, limiter
from skod.payments import saved_cards


class CodeSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=20))


class CodeRequestedSchema(Schema):
    status = fields.String()


class SavedCardSchema(Schema):
    brand = fields.String(allow_none=True)
    last4 = fields.String(allow_none=True)
    exp_month = fields.Integer(allow_none=True)
    exp_year = fields.Integer(allow_none=True)


def _limit(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def add_routes(blp: Blueprint, model: type, purpose: str, *, payable: Callable,
               pay: Callable[[int, str, datetime], dict], result_schema: type[Schema]) -> None:
    """The three routes on `blp` for rows of `model` (reached with `purpose` tokens);
    `payable(row)`: the row still waits for a card; `pay(id, pm, now)`: pays with the saved
    card `pm` and answers as the payment-method route does."""
    param = f"{purpose}_id"  # the name the resource's other routes use (booking_id...)
    base = f"/{model.__tablename__}/<int:{param}>/saved-card"

    def _row(row_id: int, check: bool = True):  # noqa: ANN202
        row = reach(model, purpose, row_id, "client")[0]
        if check and not payable(row):
            raise Conflict(f"the {purpose} is {row.status}", code="invalid_state")
        return row

    def _email_key() -> str:
        row = db.session.get(model, (request.view_args or {}).get(param))
        email = row.client.email.lower() if row is not None else get_remote_address()
        return f"saved-card:{email}"

    def ask_code(**path: int):
        """E-mail a one-time code to the client if they saved a card with this provider
        before; the answer is the same when they did not (no one learns who is a client)."""
        row = _row(path[param])
        saved_cards.request_code(row, f"{purpose}:{row.id}", utcnow())
        return {"status": "requested"}

    # Flask-Limiter knows a view by its name: one name per resource, or each request to one
    # would count once for every resource
    ask_code.__name__ = ask_code.__qualname__ = f"{purpose}_saved_card_code"
    view = blp.response(202, CodeRequestedSchema)(ask_code)
    view = limiter.shared_limit(_limit("SAVED_CARD_LIMIT_PER_EMAIL"), scope="saved-card-email",
                                key_func=_email_key)(view)
    view = limiter.shared_limit(_limit("SAVED_CARD_LIMIT_PER_ADDRESS"),
                                scope="saved-card-address", key_func=get_remote_address)(view)
    blp.post(base + "/code", endpoint=f"{purpose}_saved_card_code")(view)

    @blp.post(base + "/check", endpoint=f"{purpose}_saved_card_check")
    @blp.arguments(CodeSchema)
    @blp.response(200, SavedCardSchema)
    def check_code(data: dict, **path: int):
        """The saved card the code unlocks (422 `invalid_code`, `code_expired`; 409
        `saved_card_unavailable` when it was removed: enter a card)."""
        row = _row(path[param])
        pm = saved_cards.use_code(row, f"{purpose}:{row.id}", data["code"], utcnow(),
                                  spend=False)
        return saved_cards.card_summary(row, pm)

    @blp.post(base, endpoint=f"{purpose}_saved_card_pay")
    @blp.arguments(CodeSchema)
    @blp.response(200, result_schema)
    def pay_with_saved(data: dict, **path: int):
        """Pay with the saved card the code unlocks (the code is then used up); on-session:
        `requires_action` with a client_secret when the bank asks for 3-D Secure."""
        row = _row(path[param])
        now = utcnow()
        pm = saved_cards.use_code(row, f"{purpose}:{row.id}", data["code"], now, spend=True)
        saved_cards.card_summary(row, pm)  # still on the client's customer
        db.session.commit()  # the code is used up before the payment is tried
        return pay(row.id, pm, now)
