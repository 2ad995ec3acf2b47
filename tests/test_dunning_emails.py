"""The dunning e-mails as the client reads them: the notice (step 0), the friendly reminder
(J+7) and the formal reminder (J+15), checked item by item against the law file's section 7, in
French and English, for a business client (penalties to date, 40 EUR per invoice) and a
consumer (no fee of any kind, anywhere); one e-mail for two debts of one client; a client in
another time zone. Real receivables: a delivered milestone whose off-session charge the bank
declines (the emulator's scripted declines), walked through `skod tick` at working hours.
"""

from __future__ import annotations

import html
import io
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from pypdf import PdfReader

from skod.core.money import Money
from tests import factories as f
from tests.support import clock
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OK

PARIS = clock.PARIS
IBAN, BIC = "FR7630006000011234567890189", "AGRIFRPPXXX"
LEGAL = {"company_name": "Atelier Brume SARL", "legal_form": "SARL", "siren": "732829320",
         "address": "12 rue des Lilas\n75011 Paris",
         "mediator": "CM2C, 14 rue Saint-Jean, 75017 Paris, www.cm2c.net"}
SOFT = {"decline_code": "insufficient_funds"}


# --- time ---------------------------------------------------------------------------------------
business_day, working_hour = clock.business_day, clock.working_hour


def at_offset(due: date, days: int, not_before: datetime) -> datetime:
    """Step J+`days` of a debt due on `due`: its working morning, at least 5 days (the minimum
    gap) after the previous step."""
    nominal = datetime.combine(due + timedelta(days=days), time(9, 30), PARIS)
    return working_hour(max(nominal, not_before + timedelta(days=5) - timedelta(minutes=1)))


# --- e-mails ------------------------------------------------------------------------------------
def parts(mail) -> tuple[str, str]:
    """(text part, HTML part as text: links' addresses kept, tags out, entities decoded)."""
    text = mail.get_body(("plain",)).get_content()
    page = re.sub(r'<a [^>]*href="([^"]+)"[^>]*>', r" \1 ", mail.get_body(("html",)).get_content())
    return text, html.unescape(re.sub(r"<[^>]+>", " ", page))


def words_only(text: str) -> str:
    """What a reader reads: the links' tokens (random characters) left out."""
    return re.sub(r"https?://\S+", "", text)


def pdf_text(mail) -> str:
    return "\n".join(page.extract_text() for a in mail.iter_attachments()
                     for page in PdfReader(io.BytesIO(a.get_content())).pages)


def assert_in_both(mail, *items: str) -> None:
    text, page = parts(mail)
    for item in items:
        assert item in text, f"{item!r} not in the text part:\n{text}"
        assert item in page, f"{item!r} not in the HTML part:\n{page}"


def money(minor: int, locale: str) -> str:
    return Money(minor, "EUR").format(locale)


def long_day(day: date, locale: str) -> str:
    return format_date(day, "long", locale=locale)


# --- the debts ----------------------------------------------------------------------------------
def setup_provider(app, client) -> dict:
    prov = f.provider(client)
    status, body = api(client, "PATCH", "/api/v1/me", token=prov["token"], json={"legal": LEGAL})
    assert status == 200, body
    from skod.accounts.models import Provider
    from skod.extensions import db

    with app.app_context():  # bank details have no API of their own yet
        row = db.session.get(Provider, body["id"])
        row.iban, row.bic = IBAN, BIC
        prov.update(id=row.id, name=row.name)
        db.session.commit()
    return prov


def project_for(client, prov: dict, *, kind: str, email: str, locale: str, tz: str,
                milestones: list[tuple[str, int]]) -> dict:
    who = {"email": email, "name": "Dana Buyer", "kind": kind, "locale": locale, "timezone": tz}
    if kind == "business":
        who.update(company_name="Buyer SARL", address="4 quai Rambaud\n69002 Lyon")
    status, project = api(client, "POST", "/api/v1/projects", token=prov["token"], json={
        "client": who, "title": "New website", "currency": "EUR", "deposit_percent": 0,
        "approval": "none",
        "milestones": [{"title": t, "amount_minor": a,
                        "expected_on": clock.paris_day(clock.current(), 21 + i).isoformat()}
                       for i, (t, a) in enumerate(milestones)]})
    assert status == 201, project
    return project


