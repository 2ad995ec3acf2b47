"""Confirmation before money moves (issue #13), server side: every page POST that charges,
captures or refunds, sent without `confirm=1`, answers with the confirmation page (the amount,
to which card, what happens next) and changes nothing, in the database or at the emulator;
the same POST with `confirm=1` moves the money as before."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest

from tests import factories as f
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OK
from tests.test_messages_api import held_message
from tests.test_messages_api import read as read_message
from tests.test_projects_api import accepted_project, act
from tests.test_projects_api import read as read_project
from tests.test_refunds import _ended_call

FLAT = {"pricing": "flat", "duration_minutes": 30, "price": {"amount_minor": 9000,
                                                             "currency": "EUR"}}
CARD = "la carte se terminant par 4242"


def _login(client, prov: dict) -> None:
    resp = client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    assert resp.status_code == 302


def _text(resp) -> str:
    return re.sub(r"[ \t\r\n]+", " ", resp.get_data(as_text=True))  # keeps no-break spaces


def _intent(stripe_raw, pi_id: str) -> tuple[str, int]:
    pi = stripe_raw.v1.payment_intents.retrieve(pi_id)
    return pi["status"], pi["amount_received"]


def _asks_then_moves(client, path: str, data: dict, says: list[str],
                     state: Callable[[], tuple], moved: Callable[[], None]) -> None:
    """POST without confirm: the confirmation page, `state()` unchanged; then with confirm=1
    (as its Confirm button posts it): `moved()` holds."""
    before = state()
    resp = client.post(path, data=data)
    assert resp.status_code == 200
    page = _text(resp)
    for words in says:
        assert words in page, words
    assert 'id="confirm-box"' in page and 'name="confirm" value="1"' in page
    for name, value in data.items():  # what was typed goes back with Confirm
        assert f'name="{name}" value="{value}"' in page
    assert state() == before
    assert client.post(path, data=dict(data, confirm="1")).status_code == 302
    moved()


def test_client_late_cancel_asks_with_the_fee_and_the_card(client, card_pm, stripe_raw):
    prov = f.provider(client, **FLAT)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(hours=4)))
    assert f.pay(client, booking, card_pm(CARD_OK).id) == {"status": "held"}
    pi_id = f.get(client, booking)["payments"][0]["stripe_payment_intent_id"]

    def moved() -> None:
        assert f.get(client, booking)["status"] == "cancelled"
        assert f.captured_at_emulator(stripe_raw, pi_id) == 4500

    _asks_then_moves(
        client, f"/b/{booking['id']}/{booking['client_token']}/cancel", {},
        [f"45,00\xa0€ seront débités sur {CARD}\u202f: les frais d’annulation tardive",
         "Le créneau est libéré", "Annuler et payer 45,00\xa0€", "Retour, ne rien changer"],
        lambda: (f.get(client, booking)["status"], _intent(stripe_raw, pi_id)), moved)
    assert _intent(stripe_raw, pi_id)[0] == "succeeded"


@pytest.mark.usefixtures("start_any_time")
def test_end_asks_with_the_amount_to_capture(client, card_pm, stripe_raw):
    prov = f.provider(client, **FLAT)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    f.pay(client, booking, card_pm(CARD_OK).id)
    assert api(client, "POST", f"/api/v1/bookings/{booking['id']}/start",
               token=prov["token"])[0] == 200
    pi_id = f.get(client, booking)["payments"][0]["stripe_payment_intent_id"]
    _login(client, prov)
    _asks_then_moves(
        client, f"/dashboard/bookings/{booking['id']}/end", {},
        [f"Le prix forfaitaire de 90,00\xa0€ sera débité maintenant sur le montant bloqué sur "
         f"{CARD}.", "Terminer et débiter 90,00\xa0€"],
        lambda: (f.get(client, booking)["status"], _intent(stripe_raw, pi_id)),
        lambda: (f.get(client, booking)["status"] == "completed"
                 and f.captured_at_emulator(stripe_raw, pi_id) == 9000) or pytest.fail("End"))


def test_no_show_asks_with_the_fee(app, client, card_pm, stripe_raw, now):
    prov = f.provider(client, **FLAT)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    f.pay(client, booking, card_pm(CARD_OK).id)
    pi_id = f.get(client, booking)["payments"][0]["stripe_payment_intent_id"]
    with app.app_context():  # the call began 5 minutes ago (the page acts on the real clock)
        from skod.calls.models import Booking
        from skod.extensions import db

        row = db.session.get(Booking, booking["id"])
        row.start_at, row.end_at = now - timedelta(minutes=5), now + timedelta(minutes=25)
        db.session.commit()
    _login(client, prov)

    def moved() -> None:
        assert f.get(client, booking)["status"] == "cancelled"
        assert f.captured_at_emulator(stripe_raw, pi_id) == 4500

    _asks_then_moves(
        client, f"/dashboard/bookings/{booking['id']}/no-show", {},
        ["Marquer le client absent\u202f?",
         f"45,00\xa0€ seront débités sur {CARD}\u202f: les frais "
         "d’annulation tardive convenus", "Marquer absent et débiter 45,00\xa0€"],
        lambda: (f.get(client, booking)["status"], _intent(stripe_raw, pi_id)), moved)


def test_refund_asks_with_the_amount_typed(client, card_pm, stripe_raw):
    prov, booking, payment = _ended_call(client, card_pm)  # 15,00 € captured
    pi_id = payment["stripe_payment_intent_id"]
    _login(client, prov)

    def moved() -> None:
        assert f.refunds_at_emulator(stripe_raw, pi_id) == [250]

    _asks_then_moves(
        client, f"/dashboard/payments/{payment['id']}/refund",
        {"amount": "2,50", "reason": "goodwill"},
        ["Rembourser 2,50\xa0€\u202f?", f"2,50\xa0€ seront remboursés sur {CARD}"],
        lambda: tuple(f.refunds_at_emulator(stripe_raw, pi_id)), moved)
    # with no amount typed, the confirmation states all that is left
    page = _text(client.post(f"/dashboard/payments/{payment['id']}/refund",
                             data={"reason": "goodwill"}))
    assert "Rembourser 12,50\xa0€\u202f?" in page
    assert f.refunds_at_emulator(stripe_raw, pi_id) == [250]


def test_send_answer_asks_with_the_amount_captured_first(client, card_pm, stripe_raw):
    prov, message = held_message(client, card_pm)
    pi_id = read_message(client, message)["payments"][0]["stripe_payment_intent_id"]
    _login(client, prov)

    def state() -> tuple:
        body = read_message(client, message)
        return body["status"], body.get("reply"), _intent(stripe_raw, pi_id)

    def moved() -> None:
        assert read_message(client, message)["status"] == "answered"
        assert f.captured_at_emulator(stripe_raw, pi_id) == 1000

    _asks_then_moves(
        client, f"/inbox/{message['id']}/reply", {"body": "Yes, you can deduct it."},
        [f"10,00\xa0€ seront débités maintenant sur le montant bloqué sur {CARD}, puis votre "
         "réponse est remise au client.", "Débiter 10,00\xa0€ et envoyer"], state, moved)


def _milestone_state(client, project: dict, stripe_raw) -> Callable[[], tuple]:
    def state() -> tuple:
        m = read_project(client, project)["milestones"][0]
        return m["status"], _intent(stripe_raw, m["payments"][-1]["stripe_payment_intent_id"])
    return state


def _paid(client, project: dict, stripe_raw, amount: int) -> Callable[[], None]:
    def moved() -> None:
        m = read_project(client, project)["milestones"][0]
        assert m["status"] == "paid"
        assert f.captured_at_emulator(stripe_raw,
                                      m["payments"][-1]["stripe_payment_intent_id"]) == amount
    return moved


def test_client_approve_asks_with_the_amount(client, card_pm, stripe_raw):
    prov, project, body = accepted_project(client, card_pm, approval="client",
                                           milestones=[("Audit", 5000, 1)])
    m = body["milestones"][0]
    act(client, m["id"], "complete", prov["token"])
    _asks_then_moves(
        client, f"/pr/{project['id']}/{project['client_token']}/m/{m['id']}/approve", {},
        ["Approuver «\u202fAudit\u202f»\u202f?",
         f"50,00\xa0€ seront débités maintenant sur le montant "
         f"bloqué sur {CARD}.", "Approuver et payer 50,00\xa0€"],
        _milestone_state(client, project, stripe_raw), _paid(client, project, stripe_raw, 5000))


@pytest.mark.parametrize("approval, action, says", [
    ("none", "complete", "Marquer comme terminée et débiter 50,00\xa0€"),
    ("client", "resolve", "Régler et débiter 50,00\xa0€"),
])
def test_provider_capture_of_a_milestone_asks_first(client, card_pm, stripe_raw, approval,
                                                    action, says):
    prov, project, body = accepted_project(client, card_pm, approval=approval,
                                           milestones=[("Audit", 5000, 1)])
    m = body["milestones"][0]
    if m["status"] == "pending":
        act(client, m["id"], "start", prov["token"])
    if action == "resolve":
        act(client, m["id"], "complete", prov["token"])
        act(client, m["id"], "contest", project["client_token"], {"reason": "missing pages"})
    _login(client, prov)
    _asks_then_moves(
        client, f"/projects/{project['id']}/milestones/{m['id']}/{action}", {},
        [says, f"50,00\xa0€ seront débités maintenant sur le montant bloqué sur {CARD}."],
        _milestone_state(client, project, stripe_raw), _paid(client, project, stripe_raw, 5000))


def test_actions_that_move_no_money_need_no_confirmation(client, card_pm):
    """Mark done with client approval only asks the client: it runs at once."""
    prov, project, body = accepted_project(client, card_pm, approval="client",
                                           milestones=[("Audit", 5000, 1)])
    m = body["milestones"][0]
    if m["status"] == "pending":
        act(client, m["id"], "start", prov["token"])
    _login(client, prov)
    resp = client.post(f"/projects/{project['id']}/milestones/{m['id']}/complete")
    assert resp.status_code == 302
    assert read_project(client, project)["milestones"][0]["status"] == "awaiting_approval"


def test_the_scripts_asking_post_never_acts(client, card_pm, stripe_raw):
    """The dialog script's first POST (header X-Skod-Confirm: ask) gets the confirmation or,
    with nothing to confirm (here a refund over what is left), 204 and no change and no
    message: the form's own post then says what is wrong, once."""
    prov, booking, payment = _ended_call(client, card_pm)  # 15,00 € captured
    _login(client, prov)
    path = f"/dashboard/payments/{payment['id']}/refund"
    asking = {"X-Skod-Confirm": "ask"}
    assert "Rembourser 2,50\xa0€\u202f?" in _text(client.post(
        path, data={"amount": "2,50", "reason": "goodwill"}, headers=asking))
    over = client.post(path, data={"amount": "99"}, headers=asking)
    assert over.status_code == 204
    with client.session_transaction() as session:
        assert not session.get("_flashes")
    plain = client.post(path, data={"amount": "99"}, follow_redirects=True)
    assert _text(plain).count('class="flash error"') == 1
    assert f.refunds_at_emulator(stripe_raw, payment["stripe_payment_intent_id"]) == []
