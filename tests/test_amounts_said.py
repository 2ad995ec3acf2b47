"""Every amount a person reads is the amount that moved (issue 23, point 1): the e-mails sent
once a milestone is paid read their figures from skod.dunning.debts.moved, whether the money came
from the milestone's own charge or through its debt (the pay page), never "0,00 € charged"."""

from __future__ import annotations

import re

import pytest

from tests.dunning_paypage_support import debt, state
from tests.support import clock
from tests.support.api import api


def _text(mail) -> str:  # noqa: ANN001 - an EmailMessage
    body = mail.get_body(preferencelist=("plain",)).get_content()
    return " ".join(body.replace("\u202f", " ").replace("\u00a0", " ").split())


def _pay_on_the_page(client, stripe_raw, d: dict) -> None:
    token = d["path"].rsplit("/", 1)[1]
    status, step = api(client, "POST", f"/api/v1/pay/{d['id']}/card-setup", token=token)
    assert status == 200 and step["intent"] == "payment", step
    pi_id = step["client_secret"].split("_secret_")[0]
    confirmed = stripe_raw.v1.payment_intents.confirm(pi_id, params={"payment_method": d["card"]})
    assert confirmed["status"] == "succeeded"
    status, answer = api(client, "POST", f"/api/v1/pay/{d['id']}/confirm", token=token)
    assert status == 200, answer


def test_a_pay_page_payment_of_1800_says_1800_charged_and_nothing_left(
        app, client, stripe_emulator, stripe_raw, card_pm, outbox):
    d = debt(app, client, stripe_emulator, card_pm, amount=180_000)
    outbox.clear()
    _pay_on_the_page(client, stripe_raw, d)
    assert state(app, d["id"])["status"] == "paid"
    [to_client] = [m for m in outbox.to(d["email"]) if "Étape payée" in m["Subject"]]
    [to_provider] = [m for m in outbox.to(d["provider"]["email"])
                     if "Étape payée" in m["Subject"]]
    for mail in (to_client, to_provider):
        text = _text(mail)
        assert "1 800,00 € débités pour cette étape." in text, text
        assert "Plus rien n’est dû pour cette étape." in text
        assert "0,00 €" not in text.replace("1 800,00 €", "")
    # the client's copy carries the invoice of what was paid
    assert any(part.get_filename() for part in to_client.iter_attachments())


def test_a_partial_transfer_then_the_pay_page_says_what_this_payment_charged(
        app, client, stripe_emulator, stripe_raw, card_pm, outbox):
    """400,00 € arrive by transfer, the client pays the remaining 1 400,00 € on the page: the
    e-mail names this payment (1 400,00 €), not the whole debt nor zero."""
    d = debt(app, client, stripe_emulator, card_pm, amount=180_000)
    status, answer = api(client, "POST", f"/api/v1/receivables/{d['id']}/mark-paid",
                         json={"amount_minor": 40_000}, token=d["provider"]["token"])
    assert status == 200, answer
    outbox.clear()
    _pay_on_the_page(client, stripe_raw, d)
    [to_client] = [m for m in outbox.to(d["email"]) if "Étape payée" in m["Subject"]]
    text = _text(to_client)
    assert "1 400,00 € débités pour cette étape." in text, text
    assert "En tout, 1 800,00 € payés pour cette étape." in text
    assert "Plus rien n’est dû pour cette étape." in text
    # the provider's closing notice: this payment by card, and the total with the transfer
    [closed] = [m for m in outbox.to(d["provider"]["email"]) if "Réglée" in m["Subject"]]
    text = _text(closed)
    assert "Dana Buyer a réglé 1 400,00 € par carte." in text, text
    assert "En tout, 1 800,00 € ont été payés pour cette facture." in text


def test_a_milestone_captured_on_its_own_hold_says_its_amount(app, client, card_pm, outbox):
    from tests import factories as f

    prov = f.provider(client)
    status, project = api(client, "POST", "/api/v1/projects", token=prov["token"], json={
        "client": {"email": "eve@example.test", "name": "Eve", "kind": "business",
                   "company_name": "Eve SAS", "address": "1 rue de Rivoli\n75001 Paris"},
        "title": "Audit", "currency": "EUR",
        "milestones": [{"title": "Report", "amount_minor": 40_000,
                        "expected_on": clock.paris_day(clock.current(), 2).isoformat()}]})
    assert status == 201, project
    status, body = api(client, "POST", f"/api/v1/projects/{project['id']}/payment-method",
                       json={"payment_method": card_pm().id}, token=project["client_token"])
    assert status == 200, body
    status, read = api(client, "GET", f"/api/v1/projects/{project['id']}",
                       token=project["client_token"])
    milestone = read["milestones"][0]
    status, done = api(client, "POST", f"/api/v1/milestones/{milestone['id']}/complete",
                       json={}, token=prov["token"])
    assert status == 200 and done["status"] == "paid", done
    [to_client] = [m for m in outbox.to("eve@example.test") if "Étape payée" in m["Subject"]]
    text = _text(to_client)
    assert "400,00 € débités pour cette étape." in text and "Plus rien n’est dû" in text


