"""The provider's own bank statement, on PostgreSQL: a CAMT.053 file of five credits (two
paying a debt in full, one paying part of one, one with no reference, one paying nothing owed)
settles two debts (cases closed, invoices paid, the bank line on the timeline), reduces one,
proposes one for review and leaves one alone; the same file again changes nothing; the review
settles the proposal. Through the service, the receivables page and `flask skod bank import`.
"""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

from sqlalchemy import func, select

from skod.dunning.bank_statements import importing, reading, review
from skod.dunning.bank_statements.models import BankLine
from skod.dunning.bank_statements.view import report_counts
from skod.dunning.debts.models import DunningEvent, Receivable
from skod.extensions import db
from skod.invoicing.models import Invoice
from tests import factories as f
from tests.test_dunning_provider_api import open_debt, provider_id

SAMPLE = Path(__file__).parent / "data" / "camt053_sample.xml"
#: the sample's debts: paid in full by reference, in full by invoice number, in part, by
#: amount alone (no reference)
AMOUNTS = (120_000, 45_000, 80_000, 97_500)
FIVE = {"settled": 2, "reduced": 1, "proposed": 1, "unrelated": 1, "already": 0}


def _debts(app, pid: int, now) -> list[dict]:  # noqa: ANN001
    return [open_debt(app, pid, now, amount=amount) for amount in AMOUNTS]


def _statement(debts: list[dict]) -> bytes:
    """The sample with this year's invoice numbers (the provider's first four)."""
    year = debts[0]["number"].split("-")[0]
    assert [d["number"] for d in debts] == [f"{year}-{n:06d}" for n in range(1, 5)]
    return re.sub(rb"2026([- ])00000", year.encode() + rb"\g<1>00000", SAMPLE.read_bytes())


def _state(app, pid: int) -> dict:
    """Every row the import may touch: lines, timelines, balances, invoices."""
    with app.app_context():
        debts = db.session.scalars(select(Receivable).where(
            Receivable.provider_id == pid).order_by(Receivable.id)).all()
        return {
            "lines": db.session.scalars(select(BankLine.status).where(
                BankLine.provider_id == pid).order_by(BankLine.id)).all(),
            "events": db.session.scalar(select(func.count(DunningEvent.id)).where(
                DunningEvent.receivable_id.in_([r.id for r in debts]))),
            "debts": [(r.status, r.paid_minor, r.balance_minor) for r in debts],
            "invoices": [db.session.get(Invoice, r.invoice_id).paid for r in debts],
        }


def _timeline(app, receivable_id: int) -> list[tuple[str, dict]]:
    with app.app_context():
        return [(e.kind, e.data) for e in db.session.scalars(select(DunningEvent).where(
            DunningEvent.receivable_id == receivable_id).order_by(DunningEvent.id))]


def _import(app, pid: int, data: bytes, now) -> dict:  # noqa: ANN001
    with app.app_context():
        source, lines = reading.read(data)
        return report_counts(importing.import_statement(pid, lines, source, now))


def _proposed_line(app, pid: int) -> int:
    with app.app_context():
        return db.session.scalar(select(BankLine.id).where(
            BankLine.provider_id == pid, BankLine.status == "proposed"))


def _assert_five_outcomes(app, pid: int, debts: list[dict]) -> None:
    state = _state(app, pid)
    assert state["debts"] == [("paid", 120_000, 0), ("paid", 45_000, 0),
                              ("open", 30_000, 50_000), ("open", 0, 97_500)]
    assert state["invoices"] == [True, True, False, False]
    assert sorted(state["lines"]) == ["proposed", "reduced", "settled", "settled", "unrelated"]
    kinds = [kind for kind, _ in _timeline(app, debts[0]["id"])]
    assert kinds[-3:] == ["bank_line", "payment", "paid"]
    evidence = dict(_timeline(app, debts[0]["id"]))["bank_line"]
    assert evidence["payer"] == "ATELIER MARTIN SARL" and evidence["amount"] == 120_000
    assert evidence["bank_ref"] == "TEST20261202000001"
    assert evidence["reference"] == f"SKOD-{debts[0]['number']}"
    payment = dict(_timeline(app, debts[2]["id"]))["payment"]
    assert (payment["amount"], payment["via"]) == (30_000, "transfer")
    assert "bank_line" not in dict(_timeline(app, debts[3]["id"]))


