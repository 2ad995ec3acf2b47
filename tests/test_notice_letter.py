"""The mise en demeure's pure rules (skod/dunning/mise_en_demeure/letter.py), table-driven: the town
of
the letter, the grand total per kind of client, the deadline, and which items each kind of
client reads (a business the segments and 40 EUR per invoice, a public buyer ECB + 8, a
consumer legal interest from the letter and never a fee); no false threat for anyone."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from skod.dunning.mise_en_demeure import letter as N
from skod.dunning.reminders.letter_facts import Creditor, Debt, Facts
from skod.dunning.rules.penalties import RateRow, RateTable, compute

TABLE = RateTable.of([RateRow(2025, 2, 215, 665, 276), RateRow(2026, 1, 215, 667, 262),
                      RateRow(2026, 2, 215, 600, 250)])
ISSUED = date(2026, 7, 20)
CREDITOR = Creditor(name="Camille Martin", email="camille@example.test",
                    company_name="Atelier Brume SARL", legal_form="SARL", siren="732829320",
                    address="12 rue des Lilas\n75011 Paris", iban="FR7630006000011234567890189",
                    bic="AGRIFRPPXXX", mediator="CM2C, 14 rue Saint-Jean, 75017 Paris")
DEBTOR = N.Debtor(name="Dana Buyer", email="dana@example.test", company_name="Buyer SAS",
                  legal_form="SAS", siren="552100554", address="4 quai Rambaud\n69002 Lyon")


def debt(kind: str, number: str, amount: int, due: date, paid: int = 0) -> Debt:
    owed = None if kind == "consumer" else compute(
        amount_minor=amount - paid, currency="EUR", due=due, until=ISSUED, client_kind=kind,
        table=TABLE)
    return Debt(service="Build", source_kind="milestone", currency="EUR", total_minor=amount,
                paid_minor=paid, balance_minor=amount - paid, due_date=due,
                pay_url=f"https://skod.test/pay/{number}", reference=f"SKOD-{number}",
                invoice_number=number, issue_date=due, penalties=owed)


def notice_facts(kind: str, debts: tuple[Debt, ...], days: int = 8) -> N.NoticeFacts:
    facts = Facts(step=3, creditor=CREDITOR, debtor="Buyer SAS (Dana Buyer)",
                  client_name="Dana Buyer", client_kind=kind, locale="en",
                  timezone="Europe/Paris", today=ISSUED, debts=debts)
    return N.NoticeFacts(facts=facts, debtor=DEBTOR if kind != "consumer" else N.Debtor(
        name="Dana Buyer", email="dana@example.test", address="4 quai Rambaud\n69002 Lyon"),
        issued_on=ISSUED, deadline_days=days, references=("Project milestone no. 3: Build",))


def words(notice: N.Notice) -> str:
    parts = [notice.title, notice.place_date, *notice.sender, *notice.recipient,
             notice.mail_note, notice.subject, *notice.intro, *notice.references,
             *notice.table[0], *[c for row in notice.table[1] for c in row],
             *[x for b in notice.blocks for x in (b.title or "", *b.paragraphs,
                                                   *[c for r in (b.table or ([], []))[1]
                                                     for c in r],
                                                   *[v for pair in b.rows for v in pair])],
             *[v for pair in notice.totals for v in pair], notice.deadline_text,
             *[v for pair in notice.payment for v in pair], *notice.consequences,
             *notice.closing, *notice.signature]
    return "\n".join(parts)


@pytest.mark.parametrize(("address", "town"), [
    ("12 rue des Lilas\n75011 Paris", "Paris"),
    ("4 quai Rambaud\n69002 Lyon", "Lyon"),
    ("Lyon", "Lyon"),
    ("", None),
    (None, None),
    ("1 place du Marché\n\n  06000   Nice  \n", "Nice"),
])
def test_place_of(address, town):
    assert N.place_of(address) == town


@pytest.mark.parametrize(("kind", "amounts", "has_fee"), [
    ("business", (12000,), True),
    ("business", (12000, 5000), True),
    ("public", (12000,), True),
    ("consumer", (12000, 5000), False),
])
def test_grand_total_adds_penalties_and_40_eur_per_invoice_except_for_a_consumer(
        app, kind, amounts, has_fee):
    debts = tuple(debt(kind, f"F-{i}", a, date(2026, 5, 4 + i)) for i, a in enumerate(amounts))
    with app.test_request_context(), force_locale("en"):
        notice = N.build(notice_facts(kind, debts))
    balance = sum(amounts)
    if has_fee:
        fees = sum(d.penalties.interest_minor + d.penalties.indemnity_minor for d in debts)
        assert sum(d.penalties.indemnity_minor for d in debts) == 4000 * len(amounts)
        assert fees > 4000 * len(amounts) and notice.total_minor == balance + fees
    else:
        assert notice.total_minor == balance


@pytest.mark.parametrize(("kind", "present", "absent"), [
    ("business", ["MISE EN DEMEURE", "Paris, July 20, 2026", "Atelier Brume SARL – SARL",
                  "SIREN 732829320", "Buyer SAS – SAS", "SIREN 552100554",
                  "For the attention of Dana Buyer", "69002 Lyon", "L441-10", "D441-5",
                  "+ 10 points", "€40.00", "Tuesday, July 28, 2026", "injonction de payer",
                  "FR7630006000011234567890189", "SKOD-F-0", "https://skod.test/pay/F-0",
                  "Project milestone no. 3: Build", "Registered letter", "Camille Martin"],
     ["seiz", "bailiff", "legal rate runs"]),
    ("public", ["+ 8 points", "R2192-31", "€40.00"], ["seiz", "+ 10 points"]),
    ("consumer", ["MISE EN DEMEURE", "interest at the legal rate runs", "1231-6",
                  "consumer mediator", "Tuesday, July 28, 2026", "injonction de payer"],
     ["€40", "indemnit", "penalt", "For the attention", "seiz"]),
])
def test_each_kind_of_client_reads_its_own_items(app, kind, present, absent):
    facts = notice_facts(kind, (debt(kind, "F-0", 12000, date(2026, 5, 4), paid=2000),))
    with app.test_request_context(), force_locale("en"):
        notice = N.build(facts)
    text = words(notice)
    for item in present:
        assert item in text, item
    for item in absent:
        assert item.lower() not in text.lower(), item
    # the table's row: number, issue date, due date, incl. VAT, paid, balance
    assert notice.table[1][0] == ["F-0", "May 4, 2026", "May 4, 2026", "€120.00", "€20.00",
                                  "€100.00"]


@pytest.mark.parametrize(("days", "deadline"), [
    (8, date(2026, 7, 28)), (10, date(2026, 7, 30)), (12, date(2026, 8, 3)),
    (15, date(2026, 8, 4))])
def test_the_deadline_counts_the_providers_days_to_a_business_day(app, days, deadline):
    facts = notice_facts("business", (debt("business", "F-0", 12000, date(2026, 5, 4)),), days)
    with app.test_request_context(), force_locale("en"):
        assert N.build(facts).deadline == deadline
