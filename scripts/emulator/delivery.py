"""Webhook delivery modes: `ordered` (the default) and `chaos` (no kinder than Stripe).

`ordered` is localstripe's own delivery (through owners.py): each event once, in creation
order, about a second later. Stripe promises less: an event may arrive more than once, events
arrive in any order, and a delivery that is not answered 2xx in time is retried with backoff
for up to three days. `chaos` does all of that, compressed into seconds:

- each event is delivered once or more (the same event id: a redelivery, as Stripe's);
- every copy waits its own random delay (0 .. `max_delay` s), so the events of one flow
  arrive out of order;
- an attempt may be lost before it reaches the endpoint, or its 2xx lost on the way back (the
  endpoint processed it; Stripe saw a timeout); a lost attempt, a non-2xx and a timeout are
  retried after `backoff` * 2**n seconds, up to `max_attempts` attempts.

Every choice comes from one `random.Random(seed)`, drawn when the event is created, so a seed
(printed at start and on every change, settable) replays the same plan for the same requests.

Chosen at start by the environment (`EMULATOR_WEBHOOKS=chaos`, `EMULATOR_WEBHOOKS_SEED=42`) or
at any time by a test control:

    GET  /_test/webhooks        {"mode", "seed", ..., "pending": copies not finished yet,
                                 "stats": {...}, "plan": the last planned copies}
    POST /_test/webhooks/mode   body: {"mode": "chaos" | "ordered" | "default", "seed": int,
                                 "max_delay": s, "duplicate_rate": 0..1, "loss_rate": 0..1,
                                 "max_attempts": n, "backoff": s}; "default": the mode and
                                 settings the emulator was started with
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import random
import time
from collections import deque
from collections.abc import Awaitable
from typing import Any

import aiohttp
from aiohttp import web
from localstripe import webhooks
from localstripe.errors import UserError

log = logging.getLogger("emulator.webhooks")
MODES = ("ordered", "chaos")
DEFAULTS: dict[str, Any] = {"mode": "ordered", "seed": None, "max_delay": 1.5,
                            "duplicate_rate": 0.5, "loss_rate": 0.3, "max_attempts": 6,
                            "backoff": 0.2, "timeout": 10.0}
SETTINGS: dict[str, Any] = dict(DEFAULTS)
STARTED_WITH: dict[str, Any] = dict(DEFAULTS)
STATS: dict[str, int] = {}
PLAN: deque = deque(maxlen=200)
_state: dict[str, Any] = {"pending": 0, "rng": random.Random(), "ordered": None}


def _reset_stats() -> None:
    STATS.update(events=0, copies=0, attempts=0, delivered=0, lost_before=0, lost_after=0,
                 refused=0, given_up=0)
    PLAN.clear()


def configure(changes: dict) -> dict:
    """Apply mode and settings (a missing seed draws a new one); prints the seed."""
    if changes.get("mode") == "default":
        changes = dict(STARTED_WITH, seed=changes.get("seed"))
    new = dict(SETTINGS, seed=None) | {k: v for k, v in changes.items() if k in DEFAULTS}
    if new["mode"] not in MODES:
        raise UserError(400, f"mode is one of {', '.join(MODES)} or default.")
    try:
        for key in ("max_delay", "duplicate_rate", "loss_rate", "backoff", "timeout"):
            new[key] = float(new[key])
        new["max_attempts"] = max(1, int(new["max_attempts"]))
        new["seed"] = int(new["seed"]) if new["seed"] is not None else random.randrange(10**6)
    except (TypeError, ValueError):
        raise UserError(400, "seed, max_attempts: integers; the others: numbers.") from None
    SETTINGS.update(new)
    _state["rng"] = random.Random(new["seed"])
    _reset_stats()
    # printed, not only logged: the seed of a failing run is in the emulator's output
    print(f"emulator webhooks: mode {new['mode']}, seed {new['seed']} "
          f"(EMULATOR_WEBHOOKS_SEED={new['seed']} replays it)", flush=True)
    return status()


def status() -> dict:
    return dict(SETTINGS, pending=_state["pending"], stats=dict(STATS), plan=list(PLAN))


# -- planning (at event creation: the draws follow the order events are made in) ---------------
def _plan(event: Any) -> list[dict]:
    rng, s = _state["rng"], SETTINGS
    copies = 1 + (rng.random() < s["duplicate_rate"]) + (rng.random() < s["duplicate_rate"] / 4)
    plan = []
    for copy in range(copies):
        losses = []
        for _attempt in range(s["max_attempts"] - 1):  # the last attempt is never lost
            losses.append(rng.choice(("before", "after")) if rng.random() < s["loss_rate"]
                          else None)
        plan.append({"event": event.id, "type": event.type, "copy": copy,
                     "delay": round(rng.uniform(0, s["max_delay"]), 3), "losses": losses})
    return plan


def dispatch(event: Any) -> Awaitable[None]:
    """What localstripe's schedule_webhook runs (it looks `_send_webhook` up by name): plans
    now, in the caller's order; the awaitable delivers."""
    STATS["events"] += 1
    if SETTINGS["mode"] == "ordered":
        return _counted(_state["ordered"](event))
    plan = _plan(event)
    PLAN.extend(plan)
    return _counted(asyncio.gather(*(_deliver_copy(event, copy) for copy in plan)))


