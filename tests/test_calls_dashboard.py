"""The provider's calls dashboard: each call in its section, net amounts after refunds, and
Start offered only from START_EARLY_MINUTES before the start time (End always)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from skod.core.clock import parse_iso
from skod.core.errors import Conflict
from tests import factories as f
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OK

FLAT = {"pricing": "flat", "duration_minutes": 30,
        "price": {"amount_minor": 9000, "currency": "EUR"}}


def _held(client, card_pm, days: int = 3) -> tuple[dict, dict]:
    prov = f.provider(client, **FLAT)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=days)))
    assert f.pay(client, booking, card_pm(CARD_OK).id)["status"] in ("held", "card_saved")
    return prov, booking


def _ended(client, card_pm, days: int = 1) -> tuple[dict, dict]:
    """A call booked for a later day, ended by the provider (End needs no start time)."""
    prov, booking = _held(client, card_pm, days)
    status, body = api(client, "POST", f"/api/v1/bookings/{booking['id']}/end", json={},
                       token=prov["token"])
    assert status == 200 and body["status"] == "completed", body
    return prov, body


def _dashboard(client, prov) -> str:
    resp = client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    assert resp.status_code == 302
    return client.get("/dashboard").get_data(as_text=True)


def _sections(page: str) -> tuple[str, str]:
    """(today and upcoming, past calls) parts of the dashboard."""
    board, past = page.split("<h2>Appels passés</h2>", 1)
    return board.split("<h2>Aujourd’hui</h2>", 1)[1], past


def test_a_completed_call_is_listed_under_past_calls(client, card_pm):
    prov, done = _ended(client, card_pm)  # booked for tomorrow, already completed
    board, past = _sections(_dashboard(client, prov))
    marker = f'data-booking="{done["id"]}"'
    assert marker in past and marker not in board
    assert "Aucun appel passé" not in past and "Aucun appel à venir" in board


def test_past_calls_are_the_most_recent_first(client, card_pm):
    prov = f.provider(client, **FLAT)
    ids = []
    for days in (1, 2):
        b = f.book(client, prov["offer_id"], f.start_in(timedelta(days=days)))
        f.pay(client, b, card_pm(CARD_OK).id)
        assert api(client, "POST", f"/api/v1/bookings/{b['id']}/cancel",
                   token=prov["token"])[1]["status"] == "cancelled"
        ids.append(b["id"])
    _, past = _sections(_dashboard(client, prov))
    assert past.index(f'data-booking="{ids[1]}"') < past.index(f'data-booking="{ids[0]}"')


def test_a_refunded_call_shows_the_net_not_the_gross(client, card_pm):
    prov, done = _ended(client, card_pm)
    [payment] = done["payments"]
    status, _ = api(client, "POST", f"/api/v1/payments/{payment['id']}/refund",
                    json={"amount_minor": 3000}, token=prov["token"])
    assert status == 201
    _, past = _sections(_dashboard(client, prov))
    assert "90,00\xa0€ débités, 30,00\xa0€ remboursés\u202f: 60,00\xa0€ net" in past
    assert "90,00\xa0€ débités<" not in past
    status, _ = api(client, "POST", f"/api/v1/payments/{payment['id']}/refund", json={},
                    token=prov["token"])
    assert status == 201
    _, past = _sections(client.get("/dashboard").get_data(as_text=True))
    assert "90,00\xa0€ débités, remboursés en totalité" in past


def test_start_too_early_is_409_and_changes_nothing(client, card_pm):
    prov, booking = _held(client, card_pm)
    path = f"/api/v1/bookings/{booking['id']}"
    status, body = api(client, "POST", f"{path}/start", token=prov["token"])
    assert status == 409 and body["error"]["code"] == "too_early"
    assert "10 minutes" in body["error"]["message"]
    after = f.get(client, booking)
    assert after["status"] == "held" and after["started_at"] is None
    page = _dashboard(client, prov)
    assert 'data-action="start"' not in page and "Vous pourrez démarrer l’appel à partir de" in page
    flashed = client.post(f"/dashboard/bookings/{booking['id']}/start", follow_redirects=True)
    assert "Trop tôt\u202f: cet appel peut être démarré à partir de 10 minutes" in \
        flashed.get_data(as_text=True)
    assert f.get(client, booking)["status"] == "held"


def test_start_in_the_window_begins_the_call(app, client, card_pm):
    from skod.calls import lifecycle

    _prov, booking = _held(client, card_pm, days=1)
    start = parse_iso(f.get(client, booking)["start_at"])
    with app.app_context():
        with pytest.raises(Conflict) as err:
            lifecycle.start_call(booking["id"], start - timedelta(minutes=11))
        assert err.value.code == "too_early"
    assert f.get(client, booking)["status"] == "held"
    with app.app_context():
        assert lifecycle.start_call(booking["id"], start - timedelta(minutes=9)).status \
            == "in_progress"
    assert f.get(client, booking)["status"] == "in_progress"


def test_start_button_follows_the_setting(app, client, card_pm, monkeypatch):
    prov, booking = _held(client, card_pm, days=1)
    monkeypatch.setitem(app.config, "START_EARLY", timedelta(days=2))
    assert 'data-action="start"' in _dashboard(client, prov)
    client.post(f"/dashboard/bookings/{booking['id']}/start")
    assert f.get(client, booking)["status"] == "in_progress"


def test_an_abandoned_booking_attempt_is_no_call_of_the_dashboard(app, client):
    """The client left the card step: the slot is free again, nothing was refused by a bank;
    it is neither a past call ("Expiré" with a future date) nor a bank refusal."""
    prov = f.provider(client, **FLAT)
    start = f.start_in(timedelta(days=2))
    booking = f.book(client, prov["offer_id"], start)
    created = parse_iso(f.get(client, booking)["start_at"]) - timedelta(days=2)
    f.tick(app, created + timedelta(hours=1))
    assert f.get(client, booking)["status"] == "expired"
    page = _dashboard(client, prov)
    assert f'data-booking="{booking["id"]}"' not in page
    assert "a refusé le paiement" not in page and "Expiré" not in page


def test_an_abandoned_booking_attempts_own_page_says_what_happened(app, client):
    prov = f.provider(client, **FLAT)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=2)))
    created = parse_iso(f.get(client, booking)["start_at"]) - timedelta(days=2)
    f.tick(app, created + timedelta(hours=1))
    page = client.get(f"/b/{booking['id']}/{booking['client_token']}").get_data(as_text=True)
    assert "n’a pas abouti" in page and "rien n’a été débité" in page
    assert "a refusé le paiement" not in page and "sont bloqués" not in page