def declined_debts(app, client, card_pm, stripe_emulator, *, kind: str = "business",
                   locale: str = "fr", tz: str = "Europe/Paris",
                   milestones: tuple = (("Build", 7000),), declines: int = 10,
                   before_delivery=None) -> tuple[dict, dict, list[int]]:
    """A provider, a project accepted with a good card, each milestone delivered and its
    off-session charge declined (insufficient funds, and again at the next `declines` - 1
    attempts: the smart retries): the provider, the project and the receivable ids.
    `before_delivery(project)` runs just before the milestones are delivered."""
    prov = setup_provider(app, client)
    email = f"{kind}-{locale}-{len(milestones)}@example.test"
    project = project_for(client, prov, kind=kind, email=email, locale=locale, tz=tz,
                          milestones=list(milestones))
    pm = card_pm(CARD_OK).id
    status, body = api(client, "POST", f"/api/v1/projects/{project['id']}/payment-method",
                       json={"payment_method": pm}, token=project["client_token"])
    assert status == 200 and body["status"] == "accepted", body
    stripe_emulator.script_declines(pm, *[SOFT] * declines)  # the charge, then the retries
    if before_delivery is not None:
        before_delivery(project)
    status, read = api(client, "GET", f"/api/v1/projects/{project['id']}",
                       token=prov["token"])
    for m in read["milestones"]:
        if m["status"] == "pending":
            assert api(client, "POST", f"/api/v1/milestones/{m['id']}/start",
                       token=prov["token"])[0] == 200
        status, done = api(client, "POST", f"/api/v1/milestones/{m['id']}/complete", json={},
                           token=prov["token"])
        assert status == 200 and done["status"] == "payment_failed", done
    project.update(email=email)
    return prov, project, receivable_ids(app)


def receivable_ids(app) -> list[int]:
    from skod.dunning.models import Receivable
    from skod.extensions import db

    with app.app_context():
        return list(db.session.scalars(db.select(Receivable.id).order_by(Receivable.id)))


def debt_facts(app, receivable_id: int) -> dict:
    """What the test compares the e-mails with, read from the rows."""
    from skod.dunning.models import Receivable
    from skod.extensions import db

    with app.app_context():
        r = db.session.get(Receivable, receivable_id)
        invoice = r.invoice
        return {"id": r.id, "number": invoice.number if invoice else None,
                "invoice_id": r.invoice_id, "issue": invoice.issue_date if invoice else None,
                "due": r.due_date, "total": r.principal_minor,
                "paid": r.paid_minor, "balance": r.balance_minor, "code": r.failure_code,
                "kind": r.client_kind, "opened_at": r.opened_at,
                "retries_done": r.retries_done, "next_retry_at": r.next_retry_at}


def step_mail(outbox, email: str, now_sent: int) -> object:
    mails = outbox.to(email)
    assert len(mails) == now_sent, [m["Subject"] for m in mails]
    return mails[-1]


def reason_words(app, code: str, locale: str) -> str:
    from flask_babel import force_locale

    from skod.payments.decline_words import words

    with app.test_request_context(), force_locale(locale):
        return str(words(code))


def penalties_to(app, debt: dict, until: date):
    from skod.dunning import rates
    from skod.dunning.penalties import compute

    with app.app_context():
        return compute(amount_minor=debt["balance"], currency="EUR", due=debt["due"],
                       until=until, client_kind=debt["kind"], table=rates.table())


def assert_pay_and_invoice_links(app, client, mail, debt: dict) -> None:
    from skod.dunning import links

    text, _ = parts(mail)
    token = re.search(rf"/pay/{debt['id']}/([A-Za-z0-9_.\-]+)", text)
    assert token, text
    with app.app_context():
        assert links.opens(debt["id"], token.group(1))
    found = re.search(rf"/i/{debt['invoice_id']}/[A-Za-z0-9_.\-]+", text)
    assert found, text
    pdf = client.get(found.group(0))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert f"invoice-{debt['number']}.pdf" in [a.get_filename() for a in mail.iter_attachments()]


