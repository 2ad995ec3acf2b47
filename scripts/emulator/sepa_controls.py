"""SEPA test controls and the browser's address (sepa.py does the rest).

    POST /_test/payment_intents/{id}/settle   processing -> as the test IBAN says: succeeded
                                              (charge.succeeded, payment_intent.succeeded),
                                              failed, or succeeded then disputed
    POST /_test/payment_intents/{id}/fail     processing -> requires_payment_method
                                              (payment_intent.payment_failed, charge.failed)
                                              body (optional): {"failure_code":
                                              "insufficient_funds" | "account_closed" | ...}

Imported after localstripe.server (it needs its json_response), unlike sepa.py.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from localstripe.errors import UserError
from localstripe.resources import PaymentIntent
from localstripe.server import json_response

from . import mandates
from .sepa import fail, settle


@web.middleware
async def client_of_request(request: web.Request, handler):
    """Stripe.js's confirmations infer the mandate's acceptance from the browser."""
    mandates.CLIENT.set((request.remote or "127.0.0.1",
                         request.headers.get("User-Agent", "unknown")))
    return await handler(request)


def _control(action):
    async def handler(request: web.Request) -> web.Response:
        intent = PaymentIntent._api_retrieve(request.match_info["id"])
        text = await request.text()
        try:
            body = json.loads(text) if text.strip() else {}
        except ValueError:
            raise UserError(400, "The body of a test control is JSON.") from None
        if not isinstance(body, dict):
            raise UserError(400, "The body of a test control is a JSON object.")
        return json_response(action(intent, body)._export())
    return handler


def add_routes(server: Any) -> None:
    """GET /v1/mandates/{id}, the settle / fail controls, the browser's address."""
    server.app.middlewares.append(client_of_request)
    mandates.add_routes(server)
    server.app.router.add_post("/_test/payment_intents/{id}/settle",
                               _control(lambda intent, _body: settle(intent)))
    server.app.router.add_post("/_test/payment_intents/{id}/fail",
                               _control(lambda intent, body: fail(intent,
                                                                  body.get("failure_code"))))
