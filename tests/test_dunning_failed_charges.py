"""Every place where a failed charge of delivered value must open a receivable (issue 19,
point 7), through the real path against the Stripe emulator: the minutes beyond the hold, the
call's price charged after its hold lapsed, the late-cancel fee charged off-session, the
no-show fee whose capture is refused, and the net of the tick that chases an unpaid invoice
past its due date. (An ended call's refused capture: test_dunning_rules_guarded.py; an
answer's: test_messages_api.py; a milestone's: every dunning test.)"""

from __future__ import annotations

from datetime import timedelta

from skod.core.clock import parse_iso
from tests import factories as f
from tests.dunning_support import receivable_of
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OK

REFUSED = {"decline_code": "insufficient_funds", "advice_code": "try_again_later"}
#: a flat 90.00 EUR call with a 40 % late-cancel fee: fee 36.00
FLAT = {"pricing": "flat", "duration_minutes": 30, "late_cancel_fee_percent": 40,
        "price": {"amount_minor": 9000, "currency": "EUR"}}


def _owed(app, source: str) -> tuple[str, int, str | None]:
    debt = receivable_of(app, source)
    assert debt is not None, f"no receivable for {source}"
    return debt.status, debt.principal_minor, debt.failure_code


def _held(client, card_pm, **offer) -> tuple[dict, dict, str]:
    prov = f.provider(client, **offer)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=2)))
    pm = card_pm(CARD_OK).id
    assert f.pay(client, booking, pm)["status"] == "held"
    return prov, booking, pm


def test_a_refused_overrun_opens_its_receivable(app, client, card_pm, stripe_emulator):
    prov, booking, pm = _held(client, card_pm)  # 1.00 a minute, 20 minutes held
    stripe_emulator.script_declines(pm, REFUSED)  # the overrun's off-session charge
    status, ended = api(client, "POST", f"/api/v1/bookings/{booking['id']}/end",
                        json={"minutes": 30}, token=prov["token"])
    assert status == 200 and ended["status"] == "payment_failed", ended
    hold = next(p for p in ended["payments"] if p["purpose"] == "hold")
    extra = ended["amount_due"] - hold["amount_captured"]
    assert extra > 0
    assert _owed(app, f"overrun:booking:{booking['id']}") == ("open", extra,
                                                              "insufficient_funds")


def test_a_refused_call_charge_after_the_hold_lapsed_opens_its_receivable(
        app, client, card_pm, stripe_emulator):
    prov, booking, pm = _held(client, card_pm)
    [hold] = f.get(client, booking)["payments"]
    stripe_emulator.expire_hold(hold["stripe_payment_intent_id"])
    stripe_emulator.script_declines(pm, REFUSED)  # the call's price, charged off-session
    status, ended = api(client, "POST", f"/api/v1/bookings/{booking['id']}/end",
                        json={"minutes": 15}, token=prov["token"])
    assert status == 200 and ended["status"] == "payment_failed", ended
    assert _owed(app, f"booking:{booking['id']}") == ("open", 1500, "insufficient_funds")


def test_a_refused_late_cancel_fee_opens_its_receivable(app, client, card_pm,
                                                        stripe_emulator):
    from skod.calls import lifecycle

    prov = f.provider(client, **FLAT)
    start = f.start_in(timedelta(days=10))
    booking = f.book(client, prov["offer_id"], start)
    pm = card_pm(CARD_OK).id
    assert f.pay(client, booking, pm) == {"status": "card_saved"}
    stripe_emulator.script_declines(pm, REFUSED)
    with app.app_context():  # 20 h before the start, no hold placed yet: charged off-session
        lifecycle.cancel_booking(booking["id"], "client", start - timedelta(hours=20))
    body = f.get(client, booking)
    assert (body["status"], body["amount_due"]) == ("cancelled", 3600)
    assert _owed(app, f"booking:{booking['id']}") == ("open", 3600, "insufficient_funds")


def test_a_no_show_fee_whose_capture_is_refused_opens_its_receivable(app, client, card_pm):
    from skod.calls import lifecycle
    from skod.extensions import db
    from skod.payments.models import Payment

    prov = f.provider(client, **FLAT)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(hours=5)))
    assert f.pay(client, booking, card_pm(CARD_OK).id) == {"status": "held"}
    start = parse_iso(f.get(client, booking)["start_at"])
    with app.app_context():  # the intent is gone at Stripe: the fee's capture is refused
        payment = db.session.scalar(db.select(Payment))
        payment.stripe_payment_intent_id = "pi_does_not_exist"
        db.session.commit()
        lifecycle.mark_no_show(booking["id"], start + timedelta(minutes=15))
    assert f.get(client, booking)["cancel_reason"] == "no_show"
    status, amount, _code = _owed(app, f"booking:{booking['id']}")
    assert (status, amount) == ("open", 3600)


def test_the_tick_chases_an_invoice_unpaid_after_its_due_date(app, client, now):
    from skod.accounts.models import Client
    from skod.extensions import db
    from skod.invoicing import ledger

    prov = f.provider(client)
    with app.app_context():
        from skod.accounts.models import Provider

        provider = db.session.scalar(db.select(Provider).where(Provider.email == prov["email"]))
        buyer = Client(provider_id=provider.id, email="late@example.test", name="Lou Late",
                       kind="business",
                       timezone="Europe/Paris", locale="fr")
        db.session.add(buyer)
        db.session.commit()
        invoice = ledger.issue(ledger.IssueSpec(
            provider_id=provider.id, client_id=buyer.id, source="test:late:1",
            lines=[("Work", 4200)], now=now, currency="EUR"))
        source, due = invoice.source, invoice.due_date
        db.session.commit()
    f.tick(app, now + timedelta(minutes=1))  # not due yet: nothing to chase
    assert receivable_of(app, source) is None
    day_after = parse_iso(f"{due + timedelta(days=1)}T12:00:00+00:00")
    f.tick(app, max(day_after, now + timedelta(minutes=2)))
    assert _owed(app, source) == ("open", 4200, None)