def assert_common_items(app, client, mail, prov: dict, debt: dict, locale: str) -> None:
    """The J+7 list (law file, section 7), item by item, in both parts."""
    assert_in_both(mail, prov["name"], LEGAL["company_name"], LEGAL["legal_form"],
                   LEGAL["siren"], "12 rue des Lilas, 75011 Paris", prov["email"],
                   debt["number"], long_day(debt["issue"], locale), long_day(debt["due"], locale),
                   money(debt["total"], locale), money(debt["balance"], locale), IBAN, BIC,
                   f"SKOD-{debt['number']}", reason_words(app, debt["code"], locale))
    assert debt["code"] not in words_only(parts(mail)[0])  # in words, never the raw code
    assert_pay_and_invoice_links(app, client, mail, debt)
    assert mail["Reply-To"] == prov["email"]


FEES = ("40", "pénalit", "penalt", "indemnit")


def assert_no_fee(mail) -> None:
    """Nothing a consumer receives names a fee: subject, text, HTML, the invoice PDF."""
    text, page = parts(mail)
    for content in (mail["Subject"], words_only(text), words_only(page), pdf_text(mail)):
        lowered = content.lower()
        assert not [w for w in FEES if w in lowered], content


def retry_days_left(debt: dict, sent_at: datetime, tz: str, locale: str) -> list[str]:
    """The smart retries (J+1, J+3, J+5 of the failure) not yet made when the notice went."""
    planned = [debt["opened_at"] + timedelta(days=d) for d in (1, 3, 5)]
    return [long_day(m.astimezone(ZoneInfo(tz)).date(), locale) for m in planned if m > sent_at]


def mark_transfer(app, prov: dict, receivable_id: int, amount: int, at: datetime) -> None:
    from skod.dunning import cases

    with app.app_context():
        cases.mark_paid(receivable_id, at, prov["id"], amount=amount)


# --- tests --------------------------------------------------------------------------------------
@pytest.mark.parametrize("locale", ["fr", "en"])
def test_business_client_gets_notice_then_friendly_then_formal_with_penalties(
        app, client, card_pm, stripe_emulator, outbox, locale):
    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator, locale=locale)
    email, opened = project["email"], debt_facts(app, rid)["opened_at"]
    outbox.clear()

    t0 = working_hour(opened)
    f.tick(app, t0)
    notice, debt = step_mail(outbox, email, 1), debt_facts(app, rid)
    assert debt["number"] in notice["Subject"]
    assert_in_both(notice, "New website", "Build", money(7000, locale), debt["number"],
                   reason_words(app, "insufficient_funds", locale), IBAN,
                   f"SKOD-{debt['number']}", prov["email"],
                   *retry_days_left(debt, t0, "Europe/Paris", locale))
    assert_pay_and_invoice_links(app, client, notice, debt)
    assert "insufficient_funds" not in words_only(parts(notice)[0])

    mark_transfer(app, prov, rid, 2000, t0 + timedelta(hours=1))  # a partial transfer
    t1 = at_offset(debt["due"], 7, t0)
    f.tick(app, t1 - timedelta(days=1))
    assert len(outbox.to(email)) == 1  # not before J+7
    f.tick(app, t1)
    friendly, debt = step_mail(outbox, email, 2), debt_facts(app, rid)
    assert (debt["total"], debt["paid"], debt["balance"]) == (7000, 2000, 5000)
    assert_common_items(app, client, friendly, prov, debt, locale)
    assert_in_both(friendly, "Buyer SARL", "Dana Buyer", money(2000, locale))
    text = parts(friendly)[0].lower()
    assert not [w for w in ("pénalit", "penalt", "indemnit") if w in text]  # J+7: no fees yet

    t2 = at_offset(debt["due"], 15, t1)
    f.tick(app, t2)
    formal = step_mail(outbox, email, 3)
    assert_common_items(app, client, formal, prov, debt, locale)
    today = t2.astimezone(PARIS).date()
    deadline_day = today + timedelta(days=8)
    while not business_day(deadline_day):  # a deadline is a working day
        deadline_day += timedelta(days=1)
    deadline = format_date(deadline_day, "full", locale=locale)
    owed = penalties_to(app, debt, today)
    assert owed.interest_minor > 0 and owed.indemnity_minor == 4000 and owed.segments
    assert_in_both(formal, deadline, "L441-10", "D441-5", money(owed.interest_minor, locale),
                   money(4000, locale), money(owed.total_minor, locale),
                   *[money(s.amount_minor, locale) for s in owed.segments],
                   *[f"{s.days}" for s in owed.segments])
    assert_in_both(formal, *{"fr": ["10 points", "sans qu'aucun rappel"],
                             "en": ["10 points", "without any reminder"]}[locale])
    assert format_date(deadline_day, "long", locale=locale) in formal["Subject"]

    f.tick(app, t2 + timedelta(days=20))  # steps 3 and 4 are not sent by this version
    assert len(outbox.to(email)) == 3


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_consumer_never_reads_a_fee_and_is_told_of_the_formal_notice(
        app, client, card_pm, stripe_emulator, outbox, locale):
    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator,
                                          kind="consumer", locale=locale)
    email, opened = project["email"], debt_facts(app, rid)["opened_at"]
    outbox.clear()
    t0 = working_hour(opened)
    f.tick(app, t0)
    debt = debt_facts(app, rid)
    t1 = at_offset(debt["due"], 7, t0)
    f.tick(app, t1)
    t2 = at_offset(debt["due"], 15, t1)
    f.tick(app, t2)
    notice, friendly, formal = outbox.to(email)
    assert_common_items(app, client, friendly, prov, debt, locale)
    assert_common_items(app, client, formal, prov, debt, locale)
    assert_in_both(formal, *{"fr": ["mise en demeure", "taux légal", "1231-6"],
                             "en": ["formal notice", "legal rate", "1231-6"]}[locale],
                   LEGAL["mediator"])
    for mail in (notice, friendly, formal):
        assert_no_fee(mail)


