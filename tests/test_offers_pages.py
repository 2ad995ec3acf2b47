"""The provider's offer pages through the Flask test client: a question offer created and
edited from the form, bad input refused field by field with nothing changed, pause / resume /
archive as the public pages and the API see them, and the opening-hours editor's empty days."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests import factories as f
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OK

QUESTION = {"offer-kind": "message", "offer-title": "Question fiscale",
            "offer-description": "Une réponse écrite", "offer-price": "12,50",
            "offer-currency": "EUR", "offer-reply_window_hours": "48",
            "offer-char_limit": "500", "offer-attachments_allowed": "y",
            # what the page hides for a question: ignored by the server, even when wrong
            "offer-duration_minutes": "abc", "offer-pricing": "per_minute",
            "offer-late_cancel_fee_percent": "250"}


def _text(resp) -> str:
    return resp.get_data(as_text=True)


def _slug(prov: dict) -> str:
    return prov["email"].split("@")[0].replace("provider", "provider-")


def _login(client, prov: dict) -> None:
    resp = client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    assert resp.status_code == 302


def _offers(client, prov: dict) -> dict[str, dict]:
    """The provider's offers as the API lists them, by title."""
    status, body = api(client, "GET", "/api/v1/offers", token=prov["token"])
    assert status == 200
    return {o["title"]: o for o in body}


def _question(client, prov: dict) -> dict:
    _login(client, prov)
    assert client.post("/dashboard/offers", data=QUESTION).status_code == 302
    return _offers(client, prov)["Question fiscale"]


def _edit(**changes: str) -> dict:
    data = {k: v for k, v in QUESTION.items() if k != "offer-kind"}
    data.update({f"offer-{k}": v for k, v in changes.items()})
    return data


def test_question_offer_created_and_edited_from_the_pages(client):
    prov = f.provider(client)
    offer = _question(client, prov)
    assert (offer["kind"], offer["price"], offer["reply_window_hours"], offer["char_limit"],
            offer["attachments_allowed"], offer["status"]) == (
        "message", {"amount_minor": 1250, "currency": "EUR"}, 48, 500, True, "active")
    # the call fields the page hid were neither checked nor kept
    assert (offer["duration_minutes"], offer["pricing"], offer["late_cancel_fee_percent"]) == (
        None, "flat", 0)
    listing = _text(client.get("/dashboard/offers"))
    card = listing.split(f'data-offer="{offer["id"]}"', 1)[1].split('class="actions"', 1)[0]
    assert "Réponse payante sous 48 heures" in card and "Frais d’annulation" not in card

    edit_page = _text(client.get(f"/dashboard/offers/{offer['id']}"))
    assert 'value="12,50"' in edit_page and 'name="offer-duration_minutes"' not in edit_page
    resp = client.post(f"/dashboard/offers/{offer['id']}",
                       data=_edit(price="15", **{"kind": "call"}))
    assert resp.status_code == 302
    edited = _offers(client, prov)["Question fiscale"]
    assert (edited["kind"], edited["price"]["amount_minor"]) == ("message", 1500)
    public = _text(client.get(f"/p/{_slug(prov)}"))
    assert "15,00\xa0€ la réponse" in public and "12,50" not in public


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"price": "-5"}, "price", "Un montant positif"),
    ({"price": "0"}, "price", "Un montant positif"),
    ({"price": "douze"}, "price", "Un montant positif"),
    ({"reply_window_hours": "9000"}, "reply_window_hours", "heures au plus"),
    ({"reply_window_hours": "0"}, "reply_window_hours", ""),
    ({"char_limit": "-1"}, "char_limit", ""),
    ({"title": ""}, "title", "Ce champ est obligatoire"),
])
def test_bad_input_is_refused_next_to_the_field_and_changes_nothing(client, changes, field,
                                                                    words):
    prov = f.provider(client)
    offer = _question(client, prov)
    resp = client.post(f"/dashboard/offers/{offer['id']}", data=_edit(**changes))
    assert resp.status_code == 422
    page = _text(resp)
    block = page.split(f'name="offer-{field}"', 1)[1].split("</div>", 1)[0]
    assert 'class="error"' in block and words in block
    assert _offers(client, prov)["Question fiscale"] == offer


