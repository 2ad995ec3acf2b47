"""Who is calling: a provider (API token or session) or a client (signed booking token)."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from skod.accounts.models import Provider
from skod.accounts.services import provider_for_token
from skod.core.clock import utcnow
from skod.core.errors import NotFound, Unauthorized
from skod.core.signing import read_token


def bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def optional_provider() -> Provider | None:
    token = bearer()
    if token and token.startswith("skp_"):
        return provider_for_token(token, utcnow())
    if current_user.is_authenticated:
        return current_user._get_current_object()
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