def test_two_debts_of_one_client_make_one_email_per_step(app, client, card_pm,
                                                          stripe_emulator, outbox):
    from skod.dunning.models import DunningStep
    from skod.extensions import db

    prov, project, ids = declined_debts(app, client, card_pm, stripe_emulator,
                                        milestones=(("Build", 7000), ("Launch", 5500)))
    assert len(ids) == 2
    email, opened = project["email"], debt_facts(app, ids[0])["opened_at"]
    outbox.clear()
    t0 = working_hour(opened)
    f.tick(app, t0)
    [notice] = outbox.to(email)
    first, second = debt_facts(app, ids[0]), debt_facts(app, ids[1])
    assert notice["Subject"].startswith("2 ")
    assert_in_both(notice, first["number"], second["number"], money(7000, "fr"),
                   money(5500, "fr"), "Build", "Launch", f"SKOD-{first['number']}",
                   f"SKOD-{second['number']}")
    assert_pay_and_invoice_links(app, client, notice, first)
    assert_pay_and_invoice_links(app, client, notice, second)
    with app.app_context():  # each (receivable, step) recorded once, both in this e-mail
        rows = db.session.scalars(db.select(DunningStep)).all()
        assert sorted((r.receivable_id, r.step, r.status) for r in rows) == [
            (ids[0], 0, "sent"), (ids[1], 0, "sent")]
        assert {r.message_id for r in rows} == {notice["Message-ID"]}

    t1 = at_offset(first["due"], 7, t0)
    f.tick(app, t1)
    t2 = at_offset(first["due"], 15, t1)
    f.tick(app, t2)
    _, friendly, formal = outbox.to(email)
    assert friendly["Subject"].startswith("2 ") and formal["Subject"].startswith("2 ")
    today = t2.astimezone(PARIS).date()
    owed = [penalties_to(app, d, today) for d in (first, second)]
    assert_in_both(formal, first["number"], second["number"], money(4000, "fr"),
                   money(owed[0].total_minor, "fr"), money(owed[1].total_minor, "fr"),
                   money(owed[0].total_minor + owed[1].total_minor, "fr"))
    assert owed[0].total_minor + owed[1].total_minor == 12500 + 8000 + sum(
        o.interest_minor for o in owed)  # 40 EUR for each invoice


