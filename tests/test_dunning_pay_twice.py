"""A debt is never paid twice (issue 19, point 3), against the Stripe emulator: the pay page's
intent is cancelled when the debt is settled another way (its confirm is refused, the page says
the debt is settled); when the client's confirm lands before the cancel, the excess is refunded
at Stripe and the provider is e-mailed; the same with a partial transfer."""

from __future__ import annotations

import html

import pytest
import stripe

from tests.dunning_paypage_support import debt
from tests.support.api import api

AMOUNT = 7000


def _token(d: dict) -> str:
    return d["path"].rsplit("/", 1)[1]


def _open_intent(client, d: dict) -> str:
    status, step = api(client, "POST", f"/api/v1/pay/{d['id']}/card-setup", token=_token(d))
    assert status == 200 and step["intent"] == "payment", step
    return step["client_secret"].split("_secret_")[0]


def _mark_paid(client, d: dict, amount: int | None = None) -> None:
    body = {} if amount is None else {"amount_minor": amount}
    status, answer = api(client, "POST", f"/api/v1/receivables/{d['id']}/mark-paid", json=body,
                         token=d["provider"]["token"])
    assert status == 200, answer


def _case(app, receivable_id: int) -> tuple[str, int, int]:
    from skod.dunning.debts.models import Receivable
    from skod.extensions import db

    with app.app_context():
        r = db.session.get(Receivable, receivable_id)
        return r.status, r.paid_minor, r.principal_minor


def _refunds(stripe_raw, pi_id: str) -> list[int]:
    return [r["amount"] for r in stripe_raw.v1.refunds.list(
        params={"payment_intent": pi_id, "limit": 100}).data]


def _page(client, d: dict) -> str:
    resp = client.get(d["path"] + "?lang=en")
    assert resp.status_code == 200
    return html.unescape(resp.get_data(as_text=True))


def test_a_settled_debts_old_intent_is_cancelled_and_its_confirm_refused(
        app, client, stripe_emulator, stripe_raw, card_pm, outbox):
    d = debt(app, client, stripe_emulator, card_pm, amount=AMOUNT)
    pi_id = _open_intent(client, d)
    open_page = _config(client, d, "fr")  # the client's page, still open in a tab
    _mark_paid(client, d)  # a transfer: the whole balance
    assert stripe_raw.v1.payment_intents.retrieve(pi_id)["status"] == "canceled"
    with pytest.raises(stripe.StripeError):  # the client finishes the old intent: refused
        stripe_raw.v1.payment_intents.confirm(pi_id, params={"payment_method": d["card"]})
    status, answer = api(client, "POST", f"/api/v1/pay/{d['id']}/confirm", token=_token(d))
    assert status == 409 and answer["error"]["message"] == "this debt is already settled"
    assert _case(app, d["id"]) == ("paid", AMOUNT, AMOUNT)
    assert _refunds(stripe_raw, pi_id) == []
    assert "This debt is already settled" in _page(client, d)
    # the page still open shows that 409 by its code, in the page's language
    assert open_page["messages"]["already_settled"] == (
        "Cette dette est déjà réglée\u202f: rien de plus ne sera débité.")


def _config(client, d: dict, lang: str) -> dict:
    import json
    import re

    resp = client.get(f"{d['path']}?lang={lang}")
    found = re.search(r'<script[^>]*id="page-config"[^>]*>(.*?)</script>',
                      resp.get_data(as_text=True), re.S)
    return json.loads(html.unescape(found.group(1)))


def test_a_confirm_landing_before_the_cancel_is_refunded_and_the_provider_told(
        app, client, stripe_emulator, stripe_raw, card_pm, outbox):
    d = debt(app, client, stripe_emulator, card_pm, amount=AMOUNT)
    pi_id = _open_intent(client, d)
    # the race: the client's confirm reaches Stripe before the transfer's cancel does
    confirmed = stripe_raw.v1.payment_intents.confirm(pi_id,
                                                      params={"payment_method": d["card"]})
    assert confirmed["status"] == "succeeded"
    outbox.clear()
    _mark_paid(client, d)
    assert _refunds(stripe_raw, pi_id) == [AMOUNT]  # all of it: the transfer paid the debt
    assert _case(app, d["id"]) == ("paid", AMOUNT, AMOUNT)  # never above what was owed
    [told] = [m for m in outbox.to(d["provider"]["email"]) if "twice" in m["Subject"]
              or "deux fois" in m["Subject"]]
    assert "70,00" in told["Subject"] or "70.00" in told["Subject"]
    status, answer = api(client, "POST", f"/api/v1/pay/{d['id']}/confirm", token=_token(d))
    assert status == 200 and answer["refunded_minor"] == AMOUNT, answer
    assert _refunds(stripe_raw, pi_id) == [AMOUNT]  # the page's answer refunds nothing more
    assert "was refunded to your card automatically" in _page(client, d)


def test_a_partial_transfer_racing_the_old_intent_refunds_the_difference(
        app, client, stripe_emulator, stripe_raw, card_pm, outbox):
    """7,000 owed, a 1,000 transfer, the old 7,000 intent confirmed: 1,000 refunded."""
    d = debt(app, client, stripe_emulator, card_pm, amount=AMOUNT)
    pi_id = _open_intent(client, d)
    stripe_raw.v1.payment_intents.confirm(pi_id, params={"payment_method": d["card"]})
    outbox.clear()
    _mark_paid(client, d, 1000)
    assert _refunds(stripe_raw, pi_id) == [1000]
    assert _case(app, d["id"]) == ("paid", AMOUNT, AMOUNT)
    assert [m for m in outbox.to(d["provider"]["email"]) if "twice" in m["Subject"]
            or "deux fois" in m["Subject"]]


def test_a_partial_transfer_cancels_the_intent_for_the_old_balance(
        app, client, stripe_emulator, stripe_raw, card_pm, outbox):
    d = debt(app, client, stripe_emulator, card_pm, amount=AMOUNT)
    pi_id = _open_intent(client, d)
    _mark_paid(client, d, 1000)
    assert stripe_raw.v1.payment_intents.retrieve(pi_id)["status"] == "canceled"
    assert _case(app, d["id"]) == ("open", 1000, AMOUNT)
    fresh = _open_intent(client, d)  # the page asks again: an intent for the new balance
    assert fresh != pi_id
    assert stripe_raw.v1.payment_intents.retrieve(fresh)["amount"] == AMOUNT - 1000
