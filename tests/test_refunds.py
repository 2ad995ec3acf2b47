"""Refunds: by the provider (API and dashboard), and from the Stripe dashboard (charge.refunded)."""

from __future__ import annotations

from datetime import timedelta

from skod.core.ratelimit import RateLimiter
from tests import factories as f
from tests.support.api import api
from tests.support.net import wait_until
from tests.support.stripe_helpers import CARD_OK
from tests.webhook_support import deliver, event

CARD_REFUND_PENDING = "4000000000007726"  # Stripe's test card whose refunds start pending


def _ended_call(client, card_pm, minutes=15, number=CARD_OK):
    prov = f.provider(client)
    b = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    f.pay(client, b, card_pm(number).id)
    status, body = api(client, "POST", f"/api/v1/bookings/{b['id']}/end",
                       json={"minutes": minutes}, token=prov["token"])
    assert status == 200 and body["status"] == "completed"
    return prov, b, body["payments"][0]


def _credit_notes(client, prov) -> list[dict]:
    status, invoices = api(client, "GET", "/api/v1/invoices", token=prov["token"])
    assert status == 200
    return [i for i in invoices if i["kind"] == "credit_note"]


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
    # the 500 released at capture is no refund: only our 400 and 1100
    assert f.refunds_at_emulator(stripe_raw, payment["stripe_payment_intent_id"]) == [400, 1100]
    assert api(client, "POST", path, json={}, token=prov["token"])[0] == 409


def test_refund_is_for_the_owner_only_and_only_when_captured(client, card_pm):
    prov, b, payment = _ended_call(client, card_pm)
    other = f.provider(client)
    path = f"/api/v1/payments/{payment['id']}/refund"
    assert api(client, "POST", path, json={}, token=other["token"])[0] == 404
    assert api(client, "POST", path, json={}, token=b["client_token"])[0] == 401
    held = f.book(client, prov["offer_id"], f.start_in(timedelta(days=2)))
    f.pay(client, held, card_pm(CARD_OK, account=prov["account"]).id)
    hold_id = f.get(client, held)["payments"][0]["id"]
    status, body = api(client, "POST", f"/api/v1/payments/{hold_id}/refund", json={},
                       token=prov["token"])
    assert status == 409 and body["error"]["code"] == "not_captured"


def test_dashboard_refund_button(app, client, card_pm, stripe_raw):
    prov, b, payment = _ended_call(client, card_pm)
    client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    page = client.get("/dashboard").get_data(as_text=True)
    assert f"/dashboard/payments/{payment['id']}/refund" in page
    resp = client.post(f"/dashboard/payments/{payment['id']}/refund",
                       data={"amount": "2,50", "reason": "goodwill", "confirm": "1"})
    assert resp.status_code == 302
    assert 250 in f.refunds_at_emulator(stripe_raw, payment["stripe_payment_intent_id"])


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
    assert [n["ttc_minor"] for n in _credit_notes(client, prov)] == [600]


def _wait(check, what: str) -> None:
    wait_until(check, timeout=20, what=what)


def test_dashboard_refund_seen_through_the_emulators_own_events(client, card_pm, stripe_raw,
                                                                stripe_webhooks):
    """600 refunded at Stripe on a 1,500 capture: one credit note of 600, the payment shows
    600 refunded (events sent by the emulator: refund.created, charge.refunded...)."""
    prov, b, payment = _ended_call(client, card_pm)
    stripe_raw.v1.refunds.create(params={"payment_intent": payment["stripe_payment_intent_id"],
                                         "amount": 600})
    _wait(lambda: f.get(client, b)["payments"][0]["amount_refunded"] == 600, "refund seen")
    assert f.get(client, b)["payments"][0]["status"] == "captured"
    _wait(lambda: len(_credit_notes(client, prov)) == 1, "credit note")
    [note] = _credit_notes(client, prov)
    assert note["ttc_minor"] == 600