def test_client_in_another_time_zone_is_written_to_in_their_working_hours(
        app, client, card_pm, stripe_emulator, outbox):
    tz = "America/New_York"
    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator,
                                          kind="consumer", locale="en", tz=tz)
    email, opened = project["email"], debt_facts(app, rid)["opened_at"]
    outbox.clear()
    morning = working_hour(opened)  # 10:00 in Paris: 04:00 or 05:00 in New York
    f.tick(app, morning)
    assert outbox.to(email) == []
    afternoon = morning + timedelta(hours=7)  # 17:00 in Paris: 11:00 or 12:00 in New York
    f.tick(app, afternoon)
    [notice] = outbox.to(email)
    debt = debt_facts(app, rid)
    assert_in_both(notice, "Your card will be tried again on", money(7000, "en"),
                   *retry_days_left(debt, afternoon, tz, "en"))


def test_public_buyer_formal_reminder_uses_ecb_plus_8(app, client, card_pm, stripe_emulator,
                                                       outbox):
    from skod.accounts.models import Client
    from skod.extensions import db

    def public_body(project: dict) -> None:
        with app.app_context():  # the API takes businesses and consumers; a public body is
            for row in db.session.scalars(db.select(Client)):  # set on the row
                row.kind, row.company_name = "public", "Mairie de Brume"
            db.session.commit()

    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator,
                                          before_delivery=public_body)
    email, opened = project["email"], debt_facts(app, rid)["opened_at"]
    t0 = working_hour(opened)
    f.tick(app, t0)
    debt = debt_facts(app, rid)
    assert debt["kind"] == "public"
    t1 = at_offset(debt["due"], 7, t0)
    f.tick(app, t1)
    t2 = at_offset(debt["due"], 15, t1)
    f.tick(app, t2)
    formal = outbox.to(email)[-1]
    owed = penalties_to(app, debt, t2.astimezone(PARIS).date())
    assert [s.basis for s in owed.segments] == ["ecb_plus_8"]
    assert_in_both(formal, "Mairie de Brume", "8 points", "R2192-31", "D2192-35",
                   money(owed.interest_minor, "fr"), money(4000, "fr"),
                   money(owed.total_minor, "fr"))
    assert "10 points" not in parts(formal)[0]


# --- what the provider (and, for a plan, the client) is told -------------------------------------
def provider_mail(outbox, prov: dict, subject_part: str):
    mails = [m for m in outbox.to(prov["email"]) if subject_part in m["Subject"]]
    assert len(mails) == 1, [m["Subject"] for m in outbox.to(prov["email"])]
    return mails[0]


def test_provider_is_told_a_debt_was_paid_by_a_smart_retry(app, client, card_pm,
                                                           stripe_emulator, outbox):
    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator, declines=1)
    debt = debt_facts(app, rid)
    outbox.clear()
    f.tick(app, debt["opened_at"] + timedelta(days=1, minutes=1))  # J+1: the card pays
    assert debt_facts(app, rid)["balance"] == 0
    paid = provider_mail(outbox, prov, debt_facts(app, rid)["number"])
    assert_in_both(paid, "Dana Buyer", money(7000, "fr"), "par carte",
                   f"/dashboard/receivables/{rid}")


def test_provider_is_told_of_a_transfer_a_promise_and_a_dispute(app, client, card_pm,
                                                               stripe_emulator, outbox, now):
    from skod.dunning import cases

    prov, project, ids = declined_debts(app, client, card_pm, stripe_emulator,
                                        milestones=(("Build", 7000), ("Launch", 5500)))
    f.tick(app, working_hour(debt_facts(app, ids[0])["opened_at"]))  # the invoices exist
    first, second = debt_facts(app, ids[0]), debt_facts(app, ids[1])
    outbox.clear()
    on = now + timedelta(days=10)
    with app.app_context():
        cases.promise(ids[0], now, on)
        cases.client_dispute(ids[1], now, "The launch never happened.")
    promised = provider_mail(outbox, prov, first["number"])
    assert_in_both(promised, "Dana Buyer", first["number"],
                   long_day(on.astimezone(PARIS).date(), "fr"), f"/dashboard/receivables/{ids[0]}")
    disputed = provider_mail(outbox, prov, second["number"])
    assert_in_both(disputed, "“The launch never happened.”", second["number"],
                   f"/dashboard/receivables/{ids[1]}")
    outbox.clear()
    with app.app_context():
        cases.resume(ids[0], now, prov["id"])
        cases.mark_paid(ids[0], now, prov["id"])
    paid = provider_mail(outbox, prov, first["number"])
    assert_in_both(paid, money(7000, "fr"), "par virement", "aucune autre relance")


