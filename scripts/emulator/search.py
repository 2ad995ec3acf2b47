"""The Search API (docs.stripe.com/search): `GET /v1/payment_intents/search` and
`GET /v1/customers/search`, scoped to the request's account like a list.

The query language's exact-match clauses: `field:'value'` and `metadata['key']:'value'`, joined
by all AND or all OR (Stripe refuses a mix); fields: PaymentIntent `customer`, `status`,
`currency`, `metadata`; Customer `email`, `name`, `metadata`. Anything else is a 400, as Stripe
answers a query it cannot parse. The answer is a `search_result` (newest first, `limit`, no
`next_page` here). Stripe's index lags writes by up to a minute ("data is not available for
search within a minute"); the emulator answers from its store at once, so code that relies on a
search must still handle a miss (see stripe_gateway.find_intent).
"""

from __future__ import annotations

import re

from aiohttp import web
from localstripe.resources import Customer, PaymentIntent, store
from localstripe.server import json_response, unflatten_data

from .events import StripeError
from .owners import visible

CLAUSE = re.compile(r"\s*(?:metadata\[['\"]([^'\"]+)['\"]\]|(\w+))\s*:\s*['\"]([^'\"]*)['\"]\s*")
FIELDS = {"payment_intent": ("customer", "status", "currency"),
          "customer": ("email", "name")}
ROUTES = {"/v1/payment_intents/search": PaymentIntent, "/v1/customers/search": Customer}


def _bad(message: str) -> StripeError:
    return StripeError(400, {"type": "invalid_request_error", "code": "parameter_invalid_string",
                             "param": "query", "message": message})


def parse(query: str, kind: str) -> tuple[str, list[tuple[str | None, str, str]]]:
    """(joiner, [(metadata key or None, field, value)]) of a query, or a 400."""
    parts = re.split(r"\s+(AND|OR)\s+", query.strip())
    clauses, joiners = parts[0::2], set(parts[1::2])
    if len(joiners) > 1:
        raise _bad("Search queries cannot mix AND and OR.")
    out = []
    for text in clauses:
        match = CLAUSE.fullmatch(text)
        if match is None:
            raise _bad(f"We could not parse your search query: {text!r}.")
        meta, field, value = match.groups()
        if field is not None and field not in FIELDS[kind]:
            raise _bad(f"Field '{field}' is an unsupported search field for {kind}.")
        out.append((meta, field or "metadata", value))
    return (joiners.pop() if joiners else "AND"), out


def _holds(obj, clause) -> bool:  # noqa: ANN001
    meta, field, value = clause
    if meta is not None:
        return str((getattr(obj, "metadata", None) or {}).get(meta, "")) == value
    return str(getattr(obj, field, "") or "") == value


def search(request: web.Request) -> web.Response:
    cls = ROUTES[request.path]
    params = unflatten_data(request.query) or {}
    query = params.get("query")
    if not isinstance(query, str) or not query.strip():
        raise StripeError(400, {"type": "invalid_request_error", "code": "parameter_missing",
                                "param": "query", "message": "Missing required param: query."})
    joiner, clauses = parse(query, cls.object)
    test = all if joiner == "AND" else any
    found = [obj for obj in list(store.values())
             if isinstance(obj, cls) and visible(obj) and test(_holds(obj, c) for c in clauses)]
    found.sort(key=lambda o: o.created, reverse=True)
    limit = int(params.get("limit") or 10)
    return json_response({"object": "search_result", "url": request.path,
                          "data": [obj._export() for obj in found[:limit]],
                          "has_more": len(found) > limit, "next_page": None})