def test_a_pending_refund_that_fails_gets_no_credit_note(client, card_pm, stripe_raw,
                                                         stripe_emulator, stripe_webhooks):
    """Card 4000000000007726: Stripe answers refunds `pending`. A pending refund blocks what
    it takes; when it fails, nothing counts as refunded and no credit note is issued."""
    prov, b, payment = _ended_call(client, card_pm, number=CARD_REFUND_PENDING)
    path = f"/api/v1/payments/{payment['id']}/refund"
    status, refund = api(client, "POST", path, json={"amount_minor": 1000}, token=prov["token"])
    assert status == 201 and refund["status"] == "pending"
    assert f.get(client, b)["payments"][0]["amount_refunded"] == 0
    assert api(client, "POST", path, json={"amount_minor": 501}, token=prov["token"])[0] == 422
    [stripe_refund] = stripe_raw.v1.refunds.list(
        params={"payment_intent": payment["stripe_payment_intent_id"]})["data"]
    stripe_emulator.fail_refund(stripe_refund["id"])
    _wait(lambda: _refund_rows(client, prov, payment) == ["failed"], "refund failed")
    assert f.get(client, b)["payments"][0]["amount_refunded"] == 0
    assert _credit_notes(client, prov) == []
    # the money is refundable again
    status, again = api(client, "POST", path, json={"amount_minor": 1500}, token=prov["token"])
    assert status == 201 and again["status"] == "pending"
    stripe_emulator.settle_refund(stripe_raw.v1.refunds.list(params={
        "payment_intent": payment["stripe_payment_intent_id"]})["data"][0]["id"])
    _wait(lambda: f.get(client, b)["payments"][0]["status"] == "refunded", "refund settled")
    _wait(lambda: len(_credit_notes(client, prov)) == 1, "credit note")
    assert _credit_notes(client, prov)[0]["ttc_minor"] == 1500


def test_a_refund_whose_request_was_lost_is_sent_once_by_reconciliation(app, client, card_pm,
                                                                          stripe_raw, now):
    """A refund row stored (key first) whose request never reached Stripe: reconciliation sends
    it with the same key, once; a second run sends nothing more."""
    from skod.extensions import db
    from skod.payments.refunds import Refund

    prov, b, payment = _ended_call(client, card_pm)
    with app.app_context():
        db.session.add(Refund(payment_id=payment["id"], amount_minor=300, status="pending",
                              idempotency_key=f"refund:payment:{payment['id']}:1",
                              created_at=now))
        db.session.commit()
    pi_id = payment["stripe_payment_intent_id"]
    assert f.refunds_at_emulator(stripe_raw, pi_id) == []
    for _ in range(2):
        result = app.test_cli_runner().invoke(
            args=["skod", "reconcile", "--at", (now + timedelta(hours=1)).isoformat()])
        assert result.exit_code == 0, result.output
    assert f.refunds_at_emulator(stripe_raw, pi_id) == [300]
    assert _refund_rows(client, prov, payment) == ["succeeded"]
    assert f.get(client, b)["payments"][0]["amount_refunded"] == 300
    assert [n["ttc_minor"] for n in _credit_notes(client, prov)] == [300]


def _refund_rows(client, prov, payment) -> list[str]:
    status, body = api(client, "GET", f"/api/v1/payments/{payment['id']}/refunds",
                       token=prov["token"])
    assert status == 200, body
    return [r["status"] for r in body]


def test_rate_limiter_windows():
    local = RateLimiter(3)
    assert [local._take(100) for _ in range(4)] == [True, True, True, False]
    assert local._take(101)  # a new second, a new window


def test_rate_limiter_is_shared_through_redis(redis_url):
    url = redis_url
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
    # the key carries the installation and the account (none given: the platform)
    assert seen == [":platform:cancel:payment:7", ":platform:cancel:payment:7"]


def _flat(text: str) -> str:
    import html

    return " ".join(html.unescape(text).replace("\u202f", " ").replace("\u00a0", " ").split())


def _log_in(client, prov: dict) -> None:
    resp = client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    assert resp.status_code == 302


