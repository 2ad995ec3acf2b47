"""Signed, expiring client links: the client has no account, the token is its key."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"skod:{purpose}")


def make_token(purpose: str, object_id: int) -> str:
    return _serializer(purpose).dumps({"id": object_id})


def read_token(purpose: str, token: str, max_age: timedelta | None = None) -> int | None:
    """The object id the token was made for, or None when forged or expired."""
    age = max_age or current_app.config["CLIENT_LINK_MAX_AGE"]
    try:
        data = _serializer(purpose).loads(token, max_age=int(age.total_seconds()))
    except (BadSignature, SignatureExpired):
        return None
    return data.get("id") if isinstance(data, dict) else None


def expired_for(purpose: str, token: str, object_id: int) -> bool:
    """A genuine link to this object whose time is over (signature right, age too old)."""
    try:
        data = _serializer(purpose).loads(token)  # no max_age: the signature only
    except BadSignature:
        return False
    return isinstance(data, dict) and data.get("id") == object_id


def signed_or_404(model: type, purpose: str, object_id: int, token: str):  # noqa: ANN201
    """The row a client link opens: 410 for this object's expired link (the page says to ask
    for a new one), 404 for a forged or other object's token, or a row that does not exist
    (the page says nothing more to a stranger)."""
    from skod.extensions import db

    if read_token(purpose, token) != object_id:
        abort(410 if expired_for(purpose, token, object_id) else 404)
    row = db.session.get(model, object_id)
    if row is None:
        abort(404)
    return row