@pytest.mark.parametrize("what", ["plan_accepted", "plan_refused", "plan_failed"])
def test_payment_plan_answers_reach_the_client_and_the_provider(app, client, card_pm,
                                                                 stripe_emulator, outbox, now,
                                                                 what):
    from skod.dunning import notify
    from skod.dunning.models import Instalment, PaymentPlan, Receivable
    from skod.extensions import db

    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator, locale="en")
    f.tick(app, working_hour(debt_facts(app, rid)["opened_at"]))
    debt = debt_facts(app, rid)
    outbox.clear()
    with app.app_context():  # the plan as the pay page stores it (its flow is the pay page's)
        plan = PaymentPlan(receivable_id=rid, instalments=2, status="proposed")
        plan.schedule = [Instalment(seq=n, due_at=now + timedelta(days=30 * n),
                                    amount_minor=3500) for n in (1, 2)]
        db.session.add(plan)
        db.session.commit()
        notify.provider_told(db.session.get(Receivable, rid), "plan_proposed")
        notify.provider_told(db.session.get(Receivable, rid), what, amount_minor=3500)
    proposed = provider_mail(outbox, prov, "échéancier est proposé")  # the provider's French
    assert_in_both(proposed, "Dana Buyer", "2 mensualités", debt["number"],
                   f"/dashboard/receivables/{rid}")
    [told] = outbox.to(project["email"])
    text = parts(told)[0]
    assert told["Reply-To"] == prov["email"]
    if what == "plan_accepted":
        assert_in_both(told, money(3500, "en"),
                       *[long_day((now + timedelta(days=30 * n)).astimezone(PARIS).date(), "en")
                         for n in (1, 2)])
        assert "/pay/" not in text
    else:
        assert_in_both(told, money(7000, "en"), prov["email"])
        assert f"/pay/{rid}/" in text
    assert len(outbox.to(prov["email"])) == 2


# --- the letter itself (pure) --------------------------------------------------------------------
def letter_for(app, *, step: int, code: str | None, kind: str | None, client_kind: str):
    from flask_babel import force_locale

    from skod.dunning import letters

    debt = letters.Debt(service="Audit", source_kind="booking", currency="EUR", total_minor=9000,
                        paid_minor=0, balance_minor=9000, due_date=date(2026, 3, 2),
                        pay_url="https://skod.test/pay/1/t", reference="SKOD-2026-000009",
                        invoice_number="2026-000009", issue_date=date(2026, 3, 2),
                        failure_code=code, failure_kind=kind)
    facts = letters.Facts(step=step, creditor=letters.Creditor(name="Ana", email="ana@x.test"),
                          debtor="Lou", client_name="Lou", client_kind=client_kind, locale="fr",
                          timezone="Europe/Paris", today=date(2026, 3, 20), debts=(debt,),
                          deadline=date(2026, 3, 30) if step == 2 else None)
    with app.test_request_context(), force_locale("fr"):
        return letters.build(facts)


@pytest.mark.parametrize(("code", "kind", "said"), [
    ("hold_expired", "expired", "Le montant réservé sur votre carte a expiré"),
    ("dispute_lost", "dispute", "Votre banque vous a restitué ce paiement"),
    ("insufficient_funds", "soft_decline", "provision insuffisante"),
    ("authentication_required", "authentication_required", "3-D Secure"),
    ("InvalidRequestError", "fatal", "Le paiement n'a pas pu être effectué avec votre carte."),
])
def test_why_the_payment_failed_is_said_in_words(app, code, kind, said):
    letter = letter_for(app, step=0, code=code, kind=kind, client_kind="consumer")
    [why] = [v for label, v in letter.blocks[0].rows if label.startswith("Motif")]
    assert said in why and code not in why


def test_nothing_is_said_of_a_failure_that_is_not_known(app):
    letter = letter_for(app, step=1, code=None, kind=None, client_kind="consumer")
    assert not [label for label, _ in letter.blocks[0].rows if label.startswith("Motif")]
