"""Refunds: by the provider (API and dashboard), and from the Stripe dashboard (charge.refunded)."""

from __future__ import annotations

from datetime import timedelta

from skod.core.ratelimit import RateLimiter
from tests import factories as f
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OK
from tests.webhook_support import deliver, event


def _ended_call(client, card_pm, minutes=15):
    prov = f.provider(client)
    b = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    f.pay(client, b, card_pm(CARD_OK).id)
    status, body = api(client, "POST", f"/api/v1/bookings/{b['id']}/end",
                       json={"minutes": minutes}, token=prov["token"])
    assert status == 200 and body["status"] == "completed"
    return prov, b, body["payments"][0]


def _refunds_at_emulator(stripe_raw, pi_id: str) -> list[int]:
    charge = stripe_raw.v1.payment_intents.retrieve(pi_id)["latest_charge"]
    return sorted(r["amount"] for r in charge["refunds"]["data"])


def test_partial_then_full_refund_through_the_api(client, card_pm, stripe_raw):
    prov, b, payment = _ended_call(client, card_pm)  # 1500 captured of a 2000 hold
    path = f"/api/v1/payments/{payment['id']}/refund"
    status, refund = api(client, "POST", path, json={"amount_minor": 400, "reason": "short"},
                         token=prov["token"])
    assert status == 201 and (refund["status"], refund["amount_minor"]) == ("succeeded", 400)
    status, body = api(client, "POST", path, json={"amount_minor": 1101}, token=prov["token"])
    assert status == 422 and "amount_minor" in body["error"]["fields"]  # only 1100 left
    status, refund = api(client, "POST", path, json={}, token=prov["token"])
    assert status == 201 and refund["amount_minor"] == 1100
    after = f.get(client, b)["payments"][0]
    assert after["status"] == "refunded"
    # 500 released at capture (the emulator books it as a refund), then our 400 and 1100
    assert _refunds_at_emulator(stripe_raw, payment["stripe_payment_intent_id"]) == [400, 500,
                                                                                     1100]
    assert api(client, "POST", path, json={}, token=prov["token"])[0] == 409


def test_refund_is_for_the_owner_only_and_only_when_captured(client, card_pm):
    prov, b, payment = _ended_call(client, card_pm)
    other = f.provider(client)
    path = f"/api/v1/payments/{payment['id']}/refund"
    assert api(client, "POST", path, json={}, token=other["token"])[0] == 404
    assert api(client, "POST", path, json={}, token=b["client_token"])[0] == 401
    held = f.book(client, prov["offer_id"], f.start_in(timedelta(days=2)))
    f.pay(client, held, card_pm(CARD_OK).id)
    hold_id = f.get(client, held)["payments"][0]["id"]
    status, body = api(client, "POST", f"/api/v1/payments/{hold_id}/refund", json={},
                       token=prov["token"])
    assert status == 409 and body["error"]["code"] == "not_captured"


def test_dashboard_refund_button(app, client, card_pm, stripe_raw):
    prov, b, payment = _ended_call(client, card_pm)
    client.post("/login", data={"email": prov["email"], "password": "password-123"})
    page = client.get("/dashboard").get_data(as_text=True)
    assert f"/dashboard/payments/{payment['id']}/refund" in page
    resp = client.post(f"/dashboard/payments/{payment['id']}/refund",
                       data={"amount": "2,50", "reason": "goodwill"})
    assert resp.status_code == 302
    assert 250 in _refunds_at_emulator(stripe_raw, payment["stripe_payment_intent_id"])


def test_refund_made_in_the_stripe_dashboard_is_reflected(app, client, card_pm, stripe_raw):
    prov, b, payment = _ended_call(client, card_pm)
    pi_id = payment["stripe_payment_intent_id"]
    stripe_raw.v1.refunds.create(params={"payment_intent": pi_id, "amount": 600})
    obj = {"id": "ch_x", "object": "charge", "payment_intent": pi_id}
    secret = app.config["STRIPE_WEBHOOK_SECRET"]
    assert deliver(client, event("charge.refunded", obj), secret).status_code == 200
    assert deliver(client, event("charge.refunded", obj), secret).status_code == 200  # late copy
    status, refund = api(client, "POST", f"/api/v1/payments/{payment['id']}/refund",
                         json={"amount_minor": 901}, token=prov["token"])
    assert status == 422  # 1500 - 600 = 900 left


def test_rate_limiter_windows():
    local = RateLimiter(3)
    assert [local._take(100) for _ in range(4)] == [True, True, True, False]
    assert local._take(101)  # a new second, a new window


def test_rate_limiter_is_shared_through_redis():
    url = "redis://127.0.0.1:6379/14"
    a, b = RateLimiter(4, url, name="test-shared"), RateLimiter(4, url, name="test-shared")
    window = 10**9 + int(__import__("time").time())  # a window nobody else uses
    a._redis.delete(f"skod:rate:test-shared:{window}")
    taken = [a._take(window), b._take(window), a._take(window), b._take(window),
             a._take(window)]
    assert taken == [True, True, True, True, False]


def test_a_429_is_tried_again_with_the_same_idempotency_key():
    """A local HTTP server answers like Stripe: 429 first, then the intent."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from skod.stripe_gateway import Gateway

    seen: list[str | None] = []
    intent = {"id": "pi_429", "object": "payment_intent", "status": "canceled", "amount": 500,
              "currency": "eur", "latest_charge": None}

    class Stripeish(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append(self.headers.get("Idempotency-Key"))
            first = len(seen) == 1
            body = json.dumps({"error": {"type": "rate_limit_error", "message": "slow down"}}
                              if first else intent).encode()
            self.send_response(429 if first else 200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # noqa: ANN002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Stripeish)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        gw = Gateway("sk_test_x", f"http://127.0.0.1:{server.server_port}",
                     limiter=RateLimiter(100))
        result = gw.cancel("pi_429", key="cancel:payment:7")
    finally:
        server.shutdown()
    assert result.status == "canceled"
    assert seen == ["cancel:payment:7", "cancel:payment:7"]
