"""E-mail delivery over real SMTP, the webhook signature check, the tick command."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import stripe

from tests import factories as f
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OK


def test_confirmation_is_delivered_by_smtp_with_ics(app, client, card_pm, smtp_server):
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)),
                     email="smtp@example.test")
    f.pay(client, booking, card_pm(CARD_OK).id)
    smtp_server.wait_for(2)
    [to_client] = [m for m in smtp_server.messages if "smtp@example.test" in m["To"]]
    assert to_client.get_body(("plain",)) is not None
    assert to_client.get_body(("html",)) is not None
    [ics] = [p for p in to_client.iter_attachments() if p.get_filename() == "invitation.ics"]
    content = ics.get_content()
    text = content.decode() if isinstance(content, bytes) else content
    assert "BEGIN:VEVENT" in text and f"booking-{booking['id']}@skod" in text
    # French by default: the client's locale
    assert "Bonjour" in to_client.get_body(("plain",)).get_content()


def _signed(payload: str, secret: str, at: int | None = None) -> str:
    ts = at or int(time.time())
    sig = stripe.WebhookSignature._compute_signature(f"{ts}.{payload}", secret)
    return f"t={ts},v1={sig}"


def test_webhook_accepts_signed_events_and_refuses_others(app, client):
    secret = app.config["STRIPE_WEBHOOK_SECRET"]
    payload = json.dumps({"id": "evt_1", "object": "event", "type": "payment_intent.succeeded",
                          "data": {"object": {"id": "pi_1", "object": "payment_intent"}}})
    ok = client.post("/stripe/webhook", data=payload,
                     headers={"Stripe-Signature": _signed(payload, secret)})
    assert ok.status_code == 200
    forged = client.post("/stripe/webhook", data=payload,
                         headers={"Stripe-Signature": _signed(payload, "whsec_wrong")})
    assert forged.status_code == 400 and forged.get_json()["error"]["code"] == "bad_signature"
    stale = _signed(payload, secret, int(time.time()) - 400)
    old = client.post("/stripe/webhook", data=payload, headers={"Stripe-Signature": stale})
    assert old.status_code == 400
    assert client.post("/stripe/webhook", data="not json",
                       headers={"Stripe-Signature": _signed("not json", secret)}).status_code == 400


def test_tick_prints_what_each_job_did(app, client):
    out = f.tick(app, f.start_in(timedelta(days=1)))
    report = json.loads(out)
    assert set(report) >= {"at", "place_due_holds", "cancel_unheld", "auto_capture",
                           "expire_abandoned"}


def test_provider_sign_up_profile_and_token_errors(client):
    prov = f.provider(client)
    status, me = api(client, "GET", "/api/v1/me", token=prov["token"])
    assert status == 200 and me["legal"]["siren"] == "123456789"
    status, me = api(client, "PATCH", "/api/v1/me", token=prov["token"],
                     json={"legal": {"vat_number": "FR00123456789"}, "currency": "EUR"})
    assert status == 200 and me["legal"]["vat_number"] == "FR00123456789"
    assert api(client, "POST", "/api/v1/auth/tokens",
               json={"email": prov["email"], "password": "wrong-password"})[0] == 401
    status, body = api(client, "POST", "/api/v1/providers", json={
        "email": prov["email"], "password": "kiwi-falcon-2291", "name": "Dup", "slug": "dup-slug",
        "timezone": "Europe/Paris"})
    assert status == 409 and body["error"]["code"] == "email_taken"
    status, body = api(client, "POST", "/api/v1/providers", json={
        "email": "x@example.test", "password": "short", "name": "X", "slug": "Bad Slug",
        "timezone": "Mars/Olympus"})
    assert status == 422
    assert {"password", "slug", "timezone"} <= set(body["error"]["fields"])
