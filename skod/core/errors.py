"""Domain errors and their JSON form `{"error": {"code", "message", "fields"}}`.

Also the guards that keep bad input from ever becoming a 500 on the API and the webhook:
body size limits, malformed, too deep or non-encodable JSON, NUL bytes, and database errors
caused by input.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import DataError, IntegrityError, StatementError
from werkzeug.exceptions import BadRequest, HTTPException

from skod.core import json_input, validation_words

log = logging.getLogger(__name__)

#: Request body ceilings (bytes). Stripe events are a few KB; the API takes small JSON bodies;
#: attachments (multipart, one file of at most messages.attachments.MAX_BYTES) get their own.
API_MAX_BODY = 256 * 1024
WEBHOOK_MAX_BODY = 256 * 1024
ATTACHMENT_MAX_BODY = 6 * 1024 * 1024


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields
        if code:
            self.code = code

    def to_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return {"error": body}


class Unauthorized(DomainError):
    status, code = 401, "unauthorized"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class NotFound(DomainError):
    status, code = 404, "not_found"


class Conflict(DomainError):
    status, code = 409, "conflict"


class Invalid(DomainError):
    status, code = 422, "invalid"


class PaymentProblem(DomainError):
    """A card problem the client can act on (declined, authentication needed)."""

    status, code = 402, "payment_failed"


def _wants_json() -> bool:
    return (request.path.startswith(("/api/", "/stripe/")) or request.is_json)


def _error(status: int, code: str, message: str, fields: dict | None = None) -> Response:
    body: dict = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    response = jsonify({"error": body})
    response.status_code = status
    return response


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _body_limit() -> int | None:
    path = request.path
    if path.startswith("/stripe/webhook"):
        return WEBHOOK_MAX_BODY
    if path.startswith("/api/") and path.endswith("/attachments"):
        return ATTACHMENT_MAX_BODY
    if path.startswith("/api/"):
        return API_MAX_BODY
    return None


def _guard_api_input() -> Response | None:
    """Before any view: size limit; on /api, no NUL in the path or query; on any JSON body
    (but the webhook's, signed and checked there), the checks of _guard_json."""
    limit = _body_limit()
    if limit is not None:
        request.max_content_length = limit
    is_api = request.path.startswith("/api/")
    if is_api and (_has_nul(request.path) or any(
            _has_nul(k) or _has_nul(v) for k, v in request.args.items(multi=True))):
        return _error(400, "invalid", "NUL bytes are not accepted")
    if (request.mimetype == "application/json" and request.content_length != 0
            and not request.path.startswith("/stripe/")):
        return _guard_json()
    return None


def _guard_json() -> Response | None:
    """A JSON body that parses, is at most MAX_JSON_DEPTH deep (checked before parsing: the
    parser would recurse until RecursionError) and holds no lone surrogate (400); a NUL in a
    string is refused like the control characters the schemas refuse: 422 naming the field."""
    data = request.get_data(cache=True)
    if not data:
        return None
    if json_input.depth_exceeds(data):
        return _error(400, "malformed_json",
                      f"the body is nested deeper than {json_input.MAX_JSON_DEPTH} levels")
    try:
        parsed = request.get_json(cache=True)
    except BadRequest:
        return _error(400, "malformed_json", "the body is not valid JSON")
    found = json_input.bad_string(parsed)
    if found and found[0] == "surrogate":
        return _error(400, "malformed_json", "the body holds a lone UTF-16 surrogate")
    if found:
        return _error(422, "invalid", "NUL bytes are not accepted",
                      json_input.nested_fields(found[1], "a NUL character is not accepted"))
    return None


def http_error(err: HTTPException):
    """The JSON error body on the API (and for JSON callers); the HTML error page elsewhere."""
    if not _wants_json():
        from skod.core.error_pages import error_page

        return error_page(err)
    code = (err.name or "error").lower().replace(" ", "_")
    fields = None
    # flask-smorest / webargs put validation messages here.
    data = getattr(err, "data", None)
    messages = data.get("messages") if isinstance(data, dict) else None
    if isinstance(messages, dict) and messages:
        fields = {}
        for location in messages.values():
            if isinstance(location, dict):
                fields.update(location)
            else:
                fields.setdefault("_schema", location)
        fields = validation_words.translated(fields)  # in the caller's language, same shape
        code = "invalid"
    response = _error(err.code or 500, code, str(err.description or err.name), fields)
    if err.code == 405 and getattr(err, "valid_methods", None):
        response.headers["Allow"] = ", ".join(err.valid_methods)
    return response


def _database_error(err: StatementError):
    """Input the schemas let through and the database refused: never a 500."""
    from skod.extensions import db

    db.session.rollback()
    if isinstance(err, IntegrityError):
        log.info("integrity error from input: %s", err.orig)
        return _error(409, "conflict", "this conflicts with existing data")
    log.info("data error from input: %s", err.orig)
    return _error(422, "invalid", "a value is out of the accepted range")


def register_errorhandlers(app: Flask) -> None:
    # first of all: the login limiter's key function reads the JSON body too
    app.before_request_funcs.setdefault(None, []).insert(0, _guard_api_input)

    @app.errorhandler(DomainError)
    def domain_error(err: DomainError):
        return jsonify(err.to_dict()), err.status

    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(DataError, _database_error)
    app.register_error_handler(IntegrityError, _database_error)

    @app.errorhandler(StatementError)
    def statement_error(err: StatementError):
        # psycopg refuses a NUL byte in a bound string with ValueError before the query runs
        if isinstance(err.orig, ValueError):
            return _database_error(DataError(err.statement, err.params, err.orig))
        raise err
