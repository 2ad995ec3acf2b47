"""A line of the provider's own bank statement above what the debt owes (issue 22, point 3):
accepted from the review, it settles the debt and the rest is recorded once as the client's
credit on the case (never `overpaid`, the kind whose excess Stripe refunds to a card); the case
page shows it "to refund to the client by bank transfer" until the provider marks it refunded
in one click; a second click changes nothing; another provider cannot touch it.
"""

from __future__ import annotations

from sqlalchemy import select

from skod.dunning.bank_statements import importing, reading
from skod.dunning.bank_statements.models import BankLine
from skod.dunning.debts.models import DunningEvent, Receivable
from skod.extensions import db
from tests import factories as f
from tests.test_bank_statements import _login
from tests.test_dunning_provider_api import open_debt, provider_id


def _kinds(app, rid: int) -> list[tuple[str, dict]]:
    with app.app_context():
        return [(e.kind, e.data) for e in db.session.scalars(select(DunningEvent).where(
            DunningEvent.receivable_id == rid).order_by(DunningEvent.id))]


def test_a_bank_line_above_the_debt_keeps_the_rest_as_credit_until_refunded(app, client, now):
    prov = f.provider(client)
    pid = provider_id(app, prov)
    debt = open_debt(app, pid, now, amount=10_000)
    csv = f"date;amount;reference\n02/12/2026;150,00;{debt['number']}\n".encode()
    with app.app_context():
        source, lines = reading.read(csv)
        importing.import_statement(pid, lines, source, now)
        line_id = db.session.scalar(select(BankLine.id).where(BankLine.provider_id == pid,
                                                              BankLine.status == "proposed"))
    assert line_id is not None  # above the balance: never settled alone
    _login(client, prov)
    url = f"/dashboard/receivables/bank-lines/{line_id}/accept"
    assert client.post(url, data={"receivable_id": str(debt["id"])}).status_code == 302
    with app.app_context():
        r = db.session.get(Receivable, debt["id"])
        assert (r.status, r.paid_minor, r.balance_minor) == ("paid", 10_000, 0)
    events = _kinds(app, debt["id"])
    surpluses = [d for k, d in events if k == "bank_surplus"]
    assert surpluses == [{"amount": 5_000, "currency": "EUR", "bank_line_id": line_id}]
    assert "overpaid" not in [k for k, _ in events]  # Stripe's card refunds never see it
    assert client.post(url, data={"receivable_id": str(debt["id"])}).status_code == 302
    assert [d for k, d in _kinds(app, debt["id"]) if k == "bank_surplus"] == surpluses

    case = client.get(f"/dashboard/receivables/{debt['id']}?lang=en").get_data(as_text=True)
    assert "€50.00 paid above what was owed, to refund to the client by bank transfer." in case
    assert "data-bank-surplus=" in case
    surplus_id = next(e for e in _events(app, debt["id"]) if e.kind == "bank_surplus").id
    done = f"/dashboard/receivables/{debt['id']}/bank-surplus/{surplus_id}/refunded"

    stranger = f.provider(client)
    client.post("/logout")
    _login(client, stranger)
    assert client.post(done).status_code == 404
    client.post("/logout")
    _login(client, prov)

    assert client.post(done).status_code == 302
    case = client.get(f"/dashboard/receivables/{debt['id']}").get_data(as_text=True)
    assert "data-bank-surplus=" not in case
    assert "You refunded €50.00 paid above what was owed to the client." in case
    assert client.post(done).status_code == 302  # twice: a message, nothing recorded
    refunds = [d for k, d in _kinds(app, debt["id"]) if k == "bank_surplus_refunded"]
    assert refunds == [{"surplus_id": surplus_id, "amount": 5_000, "currency": "EUR"}]
    assert "marked refunded already" in client.get(
        f"/dashboard/receivables/{debt['id']}").get_data(as_text=True)
    assert client.post(f"/dashboard/receivables/{debt['id']}/bank-surplus/99999999/refunded"
                       ).status_code == 404


def _events(app, rid: int) -> list[DunningEvent]:
    with app.app_context():
        rows = list(db.session.scalars(select(DunningEvent).where(
            DunningEvent.receivable_id == rid).order_by(DunningEvent.id)))
        db.session.expunge_all()
        return rows
