"""Domain errors and their JSON form `{"error": {"code", "message", "fields"}}`."""

from __future__ import annotations

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException


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
    return request.path.startswith("/api/") or request.is_json


def register_errorhandlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(err: DomainError):
        return jsonify(err.to_dict()), err.status

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        if not _wants_json():
            return err
        body: dict = {"code": (err.name or "error").lower().replace(" ", "_"),
                      "message": err.description}
        # flask-smorest / webargs put validation messages here.
        messages = getattr(err, "data", {}).get("messages") if hasattr(err, "data") else None
        if messages:
            fields = {}
            for location in messages.values():
                fields.update(location)
            body["fields"] = fields
            body["code"] = "invalid"
        return jsonify({"error": body}), err.code
