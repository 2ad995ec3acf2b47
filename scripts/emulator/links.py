"""Account links: Stripe's hosted onboarding of a connected account, as an emulator page.

    POST /v1/account_links     {account, type=account_onboarding|account_update, refresh_url,
                                return_url} -> {"object": "account_link", "url", "created",
                                "expires_at"} (the link lives 5 minutes, used once)
    GET  /_connect/onboarding/{token}   the page: a "Complete onboarding" button
    POST /_connect/onboarding/{token}   onboards the account (as /_test/accounts/{id}/onboard)
                                        and redirects (303) to return_url

An expired or used link redirects (303) to refresh_url, where the platform makes a new one.
"""

from __future__ import annotations

import html
from typing import Any

from aiohttp import web
from localstripe import server
from localstripe.resources import random_id, store

from . import accounts, clock
from .events import StripeError

LIFETIME = 300
TYPES = ("account_onboarding", "account_update")
PREFIX = "_account_link:"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; padding: 1.5rem; background: #f6f9fc;
       color: #1a1f36; }}
main {{ max-width: 28rem; margin: 0 auto; background: #fff; border-radius: .5rem;
       padding: 1.5rem; box-shadow: 0 1px 3px rgba(0,0,0,.15); }}
h1 {{ font-size: 1.3rem; margin-top: 0; }}
p {{ line-height: 1.5; overflow-wrap: anywhere; }}
button {{ display: block; width: 100%; padding: .8rem; margin-top: .8rem; font-size: 1rem;
         border: 0; border-radius: .4rem; background: #635bff; color: #fff; cursor: pointer; }}
button.secondary {{ background: #e3e8ee; color: #1a1f36; }}
</style></head>
<body><main>
<h1>{title}</h1>
{body}
</main></body></html>
"""


def page(title: str, body: str, status: int = 200) -> web.Response:
    return web.Response(text=PAGE.format(title=html.escape(title), body=body),
                        content_type="text/html", status=status)


def _required(params: dict, name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise StripeError(400, {"type": "invalid_request_error", "code": "parameter_missing",
                                "param": name, "message": f"Missing required param: {name}."})
    return value


async def create_link(request: web.Request) -> web.Response:
    """POST /v1/account_links (the platform's key, no Stripe-Account)."""
    params = await server.get_post_data(request) or {}
    account = accounts.usable(_required(params, "account"))
    kind = _required(params, "type")
    if kind not in TYPES:
        raise StripeError(400, {"type": "invalid_request_error", "param": "type",
                                "code": "parameter_invalid_string",
                                "message": f"Invalid type: must be one of {', '.join(TYPES)}"})
    refresh_url, return_url = _required(params, "refresh_url"), _required(params, "return_url")
    token = random_id(24)
    created = int(clock.now())
    store[PREFIX + token] = {"account": account.id, "refresh_url": refresh_url,
                             "return_url": return_url, "expires_at": created + LIFETIME,
                             "used": False}
    return server.json_response({
        "object": "account_link", "created": created, "expires_at": created + LIFETIME,
        "url": f"{request.scheme}://{request.host}/_connect/onboarding/{token}"})


def _link(request: web.Request) -> dict | None:
    return store.get(PREFIX + request.match_info["token"])


def _stale(link: dict) -> bool:
    return link["used"] or clock.now() >= link["expires_at"]


async def onboarding_page(request: web.Request) -> web.Response:
    link = _link(request)
    if link is None:
        return page("Link not found", "<p>This onboarding link does not exist.</p>", 404)
    if _stale(link):
        raise web.HTTPSeeOther(link["refresh_url"])
    account = accounts.find(link["account"])
    body = (f"<p>Stripe test onboarding for account <code>{html.escape(account.id)}</code>.</p>"
            "<p>In test mode no information is needed: completing onboarding enables card "
            "payments and payouts.</p>"
            '<form method="post"><button type="submit">Complete onboarding</button></form>')
    return page("Set up payments", body)


async def complete_onboarding(request: web.Request) -> web.Response:
    link = _link(request)
    if link is None:
        return page("Link not found", "<p>This onboarding link does not exist.</p>", 404)
    if _stale(link):
        raise web.HTTPSeeOther(link["refresh_url"])
    link["used"] = True
    accounts.onboard(accounts.usable(link["account"]))
    raise web.HTTPSeeOther(link["return_url"])


def add_routes(app: Any) -> None:
    app.router.add_post("/v1/account_links", create_link)
    app.router.add_get("/_connect/onboarding/{token}", onboarding_page)
    app.router.add_post("/_connect/onboarding/{token}", complete_onboarding)
