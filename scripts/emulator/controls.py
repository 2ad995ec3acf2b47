"""Test controls: HTTP routes that make the emulator do what only time or a bank does.

No authentication, JSON in and out (the object after the change); errors in Stripe's shape.
Each sends the webhook events real Stripe sends, through localstripe's webhook mechanism.

    POST /_test/refunds/{id}/succeed              pending -> succeeded
    POST /_test/refunds/{id}/fail                 pending|succeeded -> failed
                                                  body (optional): {"failure_reason": "..."}
    POST /_test/refunds/{id}/cancel               pending -> canceled
    POST /_test/payment_intents/{id}/expire       requires_capture -> canceled (expired)
    POST /_test/charges/{id}/dispute              open a dispute (needs_response)
    POST /_test/payment_intents/{id}/dispute      the same on the intent's latest charge
                                                  body (optional): {"amount": 500,
                                                  "reason": "fraudulent", "inquiry": true}
                                                  (an inquiry: warning_needs_response)
    POST /_test/disputes/{id}/update              evidence in: -> under_review (or
                                                  warning_ / appeal_under_review)
    POST /_test/disputes/{id}/appeal              lost -> appeal_needs_response (new due_by)
    POST /_test/disputes/{id}/close               body: {"outcome": "won" | "lost"}; an
                                                  inquiry: "warning_closed" | "prevented"
    POST /_test/clock                             body: {"now": <unix seconds> | null}: what
                                                  Stripe dates from now (created,
                                                  capture_before...), as a Stripe test clock
    POST /_test/declines                          body: {"payment_method": "pm_...",
                                                  "outcomes": [{"decline_code":
                                                  "insufficient_funds", "advice_code":
                                                  "try_again_later", "network_advice_code":
                                                  "02", "network_decline_code": "51"},
                                                  {"authentication_required": true}, ...]}:
                                                  the next confirmations of a PaymentIntent
                                                  with that card take them in order (see
                                                  declines.py); replaces an earlier script,
                                                  [] clears it
    POST /_test/accounts/{id}/onboard             a connected account can take payments:
                                                  charges and payouts enabled, details
                                                  submitted, requirements cleared
                                                  (account.updated, capability.updated)
    POST /_test/accounts/{id}/restrict            charges and payouts disabled,
                                                  requirements.currently_due non-empty,
                                                  disabled_reason set (account.updated)
    POST /_test/accounts/{id}/deauthorize         the account disconnects the platform
                                                  (account.application.deauthorized); then
                                                  its Stripe-Account is refused (403
                                                  account_invalid)
    POST /_test/payment_intents/{id}/settle       SEPA: processing -> the test IBAN's answer
    POST /_test/payment_intents/{id}/fail         SEPA: processing -> requires_payment_method
                                                  body (optional): {"failure_code": ...}
                                                  (both in sepa_controls.py)
    POST /_test/customers/{id}/fund               a bank transfer arrives on the customer's
                                                  virtual IBAN; body: {"amount": 50000,
                                                  "currency": "eur", "reference": "..."}
                                                  (reference optional): reconciled with the
                                                  open customer_balance PaymentIntent of that
                                                  reference (partially_funded / succeeded),
                                                  the rest kept in the cash balance (routed by
                                                  cash_balance.py)
"""

from __future__ import annotations

import json

from aiohttp import web
from localstripe.errors import UserError
from localstripe.resources import Charge, PaymentIntent, PaymentMethod, Refund
from localstripe.server import json_response

from . import accounts, clock, declines, disputes, intents, refunds


async def _body(request: web.Request) -> dict:
    text = await request.text()
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        raise UserError(400, "The body of a test control is JSON.") from None
    if not isinstance(data, dict):
        raise UserError(400, "The body of a test control is a JSON object.")
    return data


def _refund_action(status: str):
    async def handler(request: web.Request) -> web.Response:
        refund = Refund._api_retrieve(request.match_info["id"])
        body = await _body(request)
        return json_response(refunds.move(refund, status, body.get("failure_reason"))._export())
    return handler


async def expire(request: web.Request) -> web.Response:
    intent = PaymentIntent._api_retrieve(request.match_info["id"])
    return json_response(intents.expire(intent)._export())


async def dispute_charge(request: web.Request) -> web.Response:
    charge = Charge._api_retrieve(request.match_info["id"])
    return await _open(request, charge)


async def dispute_intent(request: web.Request) -> web.Response:
    intent = PaymentIntent._api_retrieve(request.match_info["id"])
    if intent.latest_charge is None:
        raise UserError(400, f"PaymentIntent {intent.id} has no charge.")
    return await _open(request, intent.latest_charge)


async def _open(request: web.Request, charge) -> web.Response:
    body = await _body(request)
    dispute = disputes.open_dispute(charge, body.get("amount"), body.get("reason"),
                                    body.get("inquiry") is True)
    return json_response(dispute._export())


async def update_dispute(request: web.Request) -> web.Response:
    dispute = disputes.Dispute._api_retrieve(request.match_info["id"])
    return json_response(disputes.update(dispute)._export())


async def appeal_dispute(request: web.Request) -> web.Response:
    dispute = disputes.Dispute._api_retrieve(request.match_info["id"])
    return json_response(disputes.appeal(dispute)._export())


async def close_dispute(request: web.Request) -> web.Response:
    dispute = disputes.Dispute._api_retrieve(request.match_info["id"])
    body = await _body(request)
    return json_response(disputes.close(dispute, body.get("outcome"))._export())


async def set_clock(request: web.Request) -> web.Response:
    at = (await _body(request)).get("now")
    clock.set_now(float(at) if at is not None else None)
    return json_response({"now": int(clock.now())})


async def script_declines(request: web.Request) -> web.Response:
    body = await _body(request)
    pm_id, outcomes = body.get("payment_method"), body.get("outcomes")
    if not isinstance(pm_id, str) or not isinstance(outcomes, list):
        raise UserError(400, "Give payment_method (an id) and outcomes (a list).")
    pm = PaymentMethod._api_retrieve(pm_id)
    pm._scripted_declines = [declines.outcome(spec) for spec in outcomes]
    return json_response({"payment_method": pm.id, "outcomes": pm._scripted_declines})


def _account_action(action):
    async def handler(request: web.Request) -> web.Response:
        return json_response(action(accounts.find(request.match_info["id"]))._export())
    return handler


def add_routes(app: web.Application) -> None:
    for verb in ("onboard", "restrict", "deauthorize"):
        app.router.add_post(f"/_test/accounts/{{id}}/{verb}",
                            _account_action(getattr(accounts, verb)))
    app.router.add_post("/_test/clock", set_clock)
    app.router.add_post("/_test/declines", script_declines)
    for status, verb in (("succeeded", "succeed"), ("failed", "fail"), ("canceled", "cancel")):
        app.router.add_post(f"/_test/refunds/{{id}}/{verb}", _refund_action(status))
    app.router.add_post("/_test/payment_intents/{id}/expire", expire)
    app.router.add_post("/_test/charges/{id}/dispute", dispute_charge)
    app.router.add_post("/_test/payment_intents/{id}/dispute", dispute_intent)
    app.router.add_post("/_test/disputes/{id}/update", update_dispute)
    app.router.add_post("/_test/disputes/{id}/close", close_dispute)
    app.router.add_post("/_test/disputes/{id}/appeal", appeal_dispute)
