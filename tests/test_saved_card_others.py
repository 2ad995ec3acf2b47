"""The saved card on a paid question and on a project: a client who paid a call with the provider
asks a question and accepts a project with the same card, after the e-mailed code; the hold and
the deposit go on the saved card and customer on the provider's account."""

from __future__ import annotations

import re
from datetime import timedelta

import tests.factories as f
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OK, on
from tests.test_messages_api import ask, message_provider
from tests.test_projects_api import new_project

EMAIL = "returning@example.test"


def _code(client, outbox, base: str, token: str) -> str:
    outbox.clear()
    status, body = api(client, "POST", f"{base}/saved-card/code", token=token)
    assert (status, body) == (202, {"status": "requested"})
    [mail] = outbox.to(EMAIL)
    return re.search(r"\b(\d{6})\b", mail.get_body(("plain",)).get_content()).group(1)


def _called_before(client, card_pm) -> tuple[dict, str]:
    """A provider with call and message offers, whose client paid a call with a saved card."""
    prov = message_provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)), email=EMAIL)
    pm = card_pm(CARD_OK).id
    assert f.pay(client, booking, pm)["status"] == "held"
    return prov, pm


def test_a_question_is_held_on_the_saved_card(client, card_pm, stripe_raw, outbox):
    prov, pm = _called_before(client, card_pm)
    message = ask(client, prov, email=EMAIL)
    base, token = f"/api/v1/messages/{message['id']}", message["client_token"]
    code = _code(client, outbox, base, token)
    status, card = api(client, "POST", f"{base}/saved-card/check", json={"code": code},
                       token=token)
    assert status == 200 and card["last4"] == "4242"
    status, body = api(client, "POST", f"{base}/saved-card", json={"code": code}, token=token)
    assert (status, body["status"]) == (200, "held")
    status, read = api(client, "GET", base, token=token)
    [hold] = read["payments"]
    pi = stripe_raw.v1.payment_intents.retrieve(hold["stripe_payment_intent_id"],
                                                options=on(prov["account"]))
    assert (pi["status"], pi["payment_method"]) == ("requires_capture", pm)


def test_a_project_is_accepted_with_the_saved_card(client, card_pm, stripe_raw, outbox):
    prov, pm = _called_before(client, card_pm)
    project = new_project(client, prov, deposit=10, email=EMAIL)
    base, token = f"/api/v1/projects/{project['id']}", project["client_token"]
    code = _code(client, outbox, base, token)
    status, body = api(client, "POST", f"{base}/saved-card", json={"code": code}, token=token)
    assert status == 200 and body["status"] == "accepted", body
    status, read = api(client, "GET", base, token=token)
    [deposit] = [p for p in read["payments"] if p["purpose"] == "deposit"]
    pi = stripe_raw.v1.payment_intents.retrieve(deposit["stripe_payment_intent_id"],
                                                options=on(prov["account"]))
    assert (pi["status"], pi["payment_method"], pi["amount"]) == ("succeeded", pm, 6000)
