"""The strict layer in front of localstripe's handlers (one aiohttp middleware, outermost).

For `/v1/...`:
1. a request with a secret key (`Bearer sk_...`) must carry `Stripe-Version` equal to the pinned
   version, else 400 `api_version_invalid`; Stripe.js requests (publishable key) are exempt;
2. secret-key requests are checked against the parameter contract (contract.py);
3. a PaymentIntent confirm from Stripe.js (publishable key + `client_secret`) is let through
   localstripe's authentication, which only knows a few publishable-key routes; so is its
   retrieve (stripe.retrievePaymentIntent, the Payment Element's confirmPayment) when the
   `client_secret` is the intent's own (else 401, as Stripe answers);
4. POSTs with `Idempotency-Key` are replayed or refused as Stripe does (idempotency.py), a
   stored 500 included; a failure planned by `/_test/faults` answers instead of the handler
   (faults.py); the Search API routes are served here (search.py);
5. a 402 is a `card_error`, as Stripe types it;
6. Stripe Connect: the `Stripe-Account` header (Stripe.js: the `_stripe_account` parameter)
   names the account the request acts on (owners.py); an unknown, deleted or deauthorized
   account is refused with 403 `account_invalid`; idempotency keys are per (key, account).
`POST /_config/webhooks/{id}` takes a `connect` flag: true, the endpoint receives the events of
connected accounts only; false or absent, the platform's only.
`DELETE /_config/idempotency` forgets every idempotency key (so does `DELETE /_config/data`).
It also serves `/js.stripe.com/v3/`: localstripe's fake Stripe.js followed by
`scripts/emulator/stripe-js-extra.js`, `stripe-js-payment-element.js` and
`stripe-js-confirm-payment.js` when they exist (read at each request).
"""

from __future__ import annotations

import base64
import json
import logging
import re
from pathlib import Path
from typing import Any

from aiohttp import web
from localstripe import server
from localstripe.errors import UserError
from localstripe.resources import PaymentIntent

from . import accounts, faults, search
from .contract import violation
from .events import SECRET_KEY_REQUEST
from .idempotency import IdempotencyCache, fingerprint, in_use_error, mismatch_error
from .owners import ACCOUNT, ANY, set_connect

EXTRA_JS = tuple(Path(__file__).with_name(name) for name in (
    "stripe-js-extra.js", "stripe-js-payment-element.js", "stripe-js-confirm-payment.js"))
LOCALSTRIPE_JS = Path(server.__file__).with_name("localstripe-v3.js")
PK_CONFIRM = re.compile(r"/v1/payment_intents/\w+/confirm")
#: Stripe.js creates the card's PaymentMethod with the publishable key, as real Stripe allows
PK_CREATE = re.compile(r"/v1/payment_methods")
#: Stripe.js reads an intent with its client_secret (retrievePaymentIntent, confirmPayment)
PK_RETRIEVE = re.compile(r"/v1/payment_intents/(pi_\w+)")
PK_OK = "emulator.publishable_ok"
#: Stripe.js sends the account of `Stripe(pk, {stripeAccount})` as this parameter
JS_ACCOUNT = "_stripe_account"
WEBHOOK_CONFIG = re.compile(r"/_config/webhooks/([^/]+)")
OPEN_PATHS = ("/_test/", "/_connect/", "/oauth/")
log = logging.getLogger("emulator")


def _error(status: int, error: dict, headers: dict | None = None) -> web.Response:
    return server.json_response({"error": error}, status=status, headers=headers)


