"""The client's pay page of a debt without a browser: the signed link, what the page shows,
the dispute and the promise (the ladder pauses, then resumes after the promised date), bad
input answered on the form with nothing changed."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

from skod.accounts.bank import grouped
from skod.core.signing import make_token
from skod.dunning.debts import settling
from tests import factories as f
from tests.dunning_paypage_support import AMOUNT, IBAN, business_at, debt, set_bank, state
from tests.support import clock
from tests.support.api import api


def _html(response) -> str:
    return response.get_data(as_text=True)


def test_only_the_debts_own_unexpired_link_opens_the_page(app, client, stripe_emulator,
                                                          card_pm):
    d = debt(app, client, stripe_emulator, card_pm)
    assert client.get(d["path"]).status_code == 200
    with app.app_context():
        other = make_token("pay", d["id"] + 1)
        project_token = make_token("project", d["id"])
    for path in (f"/pay/{d['id']}/{other}", f"/pay/{d['id']}/{project_token}",
                 f"/pay/{d['id']}/not-a-token", f"/pay/{d['id'] + 1}/{other}",
                 f"/pay/{d['id'] + 1}/{other}/invoice.pdf"):
        assert client.get(path).status_code == 404, path
    saved = app.config["PAY_LINK_MAX_AGE"]
    app.config["PAY_LINK_MAX_AGE"] = timedelta(seconds=-1)  # every link has expired
    try:
        assert client.get(d["path"]).status_code == 410  # the page: ask for a new link
        status, _ = api(client, "POST", f"/api/v1/pay/{d['id']}/card-setup",
                        token=d["path"].rsplit("/", 1)[1])
        assert status == 404
    finally:
        app.config["PAY_LINK_MAX_AGE"] = saved
    # the card API wants the link's token: none is 401, another object's or a provider's 404
    assert api(client, "POST", f"/api/v1/pay/{d['id']}/card-setup")[0] == 401
    assert api(client, "POST", f"/api/v1/pay/{d['id']}/card-setup", token=project_token)[0] \
        == 404
    assert api(client, "POST", f"/api/v1/pay/{d['id']}/confirm",
               token=d["provider"]["token"])[0] == 404


def test_page_shows_the_debt_in_the_clients_language(app, client, stripe_emulator, card_pm):
    d = debt(app, client, stripe_emulator, card_pm)
    page = _html(client.get(d["path"]))
    assert "Paiement à Provider" in page and "120,00\u00a0€" in page
    assert re.search(r"Invoice|Facture \w+", page)
    # the code may be a key of the script's decline words (page-config), never in the text
    text = page.split('id="page-config"')[0]
    assert 'id="failure"' in page and "insufficient_funds" not in text
    assert 'id="pay-form"' in page and 'id="transfer"' not in page  # no IBAN given
    for form in ("plan-form", "promise-form", "dispute-form"):
        assert f'id="{form}"' in page
    pdf = client.get(d["path"] + "/invoice.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    english = _html(client.get(d["path"] + "?lang=en"))
    assert "Payment to Provider" in english and "€120.00" in english

    set_bank(app, d["provider"]["email"])
    page = _html(client.get(d["path"] + "?lang=fr"))
    assert grouped(IBAN) in page and "AGRIFRPP882" in page  # read grouped by four
    assert re.search(r'id="transfer-reference">SKOD-[^<]+<', page)


def test_the_clients_other_open_debts_are_listed_with_their_own_link(app, client,
                                                                    stripe_emulator, card_pm):
    first = debt(app, client, stripe_emulator, card_pm)
    # a second delivered milestone of the same client with the same provider
    from tests.dunning_paypage_support import receivable_of

    status, project = api(client, "POST", "/api/v1/projects", token=first["provider"]["token"],
                          json={"client": {"email": first["email"], "name": "Dana Buyer"},
                                "title": "Second site", "currency": "EUR",
                                "milestones": [{"title": "Copy", "amount_minor": 5_000,
                                                "expected_on": clock.paris_day(
                                                    clock.current(), 21).isoformat()}]})
    assert status == 201, project
    card = card_pm().id
    api(client, "POST", f"/api/v1/projects/{project['id']}/payment-method",
        json={"payment_method": card}, token=project["client_token"])
    milestone = api(client, "GET", f"/api/v1/projects/{project['id']}",
                    token=project["client_token"])[1]["milestones"][0]
    stripe_emulator.script_declines(card, {"decline_code": "insufficient_funds"})
    api(client, "POST", f"/api/v1/milestones/{milestone['id']}/complete", json={},
        token=first["provider"]["token"])
    with app.app_context():
        second = receivable_of(f"milestone:{milestone['id']}")
        assert second is not None  # its own client row, the same e-mail address
        second_id = second.id
    page = _html(client.get(first["path"]))
    assert f'data-receivable="{first["id"]}"' in page
    assert f'data-receivable="{second_id}"' in page
    link = re.search(rf'href="(http[^"]*/pay/{second_id}/[^"]+)"', page)
    assert link, "the other debt has no pay link"
    assert client.get(urlsplit(link.group(1)).path).status_code == 200


def test_dispute_pauses_the_ladder_and_tells_the_provider(app, client, stripe_emulator,
                                                          card_pm, outbox, now):
    d = debt(app, client, stripe_emulator, card_pm, refusal={"decline_code": "stolen_card"})
    f.tick(app, business_at(clock.paris_day(now, 1)))
    assert state(app, d["id"])["steps"] == [0]
    before = len(outbox.to(d["provider"]["email"]))
    bad = client.post(d["path"] + "/dispute", data={"reason": "  "})
    assert bad.status_code == 422 and 'class="error"' in _html(bad)
    too_long = client.post(d["path"] + "/dispute", data={"reason": "x" * 2001})
    assert too_long.status_code == 422
    assert state(app, d["id"])["status"] == "open"
    sent = client.post(d["path"] + "/dispute", data={"reason": "The site was never delivered."})
    assert sent.status_code == 303
    assert state(app, d["id"])["pause_reason"] == "client_dispute"
    assert len(outbox.to(d["provider"]["email"])) == before + 1
    page = _html(client.get(d["path"]))
    assert 'id="pause"' in page and "The site was never delivered." in page
    assert 'id="dispute-form"' not in page and 'id="pay-form"' in page
    client_mails = len(outbox.to(d["email"]))
    f.tick(app, business_at(clock.paris_day(now, 9)))  # step 1 (J+7) is due: not sent
    assert state(app, d["id"])["steps"] == [0]
    assert len(outbox.to(d["email"])) == client_mails


def test_promise_pauses_until_the_morning_after_the_date_then_the_ladder_resumes(
        app, client, stripe_emulator, card_pm, outbox, now):
    d = debt(app, client, stripe_emulator, card_pm, refusal={"decline_code": "stolen_card"})
    f.tick(app, business_at(clock.paris_day(now, 1)))
    assert state(app, d["id"])["steps"] == [0]
    today = clock.paris_today(now)
    for bad in ((today + timedelta(days=31)).isoformat(), (today - timedelta(days=1)).isoformat(),
                "31/02/2026", ""):
        answer = client.post(d["path"] + "/promise", data={"day": bad})
        assert answer.status_code == 422, bad
        assert 'class="error"' in _html(answer)
        assert state(app, d["id"])["status"] == "open"
    day = today + timedelta(days=12)
    assert client.post(d["path"] + "/promise", data={"day": day.isoformat()}).status_code == 303
    case = state(app, d["id"])
    assert (case["status"], case["pause_reason"]) == ("paused", "promise")
    assert case["paused_until"] == datetime.combine(day + timedelta(days=1), time(9),
                                                    clock.PARIS)
    assert 'id="pause"' in _html(client.get(d["path"]))
    mails = len(outbox.to(d["email"]))
    f.tick(app, business_at(clock.paris_day(now, 9)))  # step 1 is due, the promise holds it
    assert state(app, d["id"])["steps"] == [0] and len(outbox.to(d["email"])) == mails
    f.tick(app, business_at(day + timedelta(days=1), 11))  # the morning after: unpaid
    case = state(app, d["id"])
    assert case["status"] == "open" and case["steps"] == [0, 1]
    assert len(outbox.to(d["email"])) == mails + 1


def test_a_paid_debts_page_says_so_without_a_pay_button(app, client, stripe_emulator,
                                                       card_pm):
    d = debt(app, client, stripe_emulator, card_pm)
    status, _ = api(client, "POST", f"/api/v1/pay/{d['id']}/card-setup",
                    token=d["path"].rsplit("/", 1)[1])
    assert status == 200
    from skod.core.clock import utcnow

    with app.app_context():
        settling.settle(d["id"], AMOUNT, utcnow(), "transfer")
    page = _html(client.get(d["path"]))
    assert 'id="debt-status"' in page and 'id="pay-form"' not in page
    for form in ("plan-form", "promise-form", "dispute-form"):
        assert f'id="{form}"' not in page
    assert client.post(d["path"] + "/dispute", data={"reason": "late"}).status_code == 409
    assert state(app, d["id"])["status"] == "paid"


def test_the_forms_need_their_csrf_token(app, client, stripe_emulator, card_pm):
    d = debt(app, client, stripe_emulator, card_pm)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        forged = client.post(d["path"] + "/dispute", data={"reason": "forged elsewhere"})
        assert forged.status_code == 400 and state(app, d["id"])["status"] == "open"
        page = _html(client.get(d["path"]))
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        sent = client.post(d["path"] + "/dispute",
                           data={"reason": "Not what we agreed.", "csrf_token": token})
        assert sent.status_code == 303 and state(app, d["id"])["status"] == "paused"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