def test_a_statement_settles_reduces_proposes_leaves_and_counts_once(app, client, now):
    prov = f.provider(client)
    pid = provider_id(app, prov)
    debts = _debts(app, pid, now)
    data = _statement(debts)
    assert _import(app, pid, data, now) == FIVE
    _assert_five_outcomes(app, pid, debts)
    with app.app_context():
        assert db.session.get(Invoice, debts[0]["invoice_id"]).payment_method in (
            "Virement bancaire", "Bank transfer")

    before = _state(app, pid)
    again = _import(app, pid, data, now)
    assert again == {"settled": 0, "reduced": 0, "proposed": 0, "unrelated": 0, "already": 5}
    assert _state(app, pid) == before

    line_id = _proposed_line(app, pid)
    with app.app_context():
        review.accept(line_id, pid, debts[3]["id"], now)
    state = _state(app, pid)
    assert state["debts"][3] == ("paid", 97_500, 0) and state["invoices"][3] is True
    assert sorted(state["lines"]) == ["accepted", "reduced", "settled", "settled", "unrelated"]
    assert dict(_timeline(app, debts[3]["id"]))["bank_line"]["payer"] == "ROUX ARCHITECTES"


def test_two_lines_for_one_debt_in_one_file_are_never_counted_above_its_balance(app, client,
                                                                                  now):
    prov = f.provider(client)
    pid = provider_id(app, prov)
    debt = open_debt(app, pid, now, amount=10_000)
    csv = (f"date;amount;reference\n02/12/2026;60,00;{debt['number']}\n"
           f"03/12/2026;60,00;{debt['number']}\n").encode()
    with app.app_context():
        source, lines = reading.read(csv)
        counts = report_counts(importing.import_statement(pid, lines, source, now))
    assert counts == {"settled": 0, "reduced": 1, "proposed": 1, "unrelated": 0, "already": 0}
    assert _state(app, pid)["debts"] == [("open", 6_000, 4_000)]


def _login(client, prov: dict) -> None:
    resp = client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    assert resp.status_code == 302
    client.get("/dashboard/receivables?lang=en")


def _upload(client, data: bytes, name: str = "releve.xml", **fields):  # noqa: ANN202
    form = {"kind": "auto", "date_column": "date", "amount_column": "amount",
            "reference_column": "reference", "currency": "EUR", **fields,
            "statement": (io.BytesIO(data), name)}
    return client.post("/dashboard/receivables/bank-import", data=form,
                       content_type="multipart/form-data")


def test_the_receivables_page_imports_and_reviews(app, client, now):
    prov = f.provider(client)
    pid = provider_id(app, prov)
    debts = _debts(app, pid, now)
    _login(client, prov)
    page = client.get("/dashboard/receivables").get_data(as_text=True)
    assert 'id="bank-import"' in page and 'enctype="multipart/form-data"' in page

    no_file = client.post("/dashboard/receivables/bank-import", data={"kind": "auto"},
                          content_type="multipart/form-data")
    assert no_file.status_code == 422
    assert "Choose the statement file" in no_file.get_data(as_text=True)
    for bad, words in ((b"", "This file is empty"), (b"<Document/>", "not a CAMT.053"),
                       (b'<!DOCTYPE d [<!ENTITY a "x">]><d>&a;</d>', "declares entities"),
                       (b"date;amount;reference\n99/99/2026;1,00;x\n", "Line 2")):
        resp = _upload(client, bad)
        assert resp.status_code == 422 and words in resp.get_data(as_text=True), words
    assert _state(app, pid)["lines"] == []

    resp = _upload(client, _statement(debts))
    assert resp.status_code == 302
    shown = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert ("Debts settled: 2; reduced: 1; transfers to review: 1; lines left alone: 1; "
            "lines imported before: 0.") in shown
    assert "ROUX ARCHITECTES" in shown and f'data-accept="{debts[3]["id"]}"' in shown
    _assert_five_outcomes(app, pid, debts)
    case = client.get(f"/dashboard/receivables/{debts[0]['id']}").get_data(as_text=True)
    assert re.search(r"Transfer of €1,200\.00 on your bank statement of [^<]+ from ATELIER "
                     r"MARTIN SARL \(&#34;SKOD-", case), case[-3000:]
    assert _upload(client, _statement(debts)).status_code == 302
    assert len(_state(app, pid)["lines"]) == 5

    line_id = _proposed_line(app, pid)
    url = f"/dashboard/receivables/bank-lines/{line_id}"
    assert client.post(f"{url}/accept", data={"receivable_id": str(debts[0]["id"])}
                       ).status_code == 302  # not a candidate: refused, nothing changed
    assert _state(app, pid)["debts"][3] == ("open", 0, 97_500)
    stranger = f.provider(client)
    client.post("/logout")
    _login(client, stranger)
    assert client.post(f"{url}/dismiss").status_code == 404
    assert client.post(f"{url}/accept", data={"receivable_id": str(debts[3]["id"])}
                       ).status_code == 404
    client.post("/logout")
    _login(client, prov)
    assert client.post(f"{url}/accept", data={"receivable_id": str(debts[3]["id"])}
                       ).status_code == 302
    assert _state(app, pid)["debts"][3] == ("paid", 97_500, 0)
    assert client.post(f"{url}/dismiss").status_code == 302  # reviewed already: a message
    assert "reviewed already" in client.get("/dashboard/receivables").get_data(as_text=True)


