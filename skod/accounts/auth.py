"""Who is calling the JSON API: a provider (API token) or a client (signed booking token).

Only bearer tokens count here, never the provider's session cookie: a browser sends the cookie
with any cross-site form post, so accepting it would let another site refund or cancel in the
provider's name (the API blueprints carry no CSRF token). The provider pages use their own
CSRF-protected forms instead."""

from __future__ import annotations

from flask import request

from skod.accounts.models import Provider
from skod.accounts.tokens import provider_for
from skod.core.clock import utcnow
from skod.core.errors import Forbidden, NotFound, Unauthorized
from skod.core.signing import read_token


def bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def optional_provider() -> Provider | None:
    token = bearer()
    if token and token.startswith("skp_"):
        return provider_for(token, utcnow())
    return None


def require_provider() -> Provider:
    provider = optional_provider()
    if provider is None:
        raise Unauthorized("a provider token is required")
    return provider


def access(purpose: str, object_id: int, owner_id: int) -> str:
    """'provider' or 'client' for the caller of this object; others get 404 (no leak)."""
    token = bearer()
    if token and not token.startswith("skp_"):
        if read_token(purpose, token) == object_id:
            return "client"
        raise NotFound(f"{purpose} not found")
    provider = optional_provider()
    if provider is None:
        raise Unauthorized("a provider token or the client token is required")
    if provider.id != owner_id:
        raise NotFound(f"{purpose} not found")
    return "provider"


def reach(model: type, purpose: str, object_id: int, role: str | None = None) -> tuple:
    """(row, caller's role) of a booking, message or project: its provider or the holder of
    its client token; a missing row or a stranger gets 404, the wrong side (when `role` is
    asked) 403."""
    from skod.extensions import db

    row = db.session.get(model, object_id)
    if row is None:
        raise NotFound(f"{purpose} not found")
    caller = access(purpose, row.id, row.provider_id)
    if role is not None and caller != role:
        raise Forbidden(f"only the {role} can do this")
    return row, caller
