"""Test data through the public API: providers with an offer and open hours, bookings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

import requests

from tests.support import clock
from tests.support.api import api
from tests.support.stripe_helpers import use_account

PARIS = clock.PARIS
ALL_DAY = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
_seq = count(1)
#: what a business client must give (printed on its invoices)
BUSINESS = {"company_name": "Client Conseil SAS", "siren": "552100554",
            "address": "5 avenue Foch\n69006 Lyon"}


def provider(client, *, onboarded: bool = True, **offer) -> dict:
    """Sign up a provider, get its token, create one call offer, open every hour; onboard its
    connected Stripe account unless `onboarded=False` (then it cannot take payments)."""
    n = next(_seq)
    email = f"provider{n}@example.test"
    status, _ = api(client, "POST", "/api/v1/providers", json={
        "email": email, "password": "kiwi-falcon-2291", "name": f"Provider {n}",
        "slug": f"provider-{n}", "timezone": "Europe/Paris",
        "legal": {"company_name": f"Provider {n} SAS", "siren": "123456789"}})
    assert status == 201
    status, body = api(client, "POST", "/api/v1/auth/tokens",
                       json={"email": email, "password": "kiwi-falcon-2291"})
    assert status == 201
    token = body["token"]
    spec = {"kind": "call", "title": "Consultation", "duration_minutes": 20,
            "pricing": "per_minute", "price": {"amount_minor": 100, "currency": "EUR"},
            "late_cancel_fee_percent": 50}
    spec.update(offer)
    status, created = api(client, "POST", "/api/v1/offers", json=spec, token=token)
    assert status == 201, created
    status, _ = api(client, "PUT", "/api/v1/availability", token=token,
                    json={"timezone": "Europe/Paris", "weekly": ALL_DAY, "buffer_minutes": 0})
    assert status == 200
    account = onboard(client, token) if onboarded else None
    return {"token": token, "offer_id": created["id"], "email": email, "offer": created,
            "account": account}


def onboard(client, token: str) -> str | None:
    """The provider's connected account, created through the API and onboarded at the emulator
    (its test control), the row synced as the dashboard's return route does; the test clients
    (stripe_raw, card_pm) work on it from now on. None in STRIPE_MODE=direct."""
    app = client.application
    if app.config.get("STRIPE_MODE") == "direct":
        return None
    status, body = api(client, "POST", "/api/v1/me/stripe/onboarding", token=token)
    assert status == 200, body
    status, me = api(client, "GET", "/api/v1/me", token=token)
    account = me["stripe_account"]["id"]
    resp = requests.post(f"{app.config['STRIPE_API_BASE']}/_test/accounts/{account}/onboard",
                         timeout=10)
    assert resp.status_code == 200, resp.text
    sync_account(app, me["id"])
    use_account(account)
    return account


def sync_account(app, provider_id: int) -> dict | None:
    """Read the provider's account back from Stripe (as the dashboard's return route does)."""
    from skod.accounts import stripe_account
    from skod.accounts.models import Provider
    from skod.extensions import db

    with app.app_context():
        row = stripe_account.sync(db.session.get(Provider, provider_id))
        return stripe_account.status(row)


def start_in(delta: timedelta, now: datetime | None = None) -> datetime:
    """A slot start about `delta` after `now` (default: the test's clock), on a whole local hour
    (every offer fits it)."""
    local = ((now or clock.current()) + delta).astimezone(PARIS)
    local = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return local.astimezone(UTC)


def book(client, offer_id: int, start: datetime, email: str = "client@example.test",
         kind: str = "consumer") -> dict:
    status, body = api(client, "POST", "/api/v1/bookings", json={
        "offer_id": offer_id, "start_at": start.isoformat(), "accept_terms": True,
        "client": {"email": email, "name": "Alex Client", "kind": kind,
                   **(BUSINESS if kind == "business" else {})}})
    assert status == 201, body
    return body


def pay(client, booking: dict, pm_id: str) -> dict:
    status, body = api(client, "POST", f"/api/v1/bookings/{booking['id']}/payment-method",
                       json={"payment_method": pm_id}, token=booking["client_token"])
    assert status == 200, body
    return body


def get(client, booking: dict, token: str | None = None) -> dict:
    status, body = api(client, "GET", f"/api/v1/bookings/{booking['id']}",
                       token=token or booking["client_token"])
    assert status == 200, body
    return body


def slot_free(client, offer_id: int, start: datetime) -> bool:
    """True when `start` is among the offer's free slots (the public slots API)."""
    from skod.core.clock import parse_iso

    day = start.date()
    status, slots = api(client, "GET", f"/api/v1/offers/{offer_id}/slots"
                        f"?from={day - timedelta(days=1)}&to={day + timedelta(days=1)}")
    assert status == 200
    return any(parse_iso(s["start_at"]) == start for s in slots)


def captured_at_emulator(stripe_raw, pi_id: str) -> int:
    """Captured amount as Stripe shows it at the pinned version: `amount_received`."""
    pi = stripe_raw.v1.payment_intents.retrieve(pi_id)
    assert pi["status"] == "succeeded", pi["status"]
    return pi["amount_received"]


def captures_at_emulator(stripe_raw, pi_id: str) -> int:
    """How many captures acted at Stripe on this intent: its `payment_intent.succeeded` events
    (a replayed idempotent request sends none)."""
    created = stripe_raw.v1.payment_intents.retrieve(pi_id)["created"]
    page = stripe_raw.v1.events.list(params={"type": "payment_intent.succeeded", "limit": 100,
                                             "created": {"gte": created}})
    return sum(1 for ev in page.auto_paging_iter() if ev["data"]["object"]["id"] == pi_id)


def refunds_at_emulator(stripe_raw, pi_id: str) -> list[int]:
    """Stripe's refunds of the intent, smallest first (the released rest of a partial capture
    is no refund)."""
    page = stripe_raw.v1.refunds.list(params={"payment_intent": pi_id, "limit": 100})
    return sorted(r["amount"] for r in page["data"])


def tick(app, at: datetime) -> str:
    """`flask skod tick --at AT`, with Stripe's clock (the emulator's) moved to AT first, as a
    Stripe test clock: what Stripe dates then (a hold's capture_before) agrees with AT."""
    base = app.config.get("STRIPE_API_BASE")
    if base:
        requests.post(f"{base}/_test/clock", json={"now": at.timestamp()},
                      timeout=10).raise_for_status()
    result = app.test_cli_runner().invoke(args=["skod", "tick", "--at", at.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output
