"""Paid messages over the API against the Stripe emulator and PostgreSQL: hold, capture first
then deliver, capture failure and the pay link, deadline release, decline, the double reply."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

from skod.core.clock import parse_iso
from tests import factories as f
from tests.support import clock
from tests.support.api import api
from tests.support.stripe_helpers import CARD_3DS, CARD_OK

CLIENT = "asker@example.test"
QUESTION = "Can my SAS deduct the VAT on a company car?"
ANSWER = "Only for utility vehicles; see article 206 IV of annex II."


def message_provider(client, **offer) -> dict:
    """A provider with a message offer (10.00 EUR per answer, 72 h by default)."""
    prov = f.provider(client)
    spec = {"kind": "message", "title": "Tax question",
            "price": {"amount_minor": 1000, "currency": "EUR"}}
    spec.update(offer)
    status, created = api(client, "POST", "/api/v1/offers", json=spec, token=prov["token"])
    assert status == 201, created
    return dict(prov, message_offer=created)


def ask(client, prov: dict, body: str = QUESTION, email: str = CLIENT) -> dict:
    status, out = api(client, "POST", "/api/v1/messages", json={
        "offer_id": prov["message_offer"]["id"], "body": body, "accept_terms": True,
        "client": {"email": email, "name": "Sam Asker", "kind": "business", "locale": "en",
                   "company_name": "Asker Ltd", "address": "1 Quay Street, Dublin"}})
    assert status == 201, out
    return out


def pay(client, message: dict, pm_id: str) -> dict:
    status, out = api(client, "POST", f"/api/v1/messages/{message['id']}/payment-method",
                      json={"payment_method": pm_id}, token=message["client_token"])
    assert status == 200, out
    return out


def read(client, message: dict, token: str | None = None) -> dict:
    status, out = api(client, "GET", f"/api/v1/messages/{message['id']}",
                      token=token or message["client_token"])
    assert status == 200, out
    return out


def held_message(client, card_pm, **offer) -> tuple[dict, dict]:
    prov = message_provider(client, **offer)
    message = ask(client, prov)
    assert message["payment"]["mode"] == "hold"
    assert message["payment"]["client_secret"].startswith("pi_")
    assert message["payment"]["intent"] == "payment"
    assert pay(client, message, card_pm(CARD_OK).id) == {"status": "held"}
    return prov, message


def reply(client, prov: dict, message: dict, body: str = ANSWER) -> tuple[int, dict]:
    return api(client, "POST", f"/api/v1/messages/{message['id']}/reply", json={"body": body},
               token=prov["token"])


def text_of(mail) -> str:  # noqa: ANN001
    return mail.get_body(("plain",)).get_content()


def test_message_offer_terms_and_calls_still_need_a_duration(client):
    prov = message_provider(client)
    offer = prov["message_offer"]
    assert (offer["kind"], offer["reply_window_hours"], offer["duration_minutes"]) == (
        "message", 72, None)
    tok = prov["token"]
    spec = {"kind": "message", "title": "Too slow", "reply_window_hours": 160,
            "price": {"amount_minor": 1000, "currency": "EUR"}}
    status, body = api(client, "POST", "/api/v1/offers", json=spec, token=tok)
    assert status == 422 and "reply_window_hours" in body["error"]["fields"]
    status, body = api(client, "POST", "/api/v1/offers", token=tok, json={
        "kind": "call", "title": "No duration", "price": {"amount_minor": 1000,
                                                          "currency": "EUR"}})
    assert status == 422 and "duration_minutes" in body["error"]["fields"]
    status, offers = api(client, "GET", "/api/v1/offers", token=tok)
    assert sorted(o["kind"] for o in offers) == ["call", "message"]  # nothing else was made


def test_answered_in_time_is_captured_once_then_delivered(client, card_pm, stripe_raw, outbox):
    prov, message = held_message(client, card_pm)
    before = read(client, message)
    assert before["status"] == "held" and "reply" not in before
    assert before["amount_waiting"] == 1000
    held_at, deadline = parse_iso(before["held_at"]), parse_iso(before["reply_deadline"])
    assert deadline - held_at == timedelta(hours=72)
    [hold] = before["payments"]
    pi = stripe_raw.v1.payment_intents.retrieve(hold["stripe_payment_intent_id"])
    assert (pi["status"], pi["amount"], pi["capture_method"]) == ("requires_capture", 1000,
                                                                   "manual")
    [asked] = outbox.to(prov["email"])  # the provider is told of the question
    assert f"/inbox/{message['id']}" in text_of(asked)
    outbox.clear()

    status, out = reply(client, prov, message)
    assert status == 200 and out["status"] == "answered"
    assert f.captured_at_emulator(stripe_raw, hold["stripe_payment_intent_id"]) == 1000
    after = read(client, message)
    assert after["reply"] == ANSWER and after["payments"][0]["status"] == "captured"
    [delivered] = outbox.to(CLIENT)
    assert ANSWER in text_of(delivered)
    [invoice] = api(client, "GET", "/api/v1/invoices", token=prov["token"])[1]
    assert (invoice["message_id"], invoice["ttc_minor"], invoice["paid"]) == (
        message["id"], 1000, True)
    # a second reply changes nothing and captures nothing
    status, body = reply(client, prov, message, "Another answer")
    assert status == 409 and body["error"]["code"] == "already_replied"
    pi_id = hold["stripe_payment_intent_id"]
    assert f.captures_at_emulator(stripe_raw, pi_id) == 1
    assert f.refunds_at_emulator(stripe_raw, pi_id) == []
    assert read(client, message)["reply"] == ANSWER


def test_not_answered_by_the_deadline_releases_the_hold(app, client, card_pm, stripe_raw,
                                                         outbox):
    prov, message = held_message(client, card_pm)
    deadline = parse_iso(read(client, message)["reply_deadline"])
    outbox.clear()
    f.tick(app, deadline - timedelta(minutes=1))
    assert read(client, message)["status"] == "held"
    f.tick(app, deadline)
    body = read(client, message)
    assert body["status"] == "expired" and "reply" not in body
    [hold] = body["payments"]
    assert hold["status"] == "released"
    assert stripe_raw.v1.payment_intents.retrieve(hold["stripe_payment_intent_id"])["status"] \
        == "canceled"
    assert len(outbox.to(CLIENT)) == 1
    assert any(f"/inbox/{message['id']}" in text_of(m) for m in outbox.to(prov["email"]))
    f.tick(app, deadline + timedelta(hours=1))  # nothing more to release, nobody told twice
    assert len(outbox.to(CLIENT)) == 1
    status, body = reply(client, prov, message)
    assert status == 409


def test_capture_failure_keeps_the_reply_until_the_pay_link_is_paid(app, client, card_pm,
                                                                     stripe_raw, outbox, now):
    from skod.dunning.debts import links
    from skod.dunning.debts.models import Receivable
    from skod.extensions import db
    from skod.payments.models import Payment

    prov, message = held_message(client, card_pm)
    with app.app_context():  # the intent is gone at Stripe (as after an expired hold)
        payment = db.session.scalar(db.select(Payment))
        payment.stripe_payment_intent_id = "pi_gone_at_stripe"
        db.session.commit()
    outbox.clear()
    status, out = reply(client, prov, message)
    assert status == 200 and out["status"] == "payment_failed" and out["reply"] == ANSWER
    hidden = read(client, message)
    assert hidden["status"] == "payment_failed" and "reply" not in hidden
    assert hidden["payments"][0]["status"] == "failed"
    # no e-mail of the message's own: the notice is the dunning ladder's step 0, sent by the
    # sweep in the client's working hours
    assert outbox.to(CLIENT) == []
    f.tick(app, clock.working_hour(now))
    [notice] = outbox.to(CLIENT)
    text, page = text_of(notice), notice.get_body(("html",)).get_content()
    assert ANSWER not in text and ANSWER not in page
    with app.app_context():
        debt = db.session.scalar(db.select(Receivable))
        rid, code = debt.id, debt.failure_code
        found = re.search(rf"/pay/{rid}/([A-Za-z0-9_.\-]+)", text)
        assert found and links.opens(rid, found.group(1))  # the pay link
    assert "€10.00" in text and "€10.00" in page  # the client's language: English
    # why, in words: the intent was gone (an error, not a refusal of the bank), never the code
    assert code and code not in text and "declined" not in text
    assert "The payment could not be completed with your card." in text
    assert "Your answer is ready: it is released to you as soon as this payment is made." in text
    # the answer is delivered: its invoice is issued unpaid, with its due date, and attached
    [unpaid] = api(client, "GET", "/api/v1/invoices?paid=false", token=prov["token"])[1]
    assert (unpaid["message_id"], unpaid["ttc_minor"], unpaid["paid"]) == (message["id"], 1000,
                                                                           False)
    assert unpaid["number"] in notice["Subject"]
    assert [p.get_filename() for p in notice.iter_attachments()] == [
        f"invoice-{unpaid['number']}.pdf"]
    outbox.clear()

    # the message's own pay link still works: a fresh card step, then the price charged at
    # once (automatic capture), and the debt is closed
    status, setup = api(client, "POST", f"/api/v1/messages/{message['id']}/card-setup",
                        token=message["client_token"])
    assert status == 200 and setup["client_secret"].startswith("seti_")
    assert pay(client, message, card_pm(CARD_OK).id) == {"status": "answered"}
    paid = read(client, message)
    assert paid["status"] == "answered" and paid["reply"] == ANSWER
    charge = paid["payments"][-1]
    assert (charge["purpose"], charge["status"], charge["amount_captured"]) == (
        "answer", "captured", 1000)
    pi = stripe_raw.v1.payment_intents.retrieve(charge["stripe_payment_intent_id"])
    assert (pi["status"], pi["amount"], pi["capture_method"]) == ("succeeded", 1000,
                                                                   "automatic")
    [delivered] = outbox.to(CLIENT)
    assert ANSWER in text_of(delivered)
    # the same invoice, now paid (no second one), and the case closed
    [invoice] = api(client, "GET", "/api/v1/invoices", token=prov["token"])[1]
    assert (invoice["id"], invoice["paid"]) == (unpaid["id"], True)
    with app.app_context():
        assert db.session.get(Receivable, rid).status == "paid"


def test_concurrent_double_reply_captures_once(app, card_pm, stripe_raw, outbox):
    client = app.test_client()
    prov, message = held_message(client, card_pm)
    outbox.clear()
    barrier, results = threading.Barrier(2), []

    def send(body: str) -> None:
        c = app.test_client()
        barrier.wait()
        results.append(reply(c, prov, message, body))

    threads = [threading.Thread(target=send, args=(b,)) for b in ("First", "Second")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(s for s, _ in results) == [200, 409]
    body = read(client, message)
    assert body["status"] == "answered" and body["reply"] in ("First", "Second")
    [hold] = body["payments"]
    assert f.captured_at_emulator(stripe_raw, hold["stripe_payment_intent_id"]) == 1000
    assert len(outbox.to(CLIENT)) == 1  # one delivery


def test_decline_releases_and_sends_the_note(client, card_pm, stripe_raw, outbox):
    prov, message = held_message(client, card_pm)
    outbox.clear()
    status, out = api(client, "POST", f"/api/v1/messages/{message['id']}/decline",
                      json={"note": "Outside my field, ask a notary."}, token=prov["token"])
    assert status == 200 and out["status"] == "declined"
    pi_id = out["payments"][0]["stripe_payment_intent_id"]
    assert stripe_raw.v1.payment_intents.retrieve(pi_id)["status"] == "canceled"
    [told] = outbox.to(CLIENT)
    assert "Outside my field, ask a notary." in text_of(told)
    assert reply(client, prov, message)[0] == 409


def test_three_d_secure_hold(client, card_pm, stripe_raw, authenticate_3ds):
    prov = message_provider(client)
    message = ask(client, prov)
    pm = card_pm(CARD_3DS).id
    first = pay(client, message, pm)
    assert first["status"] == "requires_action" and first["intent"] == "setup"
    stripe_raw.v1.setup_intents.confirm(first["client_secret"].split("_secret_")[0])
    second = pay(client, message, pm)
    assert second["status"] == "requires_action"
    assert read(client, message)["status"] == "action_required"
    pi_id = second["client_secret"].split("_secret_")[0]
    authenticate_3ds(pi_id, second["client_secret"])
    status, body = api(client, "POST", f"/api/v1/messages/{message['id']}/confirm",
                       token=message["client_token"])
    assert status == 200 and body["status"] == "held" and body["reply_deadline"]


def test_inbox_lists_the_providers_questions_with_deadline_and_money(client, card_pm):
    prov, message = held_message(client, card_pm)
    other = message_provider(client)
    ask(client, other, email="someone@example.test")
    status, rows = api(client, "GET", "/api/v1/messages", token=prov["token"])
    assert status == 200 and [r["id"] for r in rows] == [message["id"]]
    assert rows[0]["amount_waiting"] == 1000 and rows[0]["reply_deadline"]
    assert api(client, "GET", "/api/v1/messages")[0] == 401