def _counted(work: Awaitable[Any]) -> Awaitable[None]:
    """Pending from now (the event's request has not even answered yet) until delivered."""
    _state["pending"] += 1

    async def counted() -> None:
        try:
            await work
        finally:
            _state["pending"] -= 1
    return counted()


# -- delivery --------------------------------------------------------------------------------
def _endpoints(event: Any) -> list[Any]:
    """The registered endpoints that take this event (its type, its side: Connect or not)."""
    connected = bool(getattr(event, "_account", None))
    return [hook for hook in list(webhooks._webhooks.values())
            if (hook.events is None or event.type in hook.events)
            and bool(getattr(hook, "connect", False)) == connected]


async def _deliver_copy(event: Any, copy: dict) -> None:
    STATS["copies"] += 1
    await asyncio.sleep(copy["delay"])
    payload = json.dumps(event._export(), indent=2, sort_keys=True).encode("utf-8")
    await asyncio.gather(*(_until_delivered(event, payload, hook, copy["losses"])
                           for hook in _endpoints(event)))


async def _until_delivered(event: Any, payload: bytes, hook: Any, losses: list) -> None:
    """Attempts with backoff until one is answered 2xx (and the answer is not lost)."""
    for attempt in range(SETTINGS["max_attempts"]):
        if attempt:
            await asyncio.sleep(SETTINGS["backoff"] * 2 ** (attempt - 1))
        if not any(h is hook for h in webhooks._webhooks.values()):
            return  # the endpoint was replaced or muted since (a test's teardown): no retries
        STATS["attempts"] += 1
        loss = losses[attempt] if attempt < len(losses) else None
        if loss == "before":
            STATS["lost_before"] += 1
            continue
        ok = await _post(event, payload, hook)
        if ok and loss == "after":
            STATS["lost_after"] += 1  # processed by the endpoint; Stripe saw a timeout
            continue
        if ok:
            STATS["delivered"] += 1
            return
        STATS["refused"] += 1
    STATS["given_up"] += 1
    log.warning('webhook "%s" %s given up after %d attempts', event.type, event.id,
                SETTINGS["max_attempts"])


async def _post(event: Any, payload: bytes, hook: Any) -> bool:
    # Stripe signs each attempt at the time it is made (a retry hours later still verifies),
    # on the real clock even while a test has moved the emulator's
    at = int(time.time())
    signature = hmac.new(hook.secret.encode("utf-8"), b"%d.%s" % (at, payload),
                         hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json; charset=utf-8",
               "Stripe-Signature": f"t={at},v1={signature}"}
    timeout = aiohttp.ClientTimeout(total=SETTINGS["timeout"])
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session, \
                session.post(hook.url, data=payload, headers=headers) as r:
            log.info('webhook "%s" %s -> %d', event.type, event.id, r.status)
            return 200 <= r.status < 300
    except (TimeoutError, aiohttp.ClientError) as exc:
        log.info('webhook "%s" %s failed: %r', event.type, event.id, exc)
        return False


# -- install and controls ----------------------------------------------------------------------
def install() -> None:
    """After owners.install(): its sender is the ordered mode's. (This module must not import
    localstripe.server: its router binds the routes before intents.py replaces them.)"""
    _state["ordered"] = webhooks._send_webhook
    webhooks._send_webhook = dispatch
    mode = os.environ.get("EMULATOR_WEBHOOKS") or "ordered"
    seed = os.environ.get("EMULATOR_WEBHOOKS_SEED") or None
    configure({"mode": mode, "seed": seed})
    STARTED_WITH.update(SETTINGS)


async def _get(_request: web.Request) -> web.Response:
    return web.json_response(status())


async def _set(request: web.Request) -> web.Response:
    try:
        body = json.loads(await request.text() or "{}")
    except ValueError:
        raise UserError(400, "The body of a test control is JSON.") from None
    if not isinstance(body, dict):
        raise UserError(400, "The body of a test control is a JSON object.")
    return web.json_response(configure(body))


def add_routes(app: web.Application) -> None:
    app.router.add_get("/_test/webhooks", _get)
    app.router.add_post("/_test/webhooks/mode", _set)