def test_a_new_offer_of_an_unknown_kind_or_a_bad_call_is_refused(client):
    prov = f.provider(client)
    _login(client, prov)
    before = _offers(client, prov)
    project = client.post("/dashboard/offers", data=dict(QUESTION, **{"offer-kind": "project"}))
    assert project.status_code == 422
    call = client.post("/dashboard/offers", data=dict(
        QUESTION, **{"offer-kind": "call", "offer-title": "Appel"}))
    assert call.status_code == 422  # a call's own fields are checked: "abc" minutes, 250 %
    for field in ("duration_minutes", "late_cancel_fee_percent"):
        block = _text(call).split(f'name="offer-{field}"', 1)[1].split("</div>", 1)[0]
        assert re.search(r'class="error">\w', block), field
    assert _offers(client, prov) == before


def test_pause_resume_and_archive_as_the_public_page_and_the_api_see_them(client, card_pm):
    prov = f.provider(client)
    question = _question(client, prov)
    ask_path = f"/p/{_slug(prov)}/m/{question['id']}"
    ask = {"offer_id": question["id"], "body": "Une question\u202f?", "accept_terms": True,
           "client": {"email": "c@example.test", "name": "C"}}

    assert client.post(f"/dashboard/offers/{question['id']}/pause").status_code == 302
    paused = client.get(ask_path)
    assert paused.status_code == 409 and "Indisponible pour le moment" in _text(paused)
    assert "Question fiscale" not in _text(client.get(f"/p/{_slug(prov)}"))
    status, body = api(client, "POST", "/api/v1/messages", json=ask)
    assert (status, body["error"]["code"]) == (409, "offer_unavailable")
    assert _offers(client, prov)["Question fiscale"]["status"] == "paused"
    assert "En pause" in _text(client.get("/dashboard/offers"))

    assert client.post(f"/dashboard/offers/{question['id']}/resume").status_code == 302
    assert client.get(ask_path).status_code == 200
    assert "Question fiscale" in _text(client.get(f"/p/{_slug(prov)}"))

    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=3)))
    f.pay(client, booking, card_pm(CARD_OK).id)
    for offer_id in (question["id"], prov["offer_id"]):
        assert client.post(f"/dashboard/offers/{offer_id}/archive").status_code == 302
    assert client.get(ask_path).status_code == 404
    assert client.get(f"/p/{_slug(prov)}/o/{prov['offer_id']}").status_code == 404
    assert "Question fiscale" not in _text(client.get(f"/p/{_slug(prov)}"))
    assert api(client, "POST", "/api/v1/messages", json=ask)[0] == 404
    assert client.get(f"/dashboard/offers/{question['id']}").status_code == 404
    refused = client.post(f"/dashboard/offers/{question['id']}/resume", follow_redirects=True)
    assert "ne peut pas être remise en ligne" in _text(refused)
    assert _offers(client, prov)["Question fiscale"]["status"] == "archived"
    # the booking made before the archive is untouched and its page still opens
    assert f.get(client, booking)["status"] in ("held", "card_saved")
    assert client.get(f"/b/{booking['id']}/{booking['client_token']}").status_code == 200


def test_another_providers_offer_cannot_be_edited_or_paused(client):
    owner = f.provider(client)
    other = f.provider(client)
    _login(client, other)
    assert client.get(f"/dashboard/offers/{owner['offer_id']}").status_code == 404
    assert client.post(f"/dashboard/offers/{owner['offer_id']}/pause").status_code == 404
    assert api(client, "POST", f"/api/v1/offers/{owner['offer_id']}/pause",
               token=other["token"])[0] == 404
    assert _offers(client, owner)["Consultation"]["status"] == "active"