def api_key(request: web.Request, params: dict) -> str | None:
    """The secret or publishable key of a request: Authorization header, else body `key`."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme == "Bearer" and value:
        return value
    if scheme == "Basic" and value:
        try:
            return base64.b64decode(value).decode().split(":")[0]
        except ValueError:
            return None
    key = params.get("key")
    return key if isinstance(key, str) else None


async def read_params(request: web.Request) -> dict:
    if request.method == "POST":
        return await server.get_post_data(request, remove_auth=False) or {}
    return server.unflatten_data(request.query) or {}


def stripe_js(_request: web.Request) -> web.Response:
    text = LOCALSTRIPE_JS.read_text()
    for extra in EXTRA_JS:
        if extra.exists():
            text += "\n" + extra.read_text()
    return web.Response(text=text, content_type="application/javascript")


def make_middleware(api_version: str, cache: IdempotencyCache):
    @web.middleware
    async def strict(request: web.Request, handler):
        if request.path == "/js.stripe.com/v3/":
            return stripe_js(request)
        if request.method == "DELETE" and request.path == "/_config/data":
            cache.clear()
            faults.reset()
        if request.method == "DELETE" and request.path == "/_config/idempotency":
            cache.clear()  # a new Stripe account, as far as idempotency keys go
            return web.Response()
        if request.path.startswith(OPEN_PATHS):
            # test controls, onboarding pages, OAuth: no API key, like /_config
            request[PK_OK] = True
        if not request.path.startswith("/v1/"):
            ACCOUNT.set(ANY)  # set for every request: keep-alive requests share one task
            hook = WEBHOOK_CONFIG.fullmatch(request.path)
            if hook and request.method == "POST":
                return await _config_webhook(request, handler, hook.group(1))
            return await handler(request)
        try:
            return await _v1(request, handler, api_version, cache)
        except UserError as exc:
            return exc.to_response()
    return strict


async def _v1(request, handler, api_version: str, cache: IdempotencyCache) -> web.StreamResponse:
    params = await read_params(request)
    key = api_key(request, params) or ""
    # Set for every /v1 request: aiohttp serves a keep-alive connection's requests in one task.
    SECRET_KEY_REQUEST.set(key.startswith("sk_"))
    ACCOUNT.set(None)
    account = request.headers.get("Stripe-Account") or (
        None if key.startswith("sk_") else params.get(JS_ACCOUNT))
    if account:
        accounts.usable(account)  # 403 account_invalid
        ACCOUNT.set(account)
    if key.startswith("sk_"):
        refused = _refusal(request, params, api_version)
        if refused is not None:
            return refused
    elif key.startswith("pk_") and PK_CONFIRM.fullmatch(request.path):
        if not params.get("client_secret"):
            raise UserError(401, "Unauthorized")
        request[PK_OK] = True
    elif key.startswith("pk_") and request.method == "POST" and PK_CREATE.fullmatch(
            request.path):
        request[PK_OK] = True
    elif key.startswith("pk_") and request.method == "GET" and PK_RETRIEVE.fullmatch(
            request.path):
        _own_secret(PK_RETRIEVE.fullmatch(request.path).group(1), params.get("client_secret"))
        request[PK_OK] = True
    if request.method == "GET" and request.path in search.ROUTES:
        handler = _search_handler
    handler = faults.faulty(handler)
    idem = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not idem:
        return _card_error_type(await handler(request))
    owner = f"{key}\x00{account}" if account else key  # the platform's slots as before Connect
    return await _idempotent(request, handler, cache, cache.slot(owner, idem),
                             fingerprint(request.method, request.path, params))


async def _search_handler(request: web.Request) -> web.Response:
    return search.search(request)


async def _config_webhook(request, handler, hook_id: str) -> web.StreamResponse:
    params = await read_params(request)
    response = await handler(request)
    if response.status == 200:
        set_connect(hook_id, str(params.get("connect", "")).lower() in ("true", "1"))
    return response


def _refusal(request: web.Request, params: dict, api_version: str) -> web.Response | None:
    version = request.headers.get("Stripe-Version")
    if version != api_version:
        log.warning("refused %s %s: Stripe-Version %r", request.method, request.path, version)
        return _error(400, {
            "type": "invalid_request_error", "code": "api_version_invalid",
            "message": f"This emulator answers only at API version {api_version}; the request "
                       f"had Stripe-Version {version!r}. Send the pinned version."})
    error = violation(request.method, request.path, params)
    if error is None:
        return None
    # One line per refusal, so that a failing app test shows which request to fix.
    log.warning("refused %s %s: %s %s", request.method, request.path, error["code"],
                error["param"])
    return _error(400, error)


async def _idempotent(request, handler, cache: IdempotencyCache, slot: str, fp: str):
    entry = cache.get(slot)
    if entry is not None:
        if entry["fp"] != fp:
            return _error(400, mismatch_error())
        return web.Response(body=entry["body"].encode(), status=entry["status"],
                            content_type="application/json",
                            headers={"Idempotent-Replayed": "true"})
    if slot in cache.running:
        return _error(409, in_use_error())
    cache.running.add(slot)
    try:
        response = _card_error_type(await handler(request))
        # Stripe keeps a 5xx too: the same key sent again gets the same 500 for 24 h
        if isinstance(response, web.Response) and response.body:
            cache.put(slot, fp, response.status, bytes(response.body))
        return response
    finally:
        cache.running.discard(slot)


def _card_error_type(response: Any) -> Any:
    """localstripe types every error invalid_request_error; Stripe answers 402 as card_error."""
    if getattr(response, "status", None) != 402 or not isinstance(response, web.Response):
        return response
    try:
        body = json.loads(response.body)
    except (TypeError, ValueError):
        return response
    error = body.get("error", {})
    if error.get("type") == "invalid_request_error":
        error["type"] = "card_error"
        if error.get("code") == "card_declined":
            error.setdefault("decline_code", "generic_decline")
        return server.json_response(body, status=402)
    return response


def _own_secret(intent_id: str, secret: Any) -> None:
    """A publishable-key read of an intent needs that intent's client_secret (401 else)."""
    try:
        ok = PaymentIntent._api_retrieve(intent_id).client_secret == secret
    except UserError:
        ok = False
    if not ok:
        raise UserError(401, "Unauthorized")


def install(app: web.Application, api_version: str, cache: IdempotencyCache) -> None:
    app.middlewares.insert(0, make_middleware(api_version, cache))
    original = server.get_api_key

    def get_api_key(request):
        # localstripe's auth accepts a publishable key on a few routes only; the check above
        # (client_secret required, matched by the confirm itself) stands in for it.
        return "pk_checked" if request.get(PK_OK) else original(request)

    server.get_api_key = get_api_key
    original_post_data = server.get_post_data

    async def get_post_data(request, remove_auth=True):
        data = await original_post_data(request, remove_auth=remove_auth)
        if data and remove_auth:
            data.pop(JS_ACCOUNT, None)  # an authentication detail, like `key`
        return data

    server.get_post_data = get_post_data