def test_the_pages_need_a_login(client):
    for path in ("/dashboard/receivables/bank-import",
                 "/dashboard/receivables/bank-lines/1/accept"):
        resp = client.post(path)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_the_command_imports_for_a_provider_once(app, client, now, tmp_path):
    prov = f.provider(client)
    pid = provider_id(app, prov)
    debts = _debts(app, pid, now)
    path = tmp_path / "releve.xml"
    path.write_bytes(_statement(debts))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["skod", "bank", "import", str(path), "--provider", prov["email"]])
    assert result.exit_code == 0, result.output
    assert ("settled 2, reduced 1, proposed 1, left alone 1, already imported 0"
            in result.output)
    assert re.search(rf"settled\s+\S+ 1200\.00 EUR SKOD-{debts[0]['number']} -> receivable "
                     rf"{debts[0]['id']}", result.output)
    _assert_five_outcomes(app, pid, debts)
    again = runner.invoke(args=["skod", "bank", "import", str(path), "--provider", str(pid)])
    assert "already imported 5" in again.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"date;montant\n02/12/2026;1,00\n")
    for args in ([str(path), "--provider", "nobody@example.test"], [str(bad), "--provider",
                                                                     str(pid)]):
        failed = runner.invoke(args=["skod", "bank", "import", *args])
        assert failed.exit_code != 0 and "Traceback" not in failed.output, failed.output


def test_review_of_ids_beyond_the_database_is_not_found(app, client):
    prov = f.provider(client)
    _login(client, prov)
    for decision in ("accept", "dismiss"):
        resp = client.post(f"/dashboard/receivables/bank-lines/99999999999/{decision}",
                           data={"receivable_id": "9999999999"})
        assert resp.status_code == 404


def test_the_same_file_imported_four_times_at_once_counts_once(app, client, now):
    """Four imports start together (a double click, the page and the command): the provider's
    lock makes them one after another, and each later one finds every line stored."""
    prov = f.provider(client)
    pid = provider_id(app, prov)
    debts = _debts(app, pid, now)
    data = _statement(debts)
    barrier, results, errors = threading.Barrier(4), [], []

    def run() -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results.append(_import(app, pid, data, now))
            except BaseException as err:  # noqa: BLE001 - reported to the test
                errors.append(err)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(r["already"] for r in results) == [0, 5, 5, 5]
    assert FIVE in results
    _assert_five_outcomes(app, pid, debts)


def test_a_french_csv_through_the_page_and_the_command_with_their_mappings(app, client, now,
                                                                           tmp_path):
    prov = f.provider(client)
    pid = provider_id(app, prov)
    first, second = (open_debt(app, pid, now, amount=a) for a in (123_456, 20_000))
    csv = (f"Date opération;Libellé;Crédit;Débit\n02/12/2026;VIR {first['number']};"
           f"1 234,56;\n03/12/2026;PRLV URSSAF;;-310,00\n").encode("cp1252")
    _login(client, prov)
    mapping = {"kind": "csv", "date_column": "date opération", "amount_column": "Crédit",
               "reference_column": "", "label_column": "2"}
    bad = _upload(client, csv, "releve.csv", **{**mapping, "amount_column": "Montant"})
    assert bad.status_code == 422 and "not in the file" in bad.get_data(as_text=True)
    assert _upload(client, csv, "releve.csv", **mapping).status_code == 302
    assert _state(app, pid)["debts"] == [("paid", 123_456, 0), ("open", 0, 20_000)]

    path = tmp_path / "releve.csv"
    path.write_bytes(f"date,amount,memo\n2026-12-04,50.00,SKOD-{second['number']}\n".encode())
    result = app.test_cli_runner().invoke(args=[
        "skod", "bank", "import", str(path), "--provider", str(pid), "--format", "csv",
        "--reference-column", "memo"])
    assert result.exit_code == 0, result.output
    assert "settled 0, reduced 1, proposed 0, left alone 0" in result.output
    assert _state(app, pid)["debts"][1] == ("open", 5_000, 15_000)
