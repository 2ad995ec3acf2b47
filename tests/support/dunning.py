"""Dunning in tests: real receivables (a delivered milestone whose off-session charge the bank
declines, through the API and the emulator's scripted declines), the instants of the ladder's
steps, and readers of the dunning e-mails (both parts, links, attachments, the law file's items).
"""

from __future__ import annotations

import html
import io
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

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
working_hour = clock.working_hour


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
    elif kind == "public":
        who.update(company_name="Mairie de Brume", address="1 place de la Mairie\n69500 Bron")
    else:  # a consumer's mise en demeure needs a postal address (formal_notice.needs_address)
        who.update(address="8 rue Victor Hugo\n69002 Lyon")
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
                   before_delivery=None, decline: dict = SOFT) -> tuple[dict, dict, list[int]]:
    """A provider, a project accepted with a good card, each milestone delivered and its
    off-session charge declined (`decline`: insufficient funds by default, and again at the next
    `declines` - 1 attempts: the smart retries): the provider, the project and the receivable ids.
    `before_delivery(project)` runs just before the milestones are delivered."""
    prov = setup_provider(app, client)
    email = f"{kind}-{locale}-{len(milestones)}@example.test"
    project = project_for(client, prov, kind=kind, email=email, locale=locale, tz=tz,
                          milestones=list(milestones))
    pm = card_pm(CARD_OK).id
    status, body = api(client, "POST", f"/api/v1/projects/{project['id']}/payment-method",
                       json={"payment_method": pm}, token=project["client_token"])
    assert status == 200 and body["status"] == "accepted", body
    stripe_emulator.script_declines(pm, *[decline] * declines)  # the charge, then the retries
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
    from skod.dunning.debts.models import Receivable
    from skod.extensions import db

    with app.app_context():
        return list(db.session.scalars(db.select(Receivable.id).order_by(Receivable.id)))


def debt_facts(app, receivable_id: int) -> dict:
    """What the test compares the e-mails with, read from the rows."""
    from skod.dunning.debts.models import Receivable
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

    from skod.payments.decline_labels import words

    with app.test_request_context(), force_locale(locale):
        return str(words(code))


def penalties_to(app, debt: dict, until: date):
    from skod.dunning.owed import rates
    from skod.dunning.rules.penalties import compute

    with app.app_context():
        return compute(amount_minor=debt["balance"], currency="EUR", due=debt["due"],
                       until=until, client_kind=debt["kind"], table=rates.table())


def assert_pay_and_invoice_links(app, client, mail, debt: dict) -> None:
    from skod.dunning.debts import links

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


FEES = ("pénalit", "penalt", "indemnit")
#: the 40 EUR indemnity as an amount ("40,00 €", "€40.00", "40 EUR"), not the digits 4 and 0
#: inside an IBAN or a transfer reference, which are random
FEE_AMOUNT = re.compile(r"(?<![\w,.])40(?:[,.]00)?[\s\u00a0\u202f]*(?:€|eur\b)|€\s*40(?![\d])")


def assert_no_fee(mail) -> None:
    """Nothing a consumer receives names a fee: subject, text, HTML, the invoice PDF."""
    text, page = parts(mail)
    for content in (mail["Subject"], words_only(text), words_only(page), pdf_text(mail)):
        lowered = content.lower()
        assert not [w for w in FEES if w in lowered] and not FEE_AMOUNT.search(lowered), content


def retry_days_left(debt: dict, sent_at: datetime, tz: str, locale: str) -> list[str]:
    """The smart retries (J+1, J+3, J+5 of the failure) not yet made when the notice went."""
    planned = [debt["opened_at"] + timedelta(days=d) for d in (1, 3, 5)]
    return [long_day(m.astimezone(ZoneInfo(tz)).date(), locale) for m in planned if m > sent_at]


def mark_transfer(app, prov: dict, receivable_id: int, amount: int | None,
                  at: datetime) -> None:
    """A transfer the provider records: `amount`, or all that is owed (None)."""
    from skod.dunning.debts import cases

    with app.app_context():
        cases.mark_paid(receivable_id, at, prov["id"], amount=amount)




def walk(app, receivable_id: int, until_step: int = 2) -> list[datetime]:
    """Tick the case through its steps, each at the first working morning it may go (the
    notice after the failure, then J+7 and J+15): the instants, one per step."""
    at = [working_hour(debt_facts(app, receivable_id)["opened_at"])]
    f.tick(app, at[0])
    due = debt_facts(app, receivable_id)["due"]
    for offset in (7, 15)[:until_step]:
        at.append(at_offset(due, offset, at[-1]))
        f.tick(app, at[-1])
    return at


def deadline_day(sent: datetime) -> date:
    """The formal reminder's new deadline: 8 days on, on a French business day."""
    day = sent.astimezone(PARIS).date() + timedelta(days=8)
    while not clock.business_day(day):
        day += timedelta(days=1)
    return day
