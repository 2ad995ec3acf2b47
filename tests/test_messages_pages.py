"""Pages of messages through the Flask test client: provider page link, ask page, client page
(reply hidden until paid), provider inbox with reply and decline forms, attachment links."""

from __future__ import annotations

from tests.support.api import api
from tests.test_messages_api import ANSWER, QUESTION, ask, held_message, message_provider


def _slug(prov: dict) -> str:
    return prov["email"].split("@")[0].replace("provider", "provider-")


def _login(client, prov: dict) -> None:
    resp = client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    assert resp.status_code == 302


def test_provider_page_links_to_the_question_page(client):
    prov = message_provider(client, char_limit=500)
    offer_id = prov["message_offer"]["id"]
    page = client.get(f"/p/{_slug(prov)}").get_data(as_text=True)
    assert f"/p/{_slug(prov)}/m/{offer_id}" in page
    ask_page = client.get(f"/p/{_slug(prov)}/m/{offer_id}")
    assert ask_page.status_code == 200 and 'maxlength="500"' in ask_page.get_data(as_text=True)
    assert client.get(f"/p/{_slug(prov)}/m/{prov['offer_id']}").status_code == 404  # a call
    assert client.get(f"/p/{_slug(prov)}/o/{offer_id}").status_code == 404  # not bookable


def test_client_page_hides_the_reply_until_paid_and_tokens_are_checked(client, card_pm):
    prov, message = held_message(client, card_pm)
    url = f"/m/{message['id']}/{message['client_token']}"
    page = client.get(url).get_data(as_text=True)
    assert QUESTION in page and 'id="reply"' not in page and 'id="pay-form"' not in page
    other = ask(client, prov, email="b@example.test")
    assert client.get(f"/m/{message['id']}/{other['client_token']}").status_code == 404
    assert client.get(f"/m/{message['id']}/forged").status_code == 404
    unpaid = client.get(f"/m/{other['id']}/{other['client_token']}").get_data(as_text=True)
    assert 'id="pay-form"' in unpaid  # a question left without its card can be paid here
    api(client, "POST", f"/api/v1/messages/{message['id']}/reply", json={"body": ANSWER},
        token=prov["token"])
    page = client.get(url).get_data(as_text=True)
    assert 'id="reply"' in page and ANSWER in page


def test_inbox_reply_and_decline_forms(client, card_pm, stripe_raw):
    prov, first = held_message(client, card_pm)
    second = ask(client, prov, email="second@example.test")
    from tests.support.stripe_helpers import CARD_OK
    from tests.test_messages_api import pay, read

    pay(client, second, card_pm(CARD_OK).id)
    assert client.get("/inbox").status_code == 302  # login first
    _login(client, prov)
    inbox = client.get("/inbox").get_data(as_text=True)
    assert f'data-message="{first["id"]}"' in inbox and "20,00" in inbox  # two times 10.00
    detail = client.get(f"/inbox/{first['id']}").get_data(as_text=True)
    assert QUESTION in detail and 'id="reply-form"' in detail
    resp = client.post(f"/inbox/{first['id']}/reply", data={"body": ANSWER, "confirm": "1"})
    assert resp.status_code == 302
    assert read(client, first)["reply"] == ANSWER
    resp = client.post(f"/inbox/{second['id']}/decline", data={"note": "Not my field."})
    assert resp.status_code == 302
    body = read(client, second)
    assert body["status"] == "declined" and body["decline_note"] == "Not my field."
    pi = body["payments"][0]["stripe_payment_intent_id"]
    assert stripe_raw.v1.payment_intents.retrieve(pi)["status"] == "canceled"
    stranger = message_provider(client)
    client.post("/logout")
    _login(client, stranger)
    assert client.get(f"/inbox/{first['id']}").status_code == 404
    assert client.post(f"/inbox/{first['id']}/reply", data={"body": "x"}).status_code == 404
