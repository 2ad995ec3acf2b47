"""Step 3, the mise en demeure, walked the real way (a declined milestone, `skod tick` at the
ladder's working mornings): the PDF letter attached to the client's e-mail is read back with
pypdf and checked item by item against the law file's section 7 (J+30), for a business client
(penalties per half-year segment, 40 EUR per invoice) in French and English and for a consumer
(no fee, legal interest from the recorded posting date); the provider's approval setting, the
registered-mail task (closed when paid), its form's errors.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from skod.core import formats
from skod.dunning.owed import history
from skod.dunning.rules.ladder import deadline_after
from tests.formal_notice_support import (
    CLIENT_LEGAL,
    flat,
    notice_of,
    notice_pdf,
    paris_day,
    pdf_words,
    set_client_identity,
    walk_to_notice,
)
from tests.support.dunning import (
    BIC,
    IBAN,
    LEGAL,
    debt_facts,
    declined_debts,
    money,
    penalties_to,
)

WORDS = {"fr": {"place": "Paris, le", "ref": "Jalon de projet", "court": "injonction de payer",
                "post": "recommandée", "basis": "L441-10", "interest": "taux légal"},
         "en": {"place": "Paris,", "ref": "Project milestone", "court": "injonction de payer",
                "post": "Registered letter", "basis": "L441-10", "interest": "legal rate"}}


def assert_items(text: str, *items: str) -> None:
    for item in items:
        assert flat(item) in text, f"{item!r} not in the letter:\n{text}"


def medium(day, locale: str) -> str:
    return formats.day(day, locale, "medium")


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_business_debt_gets_a_mise_en_demeure_with_every_item(
        app, client, card_pm, stripe_emulator, outbox, locale):
    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator, locale=locale)
    set_client_identity(app, rid)
    outbox.clear()
    t3 = walk_to_notice(app, rid)
    debt, notice = debt_facts(app, rid), notice_of(app, rid)
    mails = outbox.to(project["email"])
    assert len(mails) == 4 and notice["status"] == "sent"
    mail = mails[-1]
    assert mail["Message-ID"] == notice["message_id"] and "MISE EN DEMEURE" in mail["Subject"]
    text = pdf_words(notice_pdf(mail))
    issued, words = paris_day(t3), WORDS[locale]
    deadline = deadline_after(issued, 8)
    assert notice["issued_on"] == issued and notice["deadline"] == deadline
    owed = penalties_to(app, debt, issued)
    assert owed.segments and owed.indemnity_minor == 4000
    total = debt["balance"] + owed.interest_minor + 4000
    assert notice["total"] == total
    assert_items(
        text, "MISE EN DEMEURE", words["place"], formats.day(issued, locale, "long"),
        # both parties: legal form, SIREN, address
        LEGAL["company_name"], LEGAL["legal_form"], LEGAL["siren"], "12 rue des Lilas",
        "75011 Paris", prov["email"], "Buyer SARL", CLIENT_LEGAL["legal_form"],
        CLIENT_LEGAL["siren"], "Dana Buyer", "4 quai Rambaud", "69002 Lyon",
        words["ref"], "Build",  # what was sold
        # the table: number, date, due date, incl. VAT, paid, balance
        debt["number"], medium(debt["issue"], locale), medium(debt["due"], locale),
        money(debt["total"], locale), money(debt["paid"], locale), money(debt["balance"], locale),
        # penalties, the indemnity, the grand total, the final deadline in full
        words["basis"], "D441-5", money(owed.interest_minor, locale), money(4000, locale),
        money(total, locale), formats.day(deadline, locale, "full"),
        IBAN, BIC, f"SKOD-{debt['number']}", words["court"], words["post"])
    for s in owed.segments:  # one row per half-year segment: period, days, amount
        period = f"{medium(s.start, locale)} – {medium(s.end, locale)}"
        assert re.search(re.escape(flat(period)) + rf" {s.days} .*?"
                         + re.escape(flat(money(s.amount_minor, locale))), text), text
    assert f"/pay/{rid}/" in text.replace(" ", "")  # the pay link (may wrap in the PDF)
    assert "saisie" not in text.lower() and "seiz" not in text.lower()  # no false threat
    # the provider's task: post the same PDF by registered mail
    told = outbox.to(prov["email"])[-1]
    assert notice_pdf(told) == notice["pdf"] == notice_pdf(mail)
    # the signature block closes the letter (before the page number)
    assert re.search(re.escape(f"{prov['name']} {LEGAL['company_name']}") + r" \d+ / \d+ ?$",
                     text), text[-300:]


def test_consumer_letter_has_no_fee_and_interest_runs_from_the_posting(
        app, client, card_pm, stripe_emulator, outbox):
    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator,
                                          kind="consumer")
    outbox.clear()
    t3 = walk_to_notice(app, rid)
    mail = outbox.to(project["email"])[-1]
    text = pdf_words(notice_pdf(mail))
    lowered = text.lower()
    assert "mise en demeure" in lowered and WORDS["fr"]["interest"] in lowered
    assert not [w for w in ("40 €", "40,00 €", "indemnit", "pénalit") if w in lowered], text
    notice = notice_of(app, rid)
    assert notice["total"] == debt_facts(app, rid)["balance"]
    assert flat(money(notice["total"], "fr")) in text
    check_api(app, client, prov, rid, notice)
    assert_interest_from_posting(app, client, prov, rid, notice, t3)


def check_api(app, client, prov: dict, rid: int, notice: dict) -> None:
    """GET the notice and its PDF (the owner only); a bad posting answers 422, changes
    nothing (the letter is dated in the test's future: no posting date can be valid yet)."""
    from tests import factories as f
    from tests.support.api import api

    url = f"/api/v1/formal-notices/{notice['id']}"
    status, body = api(client, "GET", url, token=prov["token"])
    assert status == 200, body
    assert (body["status"], body["mail_task"], body["receivable_ids"]) == ("sent", "open", [rid])
    assert body["total_minor"] == notice["total"]
    pdf = client.get(f"{url}.pdf", headers={"Authorization": f"Bearer {prov['token']}"})
    assert pdf.status_code == 200 and pdf.data == notice["pdf"]
    stranger = f.provider(client)
    assert api(client, "GET", url, token=stranger["token"])[0] == 404
    for data, field in (({"tracking_number": "??", "posted_on": "2020-01-01"},
                         "tracking_number"),
                        ({"tracking_number": "1A12345678901", "posted_on": "2020-01-01"},
                         "posted_on"),
                        ({"tracking_number": "1A12345678901"}, "posted_on")):
        status, body = api(client, "POST", f"{url}/posting", token=prov["token"], json=data)
        assert status == 422 and field in body["error"]["fields"], body
    assert notice_of(app, rid)["mail_task"] == "open"


def assert_interest_from_posting(app, client, prov, rid, notice, t3) -> None:
    """Posted two days after the letter (recorded with the service's `now`, since the pages
    run on the real clock): the consumer's interest starts the day after that posting."""
    from skod.dunning.mise_en_demeure import services as mise_en_demeure

    posted = paris_day(t3) + timedelta(days=2)
    with app.app_context():
        mise_en_demeure.record_posting(notice["id"], prov["id"], "1A 123 456 7890 1",
                                     posted, t3 + timedelta(days=2, hours=1))
    after = notice_of(app, rid)
    assert (after["mail_task"], after["tracking"], after["posted_on"]) == (
        "done", "1A 123 456 7890 1", posted)
    owed = interest_now(app, rid, posted + timedelta(days=10))
    assert owed.segments[0].start == posted + timedelta(days=1) and owed.interest_minor > 0
    assert owed.indemnity_minor == 0


def interest_now(app, rid: int, until):
    """The penalties as the recourse file works them out: the posting date read back from
    the stored notice (recourse_facts.notices_of), then the reminders' engine wrapper."""
    from skod.dunning.debts.models import Receivable
    from skod.dunning.owed import rates
    from skod.dunning.recourse import facts as recourse_facts
    from skod.extensions import db

    with app.app_context():
        notice = recourse_facts.notices_of([rid]).get(rid)
        return history.penalties_of(db.session.get(Receivable, rid), until, rates.table(),
                                   notice.posted_on if notice else None)


def save_settings(client, **extra: str):
    form = {"step1": "7", "step2": "15", "step3": "30", "step4": "45",
            "retry_days": "1, 3, 5"} | extra
    return client.post("/dashboard/reminders", data=form)


def test_approval_holds_the_letter_until_the_provider_sends_it(
        app, client, card_pm, stripe_emulator, outbox):
    from skod.dunning.debts.models import Receivable
    from skod.extensions import db
    from tests.dunning_support import steps_of
    from tests.support import clock
    from tests.test_dunning_provider_pages import _login, _text

    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator)
    _login(client, prov)
    resp = save_settings(client, notice_days="20", notice_approval="y")
    assert resp.status_code == 422 and "From 8 to 15 days." in _text(resp)
    assert save_settings(client, notice_days="10", notice_approval="y").status_code == 302
    outbox.clear()
    t3 = walk_to_notice(app, rid)
    f_tick_later(app, t3)
    assert len(outbox.to(project["email"])) == 3  # no letter: it waits for the approval
    assert "attend votre accord" in outbox.to(prov["email"])[-1]["Subject"]
    draft = notice_of(app, rid)
    assert draft["status"] == "draft" and (3, "claimed") in steps_of(app, rid)
    with app.app_context():
        assert db.session.get(Receivable, rid).next_action_at is None  # the case waits
    assert "Mise en demeure: waits for your approval" in _text(
        client.get("/dashboard/receivables"))

    resp = client.post(f"/dashboard/formal-notices/{draft['id']}/approve")
    assert resp.status_code == 302
    mails = outbox.to(project["email"])
    assert len(mails) == 4 and "MISE EN DEMEURE" in mails[-1]["Subject"]
    sent = notice_of(app, rid)
    today = clock.paris_today(clock.current())  # the pages run on the real clock
    assert sent["status"] == "sent" and (3, "sent") in steps_of(app, rid)
    assert (sent["issued_on"], sent["deadline"]) == (today, deadline_after(today, 10))
    assert "envoyez-la en recommandé" in outbox.to(prov["email"])[-1]["Subject"]
    assert client.post(f"/dashboard/formal-notices/{draft['id']}/approve").status_code == 302
    assert len(outbox.to(project["email"])) == 4  # exactly one letter
    pdf = client.get(f"/dashboard/formal-notices/{sent['id']}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "Mise en demeure: send it by registered mail" in _text(
        client.get("/dashboard/receivables"))
    check_posting_form(app, client, rid, sent, today)


