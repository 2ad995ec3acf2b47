"""Limits on password guessing: failed logins counted per account and per address.

The login page (POST /login) and the API's POST /api/v1/auth/tokens share the counters, so an
attacker cannot try 20 passwords on each. Only failed attempts count (a wrong password, a form
with errors): a provider who logs in often is never locked out by his own successes. Past the
limit the answer is 429 with Retry-After, even for the right password, until the window ends.
Limits are settings (LOGIN_LIMIT_PER_ACCOUNT, LOGIN_LIMIT_PER_ADDRESS); the counters live in
Redis when RATE_LIMIT_REDIS_URL (or a Redis Celery broker) is set, else in the process.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, request
from flask.wrappers import Response
from flask_limiter.util import get_remote_address

from skod.extensions import limiter


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI",
                          app.config.get("RATE_LIMIT_REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "skod-login")
    # Retry-After (and X-RateLimit-*) on the limited routes
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)


def _account_key() -> str:
    """The e-mail tried, from the form or the JSON body (the address when there is none)."""
    data = request.form if request.form else request.get_json(silent=True)
    email = data.get("email") if hasattr(data, "get") else None
    if isinstance(email, str) and email.strip():
        return "account:" + email.strip().lower()[:254]
    return "address:" + get_remote_address()


def _failed(response: Response) -> bool:
    """A login that did not succeed: success is a redirect (page) or 201 (token)."""
    return response.status_code not in (201, 302, 303)


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def login_limits(view: Callable) -> Callable:
    """Decorator of the login views: both limits, POST only, shared between the two views."""
    per_address = limiter.shared_limit(
        _setting("LOGIN_LIMIT_PER_ADDRESS"), scope="login-address", key_func=get_remote_address,
        methods=["POST"], deduct_when=_failed)
    per_account = limiter.shared_limit(
        _setting("LOGIN_LIMIT_PER_ACCOUNT"), scope="login-account", key_func=_account_key,
        methods=["POST"], deduct_when=_failed)
    return per_address(per_account(view))
