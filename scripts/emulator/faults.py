"""Server errors as Stripe keeps them, and a count of the requests that reached the emulator.

Stripe stores the result of a request under its idempotency key for at least 24 hours once the
endpoint started executing, a 500 included: the same key sent again gets the same 500 back
(docs.stripe.com/api/idempotent_requests). middleware.py stores every answer of a keyed POST; a
test makes that 500 happen with a control:

    POST /_test/faults        body: {"path": "/v1/payment_intents/pi_123/capture",
                              "method": "POST", "status": 500, "times": 1,
                              "error": {"type": "api_error", ...}, "after": false}: the next
                              `times` requests of that method and path answer `status` with
                              the error (Stripe's api_error by default), without acting, or
                              `"after": true`: after acting (the answer lost on the way back);
                              stored under their idempotency key like any answer.
                              {"clear": true}: none left
    GET  /_test/requests      ?path=...&method=POST: how many requests of that path reached
                              the handlers (a replay from the idempotency store is not counted)
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter

from aiohttp import web
from localstripe.errors import UserError
from localstripe.server import json_response

#: (method, path) -> [(status, error, after), ...] still to answer
_planned: dict[tuple[str, str], list[tuple[int, dict, bool]]] = {}
#: (method, path) -> requests that reached a handler (not replayed)
_reached: Counter = Counter()

API_ERROR = {"type": "api_error",
             "message": "An unknown error occurred while processing your request."}


def faulty(handler):  # noqa: ANN001, ANN201
    """The handler, unless a test planned this request to fail: then the planned answer,
    before the handler acts or after it (its own answer lost)."""
    async def run(request: web.Request):  # noqa: ANN202
        key = (request.method, request.path)
        _reached[key] += 1
        todo = _planned.get(key)
        if not todo:
            return await handler(request)
        status, error, after = todo.pop(0)
        if after:
            with contextlib.suppress(UserError):  # refused anyway: the planned answer shows
                await handler(request)
        return json_response({"error": error}, status=status)
    return run


async def plan(request: web.Request) -> web.Response:
    text = await request.text()
    try:
        body = json.loads(text) if text.strip() else {}
    except ValueError:
        raise UserError(400, "The body of a test control is JSON.") from None
    if not isinstance(body, dict) or body.get("clear"):
        _planned.clear()
        return json_response({"planned": 0})
    path, method = body.get("path"), str(body.get("method", "POST")).upper()
    status, times = body.get("status", 500), body.get("times", 1)
    error, after = body.get("error", API_ERROR), bool(body.get("after"))
    if not isinstance(path, str) or not path.startswith("/v1/") or not isinstance(
            status, int) or not 400 <= status <= 599 or not isinstance(times, int) or (
            times < 1) or not isinstance(error, dict):
        raise UserError(400, "Give path (/v1/...), status (400-599), times (>= 1), error "
                             "(an object).")
    _planned.setdefault((method, path), []).extend([(status, error, after)] * times)
    return json_response({"path": path, "method": method,
                          "planned": len(_planned[(method, path)])})


async def reached(request: web.Request) -> web.Response:
    path = request.query.get("path", "")
    method = request.query.get("method", "POST").upper()
    return json_response({"path": path, "method": method, "count": _reached[(method, path)]})


def reset() -> None:
    _planned.clear()
    _reached.clear()


def add_routes(app: web.Application) -> None:
    app.router.add_post("/_test/faults", plan)
    app.router.add_get("/_test/requests", reached)