@pytest.mark.usefixtures("start_any_time")
def test_the_receipt_of_a_13_minute_call_billed_per_minute_gives_13_minutes(
        client, card_pm, outbox):
    from datetime import timedelta

    from tests import factories as f
    from tests.support.stripe_helpers import CARD_OK

    prov = f.provider(client)  # per minute, 1,00 € a minute, 20 minutes booked
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    assert f.pay(client, booking, card_pm(CARD_OK).id) == {"status": "held"}
    tok = prov["token"]
    assert api(client, "POST", f"/api/v1/bookings/{booking['id']}/start", token=tok)[0] == 200
    status, ended = api(client, "POST", f"/api/v1/bookings/{booking['id']}/end",
                        json={"minutes": 13}, token=tok)
    assert status == 200 and ended["minutes_billed"] == 13, ended
    [receipt] = [m for m in outbox.to("client@example.test") if "Reçu" in m["Subject"]]
    text = _text(receipt)
    # the label's colon is the mail template's (its typography is another part of issue 23)
    assert re.search(r"Minutes facturées ?: 13 minutes", text), text
    assert "20 minutes" not in text and "13,00 €" in text


def test_a_cancelled_booking_says_the_hold_was_released(client, card_pm, outbox):
    from datetime import timedelta

    from tests import factories as f
    from tests.support.stripe_helpers import CARD_OK

    prov = f.provider(client, pricing="flat", duration_minutes=30,
                      price={"amount_minor": 9000, "currency": "EUR"})
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=3)))
    assert f.pay(client, booking, card_pm(CARD_OK).id)["status"] in ("held", "card_saved")
    status, body = api(client, "POST", f"/api/v1/bookings/{booking['id']}/cancel",
                       token=prov["token"])
    assert status == 200 and body["status"] == "cancelled", body
    page = client.get(f"/b/{booking['id']}/{booking['client_token']}").get_data(as_text=True)
    flat = " ".join(page.replace("\u202f", " ").replace("\u00a0", " ").split())
    assert "sont bloqués" not in flat and "est bloqué" not in flat, flat
    assert "Le montant bloqué sur votre carte est libéré" in flat
    [mail] = [m for m in outbox.to("client@example.test") if "annulé" in m["Subject"]]
    assert "est libéré" in _text(mail)


def test_an_answer_paid_on_the_pay_page_says_what_was_charged(
        app, client, stripe_raw, card_pm, outbox):
    """Its capture failed (the hold gone at Stripe), the client pays 10,00 € on the pay page:
    the answer's e-mail says €10.00 charged, read from the debt's payment."""
    from skod.core.signing import make_token
    from skod.extensions import db
    from skod.payments.models import Payment
    from tests.dunning_paypage_support import receivable_of
    from tests.test_messages_api import held_message, reply

    prov, message = held_message(client, card_pm)
    with app.app_context():
        payment = db.session.scalar(db.select(Payment))
        payment.stripe_payment_intent_id = "pi_gone_at_stripe"
        db.session.commit()
    assert reply(client, prov, message)[1]["status"] == "payment_failed"
    with app.app_context():
        receivable_id = receivable_of(f"message:{message['id']}").id
        path = f"/pay/{receivable_id}/{make_token('pay', receivable_id)}"
    outbox.clear()
    _pay_on_the_page(client, stripe_raw, {"id": receivable_id, "path": path,
                                          "card": card_pm().id})
    [answer] = [m for m in outbox.to("asker@example.test") if "answered" in m["Subject"]]
    text = _text(answer)
    assert "You were charged €10.00." in text and "€0.00" not in text, text


def test_each_instalment_says_what_was_charged_and_what_is_left(
        app, client, stripe_emulator, stripe_raw, card_pm, outbox):
    """A plan of three on a 120,00 € debt: each instalment that leaves something owed tells
    the client 40,00 € charged and what is left; the last one closes the debt, and the
    milestone's e-mail says the last 40,00 € and 120,00 € in all."""
    from datetime import timedelta

    from skod.core.clock import parse_iso
    from tests import factories as f
    from tests.dunning_paypage_support import save_plan_card
    from tests.test_dunning_plans import _ask, _decide

    d = debt(app, client, stripe_emulator, card_pm)
    save_plan_card(client, stripe_raw, card_pm, d)  # the refused card cannot carry them
    assert _ask(client, d, 3).status_code == 303
    status, plan = _decide(client, d, "accept")
    assert status == 200, plan
    due = [parse_iso(i["due_at"]) for i in plan["schedule"]]
    for at in due:  # whenever the plan charges its instalments, each is charged once
        f.tick(app, at + timedelta(minutes=1))
    assert state(app, d["id"])["status"] == "paid"
    said = [_text(m) for m in outbox.to(d["email"]) if "Mensualité débitée" in m["Subject"]]
    assert len(said) == 2, said
    assert all("Une mensualité de 40,00 € a été débitée" in text for text in said)
    assert "Reste à payer : 80,00 €." in said[0] and "Reste à payer : 40,00 €." in said[1]
    assert "La prochaine mensualité sera débitée le" in said[0]
    [paid] = [_text(m) for m in outbox.to(d["email"]) if "Étape payée" in m["Subject"]]
    assert "40,00 € débités pour cette étape." in paid
    assert "En tout, 120,00 € payés pour cette étape." in paid
