"""The board's table of debts against PostgreSQL: every sort gives the order computed here
from the rows made by the test, the filters (state, stage, days late) and the search (client
name, e-mail, company, invoice number, with % and _ taken literally) keep exactly the rows
they name, pages cover the list once, and another provider's rows never show."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

from skod.accounts.models import Client
from skod.dunning.board import table
from skod.dunning.debts.models import Receivable
from skod.extensions import db
from tests import factories as f
from tests.board_support import PARIS, Debt, add
from tests.invoice_support import issue, make_client
from tests.test_dunning_provider_api import provider_id

#: (client name, e-mail, company, the debt, with an invoice)
SPECS = [
    ("Zoé Martin", "zoe@martin.test", None, Debt("EUR", "open", 0, 12_000, 0, 3), True),
    ("adèle Dupont", "adele@dupont.test", "Dupont_Conseil", Debt("EUR", "open", 2, 5_000, 1_000,
                                                                  20), False),
    ("Bruno Keller", "bruno@keller.test", None, Debt("EUR", "paused", 1, 30_000, 0, 9), True),
    ("Chloé 100% Bio", "chloe@bio.test", None, Debt("EUR", "open", 3, 7_500, 7_000, 35), False),
    ("Denis Roy", "denis@roy.test", None, Debt("EUR", "open", -1, 900, 0, -2), False),
    ("Eve Laurent", "eve@laurent.test", None, Debt("EUR", "paid", 2, 4_000, 4_000, 16), True),
]


def _make(app, pid: int, now) -> dict[str, dict]:  # noqa: ANN001
    """The rows of SPECS for `pid`, each of its own client, with last contacts spread out."""
    today = now.astimezone(PARIS).date()
    made = {}
    with app.app_context():
        for i, (name, email, company, debt, invoiced) in enumerate(SPECS):
            cid = make_client(pid)
            client = db.session.get(Client, cid)
            client.name, client.email, client.company_name = name, email, company
            db.session.commit()
            add(pid, cid, debt, today, now)
            receivable = db.session.get(Receivable, debt.id)
            receivable.last_step_at = now - timedelta(days=i + 1) if debt.last_step >= 0 else None
            receivable.next_action_at = now + timedelta(days=10 - i)
            number = None
            if invoiced:
                invoice = issue(pid, cid, debt.principal, paid=False, now=now)
                receivable.invoice_id, number = invoice.id, invoice.number
            db.session.commit()
            made[name] = {"id": debt.id, "debt": debt, "number": number,
                          "client": company or name, "last": receivable.last_step_at}
    return made


@pytest.fixture
def rows(app, client, now):
    pid = provider_id(app, f.provider(client))
    other = provider_id(app, f.provider(client))
    made = _make(app, pid, now)
    _make(app, other, now)  # the same names at another provider: never listed
    return pid, made, now.astimezone(PARIS).date()


def _names(app, pid: int, today, **query) -> list[str]:  # noqa: ANN001
    with app.app_context():
        got, total = table.page(pid, table.Query(**query), today)
        names = [r.client.name for r in got]
    assert total == len(names)
    return names


def _owed(made: dict) -> dict:
    return {n: m for n, m in made.items() if m["debt"].status in ("open", "paused")}


def test_every_column_sorts_both_ways(app, rows):
    pid, made, today = rows
    owed = _owed(made)
    keys = {
        "client": lambda m: m["client"].lower(),
        "amount": lambda m: m["debt"].principal,
        "balance": lambda m: m["debt"].principal - m["debt"].paid,
        "age": lambda m: m["debt"].days_late,
        "stage": lambda m: m["debt"].last_step,
    }
    for sort, key in keys.items():
        expected = sorted(owed, key=lambda n: key(owed[n]))  # noqa: B023
        assert _names(app, pid, today, sort=sort) == expected, sort
        assert _names(app, pid, today, sort=sort, descending=True) == expected[::-1], sort
    # nulls last both ways: no invoice, no contact yet
    invoiced = sorted((n for n in owed if owed[n]["number"]), key=lambda n: owed[n]["number"])
    assert _names(app, pid, today, sort="invoice")[:len(invoiced)] == invoiced
    contacted = sorted((n for n in owed if owed[n]["last"]), key=lambda n: owed[n]["last"])
    assert _names(app, pid, today, sort="contact")[:len(contacted)] == contacted
    assert _names(app, pid, today, sort="contact")[-1] == "Denis Roy"
    by_next = _names(app, pid, today)  # the default: the next action first
    assert by_next == sorted(owed, key=lambda n: -list(made).index(n))


def test_filters_keep_exactly_the_rows_they_name(app, rows):
    pid, made, today = rows
    owed = _owed(made)
    assert set(_names(app, pid, today, status="paused")) == {"Bruno Keller"}
    assert set(_names(app, pid, today, status="closed")) == {"Eve Laurent"}
    assert set(_names(app, pid, today, stage=2)) == {"adèle Dupont"}
    assert set(_names(app, pid, today, stage=-1)) == {"Denis Roy"}
    between = {n for n, m in owed.items() if 8 <= m["debt"].days_late <= 30}
    assert set(_names(app, pid, today, late_min=8, late_max=30)) == between == {
        "adèle Dupont", "Bruno Keller"}
    assert set(_names(app, pid, today, late_min=35)) == {"Chloé 100% Bio"}
    assert set(_names(app, pid, today, late_max=3)) == {"Zoé Martin", "Denis Roy"}
    assert _names(app, pid, today, status="open", stage=1) == []


def test_search_finds_name_email_company_and_invoice_literally(app, rows):
    pid, made, today = rows
    assert _names(app, pid, today, search="DUPONT") == ["adèle Dupont"]
    assert _names(app, pid, today, search="keller.test") == ["Bruno Keller"]
    assert _names(app, pid, today, search="t_c") == ["adèle Dupont"]  # Dupont_Conseil
    assert _names(app, pid, today, search="_") == ["adèle Dupont"]  # not "any character"
    assert _names(app, pid, today, search="0%") == ["Chloé 100% Bio"]
    number = made["Bruno Keller"]["number"]
    assert _names(app, pid, today, search=number) == ["Bruno Keller"]
    assert _names(app, pid, today, search="nobody here") == []


def test_pages_cover_the_list_once_in_its_order(app, rows, monkeypatch):
    pid, made, today = rows
    whole = _names(app, pid, today, sort="balance")
    monkeypatch.setattr(table, "PAGE_SIZE", 2)
    seen = []
    with app.app_context():
        for number in (1, 2, 3):
            got, total = table.page(pid, table.Query(sort="balance", page=number), today)
            assert total == len(whole) == 5
            seen += [r.client.name for r in got]
        assert table.page(pid, table.Query(sort="balance", page=4), today)[0] == []
        assert len(table.ids(pid, table.Query(sort="balance"), today)) == 5
    assert seen == whole


def _header(page: str, column: str) -> tuple[str | None, dict]:
    """(aria-sort, the parameters of the header's link) of one column of the table."""
    found = re.search(rf'<th scope="col" data-col="{column}"(?: aria-sort="(\w+)")?><a '
                      rf'href="([^"]+)"', page)
    link = urlsplit(html.unescape(found.group(2)))
    return found.group(1), dict(parse_qsl(link.query))


def test_the_page_sorts_by_links_that_keep_the_filter(app, client, now):
    prov = f.provider(client)
    _make(app, provider_id(app, prov), now)
    client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    page = client.get("/dashboard/receivables?lang=en&status=open&q=o&sort=balance&dir=desc"
                      ).get_data(as_text=True)
    assert _header(page, "balance") == ("descending", {
        "status": "open", "q": "o", "sort": "balance", "dir": "asc"})
    assert _header(page, "client") == (None, {
        "status": "open", "q": "o", "sort": "client", "dir": "asc"})
    assert page.count("aria-sort=") == 1
    shown = [int(i) for i in re.findall(r'data-receivable="(\d+)"', page)]
    with app.app_context():
        balances = [db.session.get(Receivable, i).balance_minor for i in shown]
    # every open row has an "o" (a name, a company or an e-mail)
    assert balances == sorted(balances, reverse=True) and len(shown) == 4
    # a typed mistake: its message on its field, the rest of the filter still applies
    bad = client.get("/dashboard/receivables?status=paused&late_min=abc&late_max=-1")
    text = bad.get_data(as_text=True)
    assert bad.status_code == 200
    assert text.count("A whole number of days from 0 to 3650.") == 2
    assert len(re.findall(r'data-receivable="(\d+)"', text)) == 1
    wrong_way = client.get("/dashboard/receivables?late_min=30&late_max=8").get_data(
        as_text=True)
    assert "At least the first number of days." in wrong_way


def test_the_french_page_says_everything_in_french(app, client, now):
    prov = f.provider(client)
    _make(app, provider_id(app, prov), now)
    client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    page = client.get("/dashboard/receivables?lang=fr&late_min=abc&status=nope&sort=x"
                      "&q=" + "x" * 101).get_data(as_text=True)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page.split('id="debts"')[1]))
    assert "Un nombre entier de jours, de 0 à 3650." in text
    assert "100 caractères au plus." in text
    for english in ("Not a valid", "Invalid", "Days late", "Next action", "Last contact",
                    "Stage", "Select", "Remind", "Export", "Balance", "Every"):
        assert not re.search(rf"\b{english}\b", text), english
    for french in ("Jours de retard", "Prochaine action", "Dernier contact", "Étape",
                   "Relancer maintenant", "Exporter (CSV)", "Reste dû"):
        assert french in text, french