def f_tick_later(app, t3) -> None:
    from tests import factories as f

    f.tick(app, t3 + timedelta(days=3))


def check_posting_form(app, client, rid: int, notice: dict, today) -> None:
    """Bad input: the form says why and nothing changes; then the posting is recorded."""
    from tests.test_dunning_provider_pages import _text

    url = f"/dashboard/formal-notices/{notice['id']}/posting"
    for data, words in (
            ({"tracking_number": "??", "posted_on": today.isoformat()},
             "8 to 40 letters, digits, spaces or dashes"),
            ({"tracking_number": "1A12345678901",
              "posted_on": (today + timedelta(days=1)).isoformat()},
             "A day from the letter's date to today."),
            ({"tracking_number": "1A12345678901", "posted_on": "yesterday"},
             "Not a valid date value.")):
        resp = client.post(url, data=data)
        assert resp.status_code == 422 and words in _text(resp).replace("&#39;", "'"), data
        assert notice_of(app, rid)["mail_task"] == "open"
        assert notice_of(app, rid)["tracking"] is None
    resp = client.post(url, data={"tracking_number": " 1A 123 456 7890 1 ",
                                  "posted_on": today.isoformat()})
    assert resp.status_code == 302
    done = notice_of(app, rid)
    assert (done["mail_task"], done["tracking"], done["posted_on"]) == (
        "done", "1A 123 456 7890 1", today)
    page = _text(client.get(f"/dashboard/receivables/{rid}"))
    assert "posted on" in page and "1A 123 456 7890 1" in page
    assert "Mise en demeure posted by registered mail, tracking number 1A 123 456 7890 1" in page
    assert "Mise en demeure ready: it waits for your approval." in page


