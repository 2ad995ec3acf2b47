"""Limits on password guessing: failed logins counted per account and address, per address,
and per account alone under a high ceiling.

A guesser is held back by the address he tries from: LOGIN_LIMIT_PER_ACCOUNT_ADDRESS failures
on one account from one address, LOGIN_LIMIT_PER_ADDRESS failures from one address over every
account. A flood from other addresses therefore never locks the owner out of his own: only
LOGIN_LIMIT_PER_ACCOUNT, a high ceiling per account whatever the address (a botnet spread over
thousands of addresses), can, and a password reset lifts it (clear_account).

The login page (POST /login) and the API's POST /api/v1/auth/tokens share the counters, so an
attacker cannot try his guesses on each. Only failed attempts count (a wrong password, a form
with errors): a provider who logs in often is never locked out by his own successes. Past a
limit the answer is 429 with Retry-After, even for the right password, until the window ends.
The counters live in Redis when RATE_LIMIT_REDIS_URL (or a Redis Celery broker) is set, else in
the process.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, request
from flask.wrappers import Response
from flask_limiter.util import get_remote_address
from limits import parse

from skod.extensions import limiter

ACCOUNT_SCOPE = "login-account"
RESET_LIMIT_PER_ACCOUNT = "5 per hour"
RESET_LIMIT_PER_ADDRESS = "30 per hour"


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI",
                          app.config.get("RATE_LIMIT_REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "skod-login")
    # Retry-After (and X-RateLimit-*) on the limited routes
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)


def _email() -> str | None:
    """The e-mail tried, from the form or the JSON body, as accounts store it."""
    data = request.form if request.form else request.get_json(silent=True)
    email = data.get("email") if hasattr(data, "get") else None
    if isinstance(email, str) and email.strip():
        return email.strip().lower()[:254]
    return None


def _account_key() -> str:
    """The account tried (the address when the request names none)."""
    email = _email()
    return "account:" + email if email else "address:" + get_remote_address()


def _account_address_key() -> str:
    """The account tried from this address."""
    return f"{_account_key()}|from:{get_remote_address()}"


def _failed(response: Response) -> bool:
    """A login that did not succeed: success is a redirect (page) or 201 (token)."""
    return response.status_code not in (201, 302, 303)


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def login_limits(view: Callable) -> Callable:
    """Decorator of the login views: the three limits, POST only, shared between the views."""
    limits = [
        ("LOGIN_LIMIT_PER_ADDRESS", "login-address", get_remote_address),
        ("LOGIN_LIMIT_PER_ACCOUNT_ADDRESS", "login-account-address", _account_address_key),
        ("LOGIN_LIMIT_PER_ACCOUNT", ACCOUNT_SCOPE, _account_key),
    ]
    for setting, scope, key in reversed(limits):
        view = limiter.shared_limit(_setting(setting), scope=scope, key_func=key,
                                    methods=["POST"], deduct_when=_failed)(view)
    return view


def reset_limits(view: Callable) -> Callable:
    """Decorator of the password-reset requests (page and API): every request counts, so that
    nobody floods a mailbox with reset links (RESET_LIMIT_PER_ACCOUNT) or sends them to many
    (RESET_LIMIT_PER_ADDRESS)."""
    per_address = limiter.shared_limit(RESET_LIMIT_PER_ADDRESS, scope="reset-address",
                                       key_func=get_remote_address, methods=["POST"])
    per_account = limiter.shared_limit(RESET_LIMIT_PER_ACCOUNT, scope="reset-account",
                                       key_func=_account_key, methods=["POST"])
    return per_address(per_account(view))


def clear_account(email: str) -> None:
    """Lift the per-account ceiling of this e-mail (after a password reset: the owner proved
    he holds the mailbox, the guesses counted so far are against a password that is gone)."""
    cfg = current_app.config
    limit = parse(cfg["LOGIN_LIMIT_PER_ACCOUNT"])
    limiter.limiter.clear(limit, cfg["RATELIMIT_KEY_PREFIX"],
                          "account:" + email.strip().lower()[:254], ACCOUNT_SCOPE)
