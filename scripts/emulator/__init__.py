"""A strict layer over localstripe: Stripe as it answers at the pinned API version.

localstripe (an aiohttp app) accepts parameters real Stripe refuses and answers in the shape of
an API version years old. This package patches its resource classes and wraps its app, never
editing site-packages:

- contract.py     parameters checked against the stripe SDK's own TypedDicts
- middleware.py   Stripe-Version check, contract, idempotency, Stripe.js with its extra file
- idempotency.py  replay / mismatch of Idempotency-Key, kept beside the --state store
- shapes.py       PaymentIntent / Charge / Refund in the pinned shape (API, errors, events)
- intents.py      PaymentIntent confirm with a payment method, off-session 3-D Secure, capture,
                  cancel, hold lapse; setups.py: SetupIntent create/confirm, attach events
- declines.py     card declines: test card numbers, scripted outcomes, Stripe's 402 card_error
- refunds.py      refund statuses (pending, failed, canceled) and their events
- disputes.py     Dispute objects and GET /v1/disputes
- controls.py     /_test/... routes (documented there and in README.md); faults.py: planned
                  5xx answers and the request counter; search.py: the Search API
- events.py       webhook events through localstripe's own mechanism; delivery.py: their
                  delivery, in order (default) or as Stripe's (duplicates, any order, retries)
- owners.py       Stripe Connect: each object belongs to the platform or one connected account
                  (Stripe-Account header), 404 across accounts, events' `account`, Connect hooks
- transfers.py    bank transfers: customer_balance PaymentIntents (eu_bank_transfer);
                  cash_balance.py: virtual IBANs, cash balances, arriving transfers and their
                  reconciliation, refunds of a cash balance
- accounts.py     connected accounts; links.py: account links and the onboarding page;
                  oauth.py: Connect OAuth; fees.py: application fees
- sepa.py         SEPA Direct Debit: sepa_debit PaymentMethods, debits left `processing`
                  until sepa_controls.py's /_test/.../settle or /fail; mandates.py: Mandates

`install()` must run before `localstripe.server` is imported: localstripe binds the functions of
its extra routes (confirm, capture, ...) when the server module builds its router.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _replacer(extra_apis: list) -> Callable[..., Any]:
    def replace(method: str, url: str, factory: Callable[[Any], Any]) -> Any:
        for i, (m, u, func) in enumerate(extra_apis):
            if (m, u) == (method, url):
                new = factory(func)
                extra_apis[i] = (m, u, new)
                return new
        raise LookupError(f"localstripe has no route {method} {url}")
    return replace


def install(state: Path, api_version: str) -> Any:
    """Patch localstripe, then build its app with our middleware and routes; returns the app."""
    if "localstripe.server" in sys.modules:
        raise RuntimeError("emulator.install() must run before localstripe.server is imported")
    from localstripe import resources

    from . import (
        clock,
        declines,
        delivery,
        events,
        fees,
        intents,
        owners,
        refunds,
        sepa,
        setups,
        shapes,
    )

    clock.install()
    events.patch_event_version(api_version)
    owners.install()  # after the event version patch: it wraps Event.__init__ too
    delivery.install()  # after owners: its sender is the ordered mode's
    shapes.install()
    replace = _replacer(resources.extra_apis)
    intents.install(replace)
    setups.install(replace)
    declines.install(replace)  # after setups: a declined attach sends no attached event
    refunds.install()
    fees.install(replace)  # after intents, refunds, shapes: wraps what they installed
    sepa.install()  # after intents, setups, declines, shapes, fees: wraps what they installed
    sepa.install_routes(replace)

    from localstripe import server

    from . import accounts, controls, disputes, faults, links, middleware, oauth, sepa_controls
    from .idempotency import IdempotencyCache

    cache = IdempotencyCache(state.with_name(state.name + ".idempotency.jsonl"))
    middleware.install(server.app, api_version, cache)
    disputes.add_routes(server)
    controls.add_routes(server.app)
    delivery.add_routes(server.app)
    faults.add_routes(server.app)
    accounts.add_routes(server)
    fees.add_routes(server)
    links.add_routes(server.app)
    oauth.add_routes(server.app)
    sepa_controls.add_routes(server)
    from . import cash_balance, transfers  # bank transfers (cash_balance imports the server)

    transfers.install()  # after intents, shapes, fees: wraps what they installed
    cash_balance.install()  # after refunds
    cash_balance.add_routes(server)
    return server.app
