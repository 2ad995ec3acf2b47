"""Who may touch a message, bad input (nothing changes), reminders (each at most once) and
attachments (limits, served to the provider and the client only)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from skod.core.clock import parse_iso
from tests import factories as f
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OK
from tests.test_messages_api import CLIENT, QUESTION, ask, held_message, message_provider, read

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_other_provider_and_other_client_token_get_404(client, card_pm):
    prov, a = held_message(client, card_pm)
    b = ask(client, prov, email="other@example.test")
    stranger = message_provider(client)
    for method, path, body in (("GET", "", None), ("POST", "/reply", {"body": "x"}),
                               ("POST", "/decline", {"note": ""})):
        status, out = api(client, method, f"/api/v1/messages/{a['id']}{path}", json=body,
                          token=stranger["token"])
        assert status == 404, (path, out)
    # the client token of A opens A only
    assert api(client, "GET", f"/api/v1/messages/{b['id']}", token=a["client_token"])[0] == 404
    status, _ = api(client, "POST", f"/api/v1/messages/{b['id']}/payment-method",
                    json={"payment_method": card_pm(CARD_OK).id}, token=a["client_token"])
    assert status == 404
    assert api(client, "POST", f"/api/v1/messages/{b['id']}/card-setup",
               token=a["client_token"])[0] == 404
    # a client cannot answer its own question; nobody without a token reads it
    assert api(client, "POST", f"/api/v1/messages/{a['id']}/reply", json={"body": "x"},
               token=a["client_token"])[0] == 403
    assert api(client, "GET", f"/api/v1/messages/{a['id']}")[0] == 401
    assert read(client, b)["status"] == "awaiting_card"
    assert read(client, a)["status"] == "held"


def _count(app) -> int:
    from skod.extensions import db
    from skod.messages.models import Message

    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Message.id)))


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"body": ""}, 422, "body"),
    ({"body": "   \n "}, 422, "body"),
    ({"body": "x" * 201}, 422, "body"),  # the offer's char_limit is 200
    ({"accept_terms": False}, 422, "accept_terms"),
    ({"client": {"email": "not-an-email", "name": "A"}}, 422, "client"),
    ({"offer_id": 999_999}, 404, None),
    ("call offer", 404, None),
])
def test_bad_questions_are_refused_and_nothing_is_made(app, client, change, status, field):
    prov = message_provider(client, char_limit=200)
    data = {"offer_id": prov["message_offer"]["id"], "body": QUESTION, "accept_terms": True,
            "client": {"email": CLIENT, "name": "Sam"}}
    if change == "call offer":
        data["offer_id"] = prov["offer_id"]
    else:
        data.update(change)
    got, body = api(client, "POST", "/api/v1/messages", json=data)
    assert got == status, body
    if field:
        assert field in body["error"]["fields"]
    assert _count(app) == 0


def test_bad_reply_and_window_too_long_change_nothing(client, card_pm):
    prov, message = held_message(client, card_pm)
    status, body = api(client, "POST", f"/api/v1/messages/{message['id']}/reply",
                       json={"body": ""}, token=prov["token"])
    assert status == 422
    assert read(client, message)["status"] == "held"
    status, body = api(client, "POST", "/api/v1/offers", token=prov["token"], json={
        "kind": "message", "title": "Week", "reply_window_hours": 24 * 7,
        "price": {"amount_minor": 500, "currency": "EUR"}})
    assert status == 422 and body["error"]["fields"]["reply_window_hours"]


def _reminders(outbox, prov: dict, message: dict) -> int:
    return sum(1 for m in outbox.to(prov["email"])
               if f"/inbox/{message['id']}" in m.get_body(("plain",)).get_content())


def test_reminders_are_sent_once_each(app, client, card_pm, outbox):
    prov, message = held_message(client, card_pm)
    deadline = parse_iso(read(client, message)["reply_deadline"])
    outbox.clear()
    f.tick(app, deadline - timedelta(hours=25))
    assert _reminders(outbox, prov, message) == 0
    f.tick(app, deadline - timedelta(hours=24))
    f.tick(app, deadline - timedelta(hours=23))
    assert _reminders(outbox, prov, message) == 1
    f.tick(app, deadline - timedelta(hours=2))
    f.tick(app, deadline - timedelta(minutes=90))
    assert _reminders(outbox, prov, message) == 2
    assert len(outbox.to(CLIENT)) == 0


def test_after_downtime_only_the_closest_reminder_and_the_guard_is_unique(app, client, card_pm,
                                                                          outbox):
    from skod.messages import jobs

    prov, message = held_message(client, card_pm)
    deadline = parse_iso(read(client, message)["reply_deadline"])
    outbox.clear()
    f.tick(app, deadline - timedelta(hours=1))  # both 24 h and 2 h are past: one reminder
    f.tick(app, deadline - timedelta(minutes=30))
    assert _reminders(outbox, prov, message) == 1
    with app.app_context():  # a second worker trying to record the same reminder loses
        assert jobs._claim(message["id"], 2, deadline) is False
        assert jobs._claim(message["id"], 24, deadline) is True
        assert jobs._claim(message["id"], 24, deadline) is False


def _upload(client, message: dict, name: str, data: bytes, mime: str, token: str | None = None):
    import io

    return client.post(f"/api/v1/messages/{message['id']}/attachments",
                       data={"file": (io.BytesIO(data), name, mime)},
                       headers={"Authorization": f"Bearer {token or message['client_token']}"},
                       content_type="multipart/form-data")


def test_attachments_checked_stored_and_served_to_both_sides_only(app, client, card_pm):
    prov = message_provider(client, attachments_allowed=True)
    message = ask(client, prov)
    other = ask(client, prov, email="other@example.test")
    resp = _upload(client, message, "../../etc/contract.pdf", PDF, "application/pdf")
    assert resp.status_code == 201, resp.get_json()
    att = resp.get_json()
    assert (att["filename"], att["content_type"], att["size"]) == ("etc_contract.pdf",
                                                                   "application/pdf", len(PDF))
    # a type we do not take, whatever the name says; another client's token
    assert _upload(client, message, "x.pdf", b"MZ\x90\x00binary", "application/pdf"
                   ).status_code == 422
    assert _upload(client, message, "a.pdf", PDF, "application/pdf",
                   token=other["client_token"]).status_code == 404
    from skod.messages.attachments import MAX_BYTES

    assert _upload(client, message, "big.pdf", PDF + b"0" * MAX_BYTES, "application/pdf"
                   ).status_code == 422
    assert [a["id"] for a in read(client, message)["attachments"]] == [att["id"]]
    path = f"/api/v1/messages/{message['id']}/attachments/{att['id']}"
    for token in (message["client_token"], prov["token"]):
        got = client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert got.status_code == 200 and got.data == PDF
        assert "attachment" in got.headers["Content-Disposition"]
    stranger = message_provider(client)
    for token in (other["client_token"], stranger["token"]):
        assert client.get(path, headers={"Authorization": f"Bearer {token}"}).status_code == 404
    # another message's id with this attachment: not found either
    wrong = f"/api/v1/messages/{other['id']}/attachments/{att['id']}"
    assert client.get(wrong, headers={
        "Authorization": f"Bearer {other['client_token']}"}).status_code == 404
    # stored under a random name, not the client's
    from pathlib import Path

    stored = list((Path(app.config["SKOD_INSTANCE_PATH"]) / "attachments").iterdir())
    assert all("contract" not in p.name for p in stored) and stored


def test_attachments_refused_when_the_offer_takes_none_or_after_paying(client, card_pm):
    prov, message = held_message(client, card_pm)
    assert _upload(client, message, "a.pdf", PDF, "application/pdf").status_code == 422
    prov = message_provider(client, attachments_allowed=True)
    message = ask(client, prov)
    from tests.test_messages_api import pay

    pay(client, message, card_pm(CARD_OK).id)
    assert _upload(client, message, "a.pdf", PDF, "application/pdf").status_code == 409
