"""API routes of the saved card, the same under bookings, messages and projects:

  POST <base>/saved-card/code   202 always: a code is e-mailed when the client has a saved card
  POST <base>/saved-card/check  {code} -> the card (brand, last 4, expiry), the code kept
  POST <base>/saved-card        {code} -> pays with the card, same answer as payment-method

The code request is limited per address and per e-mail (Flask-Limiter, as the logins are).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, request
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint
from marshmallow import fields, validate

from skod.accounts.auth import reach
from skod.core.clock import utcnow
from skod.core.errors import Conflict
from skod.core.schemas import Schema
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


@dataclass
class _Resource:
    """Bookings, messages or projects: their rows, token purpose and payable states."""

    model: type
    purpose: str
    payable: Callable

    @property
    def param(self) -> str:  # the name the resource's other routes use (booking_id...)
        return f"{self.purpose}_id"

    @property
    def base(self) -> str:
        return f"/{self.model.__tablename__}/<int:{self.param}>/saved-card"

    def row(self, path: dict):  # noqa: ANN201
        """The row of the path, for the holder of its client token, still waiting for a card."""
        row = reach(self.model, self.purpose, path[self.param], "client")[0]
        if not self.payable(row):
            raise Conflict(f"the {self.purpose} is {row.status}", code="invalid_state")
        return row

    def ref(self, row) -> str:  # noqa: ANN001
        return f"{self.purpose}:{row.id}"

    def email_key(self) -> str:
        """The rate-limit key of a code request: the client's e-mail."""
        row = db.session.get(self.model, (request.view_args or {}).get(self.param))
        email = row.client.email.lower() if row is not None else get_remote_address()
        return f"saved-card:{email}"


def add_routes(blp: Blueprint, model: type, purpose: str, *, payable: Callable,
               pay: Callable[[int, str, datetime], dict], result_schema: type[Schema]) -> None:
    """The three routes on `blp` for rows of `model` (reached with `purpose` tokens);
    `payable(row)`: the row still waits for a card; `pay(id, pm, now)`: pays with the saved
    card `pm` and answers as the payment-method route does."""
    res = _Resource(model, purpose, payable)
    _code_route(blp, res)
    _check_route(blp, res)
    _pay_route(blp, res, pay, result_schema)


def _code_route(blp: Blueprint, res: _Resource) -> None:
    def ask_code(**path: int):
        """E-mail a one-time code to the client if they saved a card with this provider
        before; the answer is the same when they did not (no one learns who is a client)."""
        row = res.row(path)
        saved_cards.request_code(row, res.ref(row), utcnow())
        return {"status": "requested"}

    # Flask-Limiter knows a view by its name: one name per resource, or each request to one
    # would count once for every resource
    ask_code.__name__ = ask_code.__qualname__ = f"{res.purpose}_saved_card_code"
    view = blp.response(202, CodeRequestedSchema)(ask_code)
    view = limiter.shared_limit(_limit("SAVED_CARD_LIMIT_PER_EMAIL"), scope="saved-card-email",
                                key_func=res.email_key)(view)
    view = limiter.shared_limit(_limit("SAVED_CARD_LIMIT_PER_ADDRESS"),
                                scope="saved-card-address", key_func=get_remote_address)(view)
    blp.post(res.base + "/code", endpoint=f"{res.purpose}_saved_card_code")(view)


def _check_route(blp: Blueprint, res: _Resource) -> None:
    @blp.post(res.base + "/check", endpoint=f"{res.purpose}_saved_card_check")
    @blp.arguments(CodeSchema)
    @blp.response(200, SavedCardSchema)
    def check_code(data: dict, **path: int):
        """The saved card the code unlocks (422 `invalid_code`, `code_expired`; 409
        `saved_card_unavailable` when it was removed: enter a card)."""
        row = res.row(path)
        pm = saved_cards.use_code(row, res.ref(row), data["code"], utcnow(), spend=False)
        return saved_cards.card_summary(row, pm)


def _pay_route(blp: Blueprint, res: _Resource, pay: Callable,
               result_schema: type[Schema]) -> None:
    @blp.post(res.base, endpoint=f"{res.purpose}_saved_card_pay")
    @blp.arguments(CodeSchema)
    @blp.response(200, result_schema)
    def pay_with_saved(data: dict, **path: int):
        """Pay with the saved card the code unlocks (the code is then used up); on-session:
        `requires_action` with a client_secret when the bank asks for 3-D Secure."""
        row = res.row(path)
        now = utcnow()
        pm = saved_cards.use_code(row, res.ref(row), data["code"], now, spend=True)
        saved_cards.card_summary(row, pm)  # still on the client's customer
        db.session.commit()  # the code is used up before the payment is tried
        return pay(row.id, pm, now)
