"""The error answers of every API operation in the OpenAPI document.

flask-smorest documents the success answer and the 422 of `@blp.arguments`; the guards and
the domain errors (skod.core.errors) can answer more. They are added here once, by rule,
after the blueprints are registered, all with the one error schema the API returns.
"""

from __future__ import annotations

from http import HTTPStatus

from flask_smorest import Api

#: operations that anyone may call (no provider token, no client token)
PUBLIC = {("post", "/api/v1/providers"), ("post", "/api/v1/auth/tokens"),
          ("get", "/api/v1/providers/{slug}"), ("get", "/api/v1/offers/{offer_id}/slots"),
          ("post", "/api/v1/bookings"), ("post", "/api/v1/messages"),
          ("post", "/api/v1/auth/password-reset"),
          ("post", "/api/v1/auth/password-reset/confirm")}
#: operations behind the login limits (accounts.login_guard): 429 with Retry-After
THROTTLED = {("post", "/api/v1/auth/tokens"), ("post", "/api/v1/auth/password-reset")}
#: suffixes of operations where a card payment can fail
PAYING = ("/payment-method", "/confirm", "/authorize", "/card-setup", "/refund", "/end",
          "/reply", "/complete", "/approve", "/cancel", "/start", "/no-show", "/saved-card",
          "/saved-card/check")
_ERROR_REF = {"$ref": "#/components/schemas/Error"}


def _statuses(method: str, path: str, operation: dict) -> set[int]:
    statuses = {400}  # malformed JSON, NUL bytes
    if (method, path) not in PUBLIC or path == "/api/v1/auth/tokens":
        statuses |= {401, 403, 404}
    if "{" in path or path.endswith(("/bookings", "/messages")):
        statuses.add(404)  # the row of the path, or the offer the body names
    if method in ("post", "put", "patch", "delete"):
        statuses |= {409, 413, 422}
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.add(422)
    if method == "post" and (path.endswith(PAYING) or path in ("/api/v1/bookings",
                                                                 "/api/v1/messages",
                                                                 "/api/v1/projects")):
        statuses |= {402, 503}
    if path == "/api/v1/me/stripe/onboarding":
        statuses.add(503)  # Stripe could not be reached
    if (method, path) in THROTTLED or path.endswith("/saved-card/code"):
        statuses.add(429)
    return statuses


def _response(status: int) -> dict:
    return {"description": HTTPStatus(status).phrase,
            "content": {"application/json": {"schema": _ERROR_REF}}}


def document_errors(api: Api) -> None:
    """Every operation lists the error statuses it can answer, with the error schema."""
    spec = api.spec
    for path, item in spec._paths.items():  # apispec keeps the paths here; no public getter
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            responses.pop("default", None)  # every status is listed: no catch-all
            for status in sorted(_statuses(method, path, operation)):
                responses.setdefault(str(status), _response(status))