def test_an_answer_is_refunded_from_its_page_in_money_with_its_reason(client, card_pm,
                                                                      stripe_raw, outbox):
    """Issue 23: the amount box speaks money (never cents), the reason is asked for and
    reaches the client's e-mail with the amount."""
    from tests.test_messages_api import ANSWER, held_message, reply

    prov, message = held_message(client, card_pm, price={"amount_minor": 3250,
                                                         "currency": "EUR"})
    assert reply(client, prov, message)[1]["status"] == "answered", ANSWER
    payment = api(client, "GET", f"/api/v1/messages/{message['id']}",
                  token=message["client_token"])[1]["payments"][0]
    _log_in(client, prov)
    page = f"/inbox/{message['id']}"
    assert f"/dashboard/payments/{payment['id']}/refund" in client.get(page).get_data(
        as_text=True)
    path = f"/dashboard/payments/{payment['id']}/refund"
    too_much = client.post(path, data={"amount": "40", "reason": "x", "confirm": "1"},
                           follow_redirects=True)
    assert "Au plus 32,50 € peuvent être remboursés." in _flat(too_much.get_data(as_text=True))
    assert "3250" not in _flat(too_much.get_data(as_text=True))
    # the form comes back open with what was typed, the message on its field
    kept = _flat(too_much.get_data(as_text=True))
    assert '<details class="refund" open>' in kept and 'value="40"' in kept
    assert f'id="refund-amount-error-{payment["id"]}">Au plus 32,50 €' in kept
    assert 'value="x"' in kept
    # shown once: the next visit has an empty form
    again = _flat(client.get(page).get_data(as_text=True))
    assert 'value="40"' not in again and "refund-amount-error" not in again
    no_reason = client.post(path, data={"amount": "10", "confirm": "1"}, follow_redirects=True)
    assert "Indiquez le motif du remboursement" in _flat(no_reason.get_data(as_text=True))
    assert f'id="refund-reason-error-{payment["id"]}"' in no_reason.get_data(as_text=True)
    assert f.refunds_at_emulator(stripe_raw, payment["stripe_payment_intent_id"]) == []
    outbox.clear()
    done = client.post(path, data={"amount": "10", "reason": "Réponse incomplète",
                                   "confirm": "1"})
    assert done.status_code == 302 and done.headers["Location"].endswith(page)
    assert f.refunds_at_emulator(stripe_raw, payment["stripe_payment_intent_id"]) == [1000]
    # the asker reads English (the question was asked in English)
    [mail] = [m for m in outbox.to("asker@example.test") if "Refund" in m["Subject"]]
    text = _flat(mail.get_body(("plain",)).get_content())
    assert "€10.00" in text and "Reason given: Réponse incomplète" in text, text


def test_a_deposit_and_a_milestone_are_refunded_from_the_project_page(client, card_pm,
                                                                      stripe_raw):
    from tests.test_projects_api import accepted_project, act, read

    prov, project, body = accepted_project(client, card_pm, deposit=30,
                                           milestones=[("Design", 10000, 2),
                                                       ("Build", 20000, 3)])
    [deposit] = body["payments"]
    m1 = body["milestones"][0]
    act(client, m1["id"], "complete", prov["token"])
    [charge] = [p for p in read(client, project)["milestones"][0]["payments"]
                if p["status"] == "captured"]
    _log_in(client, prov)
    page = _flat(client.get(f"/projects/{project['id']}").get_data(as_text=True))
    assert 'id="deposit-refund"' in page
    for payment in (deposit, charge):
        assert f"/dashboard/payments/{payment['id']}/refund" in page
        resp = client.post(f"/dashboard/payments/{payment['id']}/refund",
                           data={"amount": "5", "reason": "geste commercial", "confirm": "1"})
        assert resp.status_code == 302
        assert resp.headers["Location"].endswith(f"/projects/{project['id']}")
        assert f.refunds_at_emulator(stripe_raw, payment["stripe_payment_intent_id"]) == [500]