@pytest.mark.parametrize("approval", [False, True])
def test_paid_after_the_notice_closes_its_task(app, client, card_pm, stripe_emulator, outbox,
                                               approval):
    from tests.dunning_support import steps_of
    from tests.support.dunning import mark_transfer
    from tests.test_dunning_provider_pages import _login

    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator)
    if approval:
        _login(client, prov)
        assert save_settings(client, notice_approval="y").status_code == 302
    t3 = walk_to_notice(app, rid)
    before = notice_of(app, rid)
    assert before["status"] == ("draft" if approval else "sent")
    assert before["mail_task"] == "open"
    # all that is owed (the balance and the penalties the letters claimed): the balance alone
    # leaves the case, and so the letter's task, open for the penalties (test_dunning_owed.py)
    mark_transfer(app, prov, rid, None, t3 + timedelta(days=5))
    after = notice_of(app, rid)
    assert after["mail_task"] == "closed"
    assert after["status"] == ("cancelled" if approval else "sent")
    assert (3, "withdrawn" if approval else "sent") in steps_of(app, rid)


@pytest.mark.parametrize(("kind", "stored"), [("business", "SAS"), ("consumer", None)])
def test_a_business_clients_legal_form_is_kept_a_persons_ignored(app, client, kind, stored):
    from skod.accounts.models import Client
    from skod.extensions import db
    from tests import factories as f
    from tests.support.api import api

    prov = f.provider(client)
    who = {"email": f"{kind}@example.test", "name": "Dana", "kind": kind,
           "company_name": "Buyer SAS", "legal_form": " SAS ", "address": "4 quai Rambaud"}
    status, body = api(client, "POST", "/api/v1/projects", token=prov["token"], json={
        "client": who, "title": "Site", "currency": "EUR",
        "milestones": [{"title": "M1", "amount_minor": 10_000, "expected_on": "2030-01-01"}]})
    assert status == 201, body
    with app.app_context():
        row = db.session.scalar(db.select(Client).where(Client.email == who["email"]))
        assert row.legal_form == stored
    who["legal_form"] = "x" * 65
    status, body = api(client, "POST", "/api/v1/projects", token=prov["token"], json={
        "client": who | {"email": f"other-{kind}@example.test"}, "title": "Site",
        "currency": "EUR",
        "milestones": [{"title": "M1", "amount_minor": 10_000, "expected_on": "2030-01-01"}]})
    assert status == (422 if kind == "business" else 201), body