def test_call_offer_edited_from_its_page(client):
    prov = f.provider(client)
    _login(client, prov)
    page = _text(client.get(f"/dashboard/offers/{prov['offer_id']}"))
    assert 'name="offer-reply_window_hours"' not in page and 'value="1,00"' in page
    call = {"offer-title": "Consultation", "offer-duration_minutes": "45",
            "offer-pricing": "flat", "offer-price": "90", "offer-currency": "EUR",
            "offer-late_cancel_fee_percent": "10", "offer-place_kind": "video",
            "offer-place_detail": "http://meet.example/abc",
            "offer-reply_window_hours": "9000"}  # a question's field: ignored for a call
    before = _offers(client, prov)["Consultation"]
    bad = client.post(f"/dashboard/offers/{prov['offer_id']}", data=call)
    assert bad.status_code == 422 and _offers(client, prov)["Consultation"] == before
    block = _text(bad).split('name="offer-place_detail"', 1)[1].split("</div>", 1)[0]
    assert "commence par https://" in block
    call["offer-place_detail"] = "https://meet.example/abc"
    assert client.post(f"/dashboard/offers/{prov['offer_id']}", data=call).status_code == 302
    offer = _offers(client, prov)["Consultation"]
    assert (offer["duration_minutes"], offer["pricing"], offer["price"]["amount_minor"],
            offer["late_cancel_fee_percent"], offer["reply_window_hours"], offer["place"]) == (
        45, "flat", 9000, 10, None, {"kind": "video", "detail": "https://meet.example/abc"})
    # the page shows the place it keeps: saving again without a change keeps it
    page = _text(client.get(f"/dashboard/offers/{prov['offer_id']}"))
    assert 'value="https://meet.example/abc"' in page and 'selected value="video"' in page


def test_api_edits_pauses_and_refuses_a_change_of_kind(client):
    prov = f.provider(client)
    spec = {"kind": "call", "title": "Consultation", "duration_minutes": 45,
            "price": {"amount_minor": 9000, "currency": "EUR"}, "late_cancel_fee_percent": 20}
    status, body = api(client, "PUT", f"/api/v1/offers/{prov['offer_id']}", json=spec,
                       token=prov["token"])
    assert status == 200 and (body["duration_minutes"], body["pricing"]) == (45, "flat")
    wrong = dict(spec, kind="message")
    status, body = api(client, "PUT", f"/api/v1/offers/{prov['offer_id']}", json=wrong,
                       token=prov["token"])
    assert status == 422 and "kind" in body["error"]["fields"]
    negative = dict(spec, price={"amount_minor": -100, "currency": "EUR"})
    assert api(client, "PUT", f"/api/v1/offers/{prov['offer_id']}", json=negative,
               token=prov["token"])[0] == 422
    assert _offers(client, prov)["Consultation"]["duration_minutes"] == 45
    status, body = api(client, "POST", f"/api/v1/offers/{prov['offer_id']}/pause",
                       token=prov["token"])
    assert (status, body["status"]) == (200, "paused")
    status, body = api(client, "GET", f"/api/v1/offers/{prov['offer_id']}/slots",
                       query_string={"from": "2030-01-01", "to": "2030-01-02"})
    assert (status, body["error"]["code"]) == (409, "offer_unavailable")


def test_a_day_without_hours_reads_closed(client):
    prov = f.provider(client)
    _login(client, prov)
    hours = {"hours-timezone": "Europe/Paris", "hours-buffer_minutes": "0",
             "hours-mon": "09:00-12:00"}
    assert client.post("/dashboard/availability", data=hours).status_code == 302
    page = _text(client.get("/dashboard/offers"))
    sunday = page.split('name="hours-sun"', 1)[0].rsplit("<input", 1)[1] + \
        page.split('name="hours-sun"', 1)[1].split(">", 1)[0]
    assert 'placeholder="Fermé"' in sunday and 'value=""' in sunday
    assert 'placeholder="09:00' not in page
    english = _text(client.get("/dashboard/offers?lang=en"))
    assert 'placeholder="Closed"' in english
