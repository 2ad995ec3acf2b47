"""Stripe Connect OAuth, for an account holder who already has a Stripe account.

    GET  /oauth/authorize?response_type=code&client_id=ca_...&scope=read_write&redirect_uri=...
         &state=...[&stripe_user[email]=...]   a page with "Connect" and "Cancel"
    POST /oauth/authorize   Connect: reuses the account with that email (authorized again) or
                            creates one, onboarded, and redirects (303) to
                            redirect_uri?code=ac_...&state=...; Cancel: redirect_uri?error=
                            access_denied&error_description=...&state=...
    POST /oauth/token       {grant_type=authorization_code, code} -> {"stripe_user_id",
                            "scope", "livemode": false, "token_type": "bearer", ...}; a code
                            works once; errors {"error": "invalid_grant", ...} (400)
    POST /oauth/deauthorize {client_id, stripe_user_id} -> {"stripe_user_id"}; the account is
                            deauthorized (event account.application.deauthorized)

The SDK sends token and deauthorize to its "connect" base address: point it at the emulator.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from localstripe import server
from localstripe.resources import random_id, store

from . import accounts
from .links import page

CODES: dict[str, dict] = {}  # in memory: a code is used within seconds of its making
FIELDS = ("client_id", "redirect_uri", "state", "scope", "stripe_user[email]")


def _oauth_error(error: str, description: str, status: int = 400) -> web.Response:
    return server.json_response({"error": error, "error_description": description},
                                status=status)


def _redirect(uri: str, **query: Any) -> web.HTTPSeeOther:
    sep = "&" if "?" in uri else "?"
    return web.HTTPSeeOther(uri + sep + urlencode({k: v for k, v in query.items() if v}))


async def authorize_page(request: web.Request) -> web.Response:
    q = request.query
    if q.get("response_type") != "code" or not q.get("client_id", "").startswith("ca_"):
        return page("Invalid request", "<p>response_type=code and a client_id (ca_...) are "
                    "required.</p>", 400)
    if not q.get("redirect_uri"):
        return page("Invalid request", "<p>redirect_uri is required.</p>", 400)
    hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(q[k])}">'
                     for k in FIELDS if k in q)
    body = ("<p>Connect your Stripe account to this platform? It will be able to take "
            "payments on your account (scope <code>read_write</code>).</p>"
            f'<form method="post">{hidden}'
            '<button type="submit" name="decision" value="connect">Connect</button>'
            '<button type="submit" name="decision" value="cancel" class="secondary">Cancel'
            "</button></form>")
    return page("Connect with Stripe", body)


def _account_for(email: str | None, client_id: str) -> Any:
    """The account with this email (authorized again), else a new onboarded one."""
    found = [a for k, a in store.items() if k.startswith("account:") and email
             and a.email == email]
    account = found[0] if found else accounts.Account(email=email)
    account._deauthorized = False
    account._client_id = client_id
    if not account.charges_enabled:
        accounts.onboard(account)
    return account


async def authorize(request: web.Request) -> web.Response:
    form = await request.post()
    uri, state = form.get("redirect_uri"), form.get("state")
    if not uri:
        return page("Invalid request", "<p>redirect_uri is required.</p>", 400)
    if form.get("decision") != "connect":
        raise _redirect(uri, error="access_denied",
                        error_description="The user denied your request", state=state)
    account = _account_for(form.get("stripe_user[email]") or None,
                           form.get("client_id") or accounts.DEFAULT_CLIENT_ID)
    code = "ac_" + random_id(24)
    CODES[code] = {"account": account.id, "scope": form.get("scope") or "read_write"}
    raise _redirect(uri, code=code, state=state)


async def token(request: web.Request) -> web.Response:
    params = await server.get_post_data(request) or {}
    if params.get("grant_type") != "authorization_code":
        return _oauth_error("unsupported_grant_type",
                            f"Unsupported grant type: {params.get('grant_type')}")
    code = params.get("code")
    grant = CODES.pop(code, None) if isinstance(code, str) else None
    if grant is None:
        return _oauth_error("invalid_grant", f"Authorization code does not exist: {code}")
    return server.json_response({
        "access_token": "sk_test_" + random_id(24), "refresh_token": "rt_" + random_id(24),
        "livemode": False, "token_type": "bearer", "scope": grant["scope"],
        "stripe_publishable_key": "pk_test_" + random_id(24),
        "stripe_user_id": grant["account"]})


async def deauthorize(request: web.Request) -> web.Response:
    params = await server.get_post_data(request) or {}
    account_id = params.get("stripe_user_id")
    account = store.get("account:" + str(account_id))
    if account is None or account._deauthorized:
        return _oauth_error("invalid_client", f"No such user: {account_id}")
    accounts.deauthorize(account)
    return server.json_response({"stripe_user_id": account.id})


def add_routes(app: Any) -> None:
    app.router.add_get("/oauth/authorize", authorize_page)
    app.router.add_post("/oauth/authorize", authorize)
    app.router.add_post("/oauth/token", token)
    app.router.add_post("/oauth/deauthorize", deauthorize)