def test_a_debt_paused_before_the_approval_is_left_out_and_gets_its_step_back(
        app, client, card_pm, stripe_emulator, outbox):
    from tests.dunning_support import steps_of
    from tests.support.api import api
    from tests.test_dunning_provider_pages import _login

    prov, project, ids = declined_debts(app, client, card_pm, stripe_emulator,
                                        milestones=(("Build", 7000), ("Launch", 5500)))
    _login(client, prov)
    assert save_settings(client, notice_approval="y").status_code == 302
    walk_to_notice(app, ids[0])
    draft = notice_of(app, ids[0])
    assert draft["id"] == notice_of(app, ids[1])["id"]  # one letter for both invoices
    status, body = api(client, "POST", f"/api/v1/receivables/{ids[1]}/pause",
                       token=prov["token"], json={})
    assert status == 200, body
    assert client.post(f"/dashboard/formal-notices/{draft['id']}/approve").status_code == 302
    text = pdf_words(notice_pdf(outbox.to(project["email"])[-1]))
    first, second = debt_facts(app, ids[0]), debt_facts(app, ids[1])
    assert first["number"] in text and second["number"] not in text
    assert (3, "sent") in steps_of(app, ids[0])
    assert 3 not in dict(steps_of(app, ids[1])) and notice_of(app, ids[1]) is None
