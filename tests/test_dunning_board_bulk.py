"""Bulk actions of the board through the page (PostgreSQL, the real services, real SMTP):
pause, resume and remind now on the checked rows, each row on its own (a closed one is
refused, the others done, the result says which and why); a row reminded today is not
reminded again; unknown or another provider's ids change nothing; the form needs its CSRF
token; the CSV of the checked rows and of the filtered list."""

from __future__ import annotations

import csv
import io
import re

from skod.dunning.debts import cases
from tests import factories as f
from tests.test_dunning_provider_api import case, open_debt, provider_id

BULK = "/dashboard/receivables/bulk"


def _login(client, prov: dict, lang: str = "en") -> None:
    client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    client.get(f"/dashboard/receivables?lang={lang}")


def _flashes(client) -> list[str]:
    page = client.get("/dashboard/receivables").get_data(as_text=True)
    return re.findall(r'<p class="flash (?:success|error)" role="status">(.*?)</p>', page, re.S)


def _status(client, prov: dict, debts: list[dict]) -> list[str]:
    return [case(client, prov["token"], d["id"])["status"] for d in debts]


def test_pause_resume_each_row_on_its_own(app, client, now):
    prov = f.provider(client)
    pid = provider_id(app, prov)
    debts = [open_debt(app, pid, now, amount=a, days_late=d) for a, d in ((12_000, 3),
                                                                          (4_500, 10))]
    paid = open_debt(app, pid, now, amount=9_900)
    with app.app_context():
        cases.mark_paid(paid["id"], now, pid)
    _login(client, prov)
    resp = client.post(BULK, data={"action": "pause", "ids": [d["id"] for d in
                                                               (*debts, paid)],
                                   "status": "owed", "sort": "balance", "page": "1"})
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(
        "/dashboard/receivables?status=owed&sort=balance&page=1#debts")
    assert _status(client, prov, debts) == ["paused", "paused"]
    flashes = _flashes(client)
    assert flashes[0] == "2 debts paused."
    assert flashes[1].startswith("1 debt refused:") and paid["number"] in flashes[1]
    assert "This debt is closed already." in flashes[1]
    # a paused row resumes; an open one is refused (not paused) and stays open
    client.post(BULK, data={"action": "resume", "ids": [debts[0]["id"]]})
    assert _flashes(client) == ["1 debt resumed."] and _status(client, prov, debts) == [
        "open", "paused"]
    client.post(BULK, data={"action": "resume", "ids": [d["id"] for d in debts]})
    assert _status(client, prov, debts) == ["open", "open"]
    flashes = _flashes(client)
    assert flashes[0] == "1 debt resumed." and "The case is not paused." in flashes[1]


def test_remind_now_sends_once_per_row_and_never_twice_a_day(app, client, outbox, now):
    prov = f.provider(client)
    pid = provider_id(app, prov)
    debts = [open_debt(app, pid, now, amount=a) for a in (12_000, 4_500)]
    _login(client, prov)
    client.post(BULK, data={"action": "remind", "ids": [debts[0]["id"]]})
    assert len(outbox.to(debts[0]["email"])) == 1
    assert _flashes(client) == ["1 reminder sent."]
    # the first row went today: refused; the second goes, once
    client.post(BULK, data={"action": "remind", "ids": [d["id"] for d in debts]
                            + [debts[1]["id"]]})
    assert [len(outbox.to(d["email"])) for d in debts] == [1, 1]
    flashes = _flashes(client)
    assert flashes[0] == "1 reminder sent."
    assert "A reminder went today already." in flashes[1] and debts[0]["number"] in flashes[1]
    assert [case(client, prov["token"], d["id"])["last_step"] for d in debts] == [0, 0]


def test_unknown_or_another_providers_ids_change_nothing(app, client, now):
    prov, other = f.provider(client), f.provider(client)
    mine = open_debt(app, provider_id(app, prov), now)
    theirs = open_debt(app, provider_id(app, other), now)
    _login(client, prov)
    for ids in ([mine["id"], theirs["id"]], [mine["id"], 999_999], [mine["id"], "abc"],
                [mine["id"], str(2**63)], [mine["id"], "-1"]):
        assert client.post(BULK, data={"action": "pause", "ids": ids}).status_code == 302
        assert "is not one of yours" in _flashes(client)[0]
    assert _status(client, prov, [mine]) == ["open"]
    assert _status(client, other, [theirs]) == ["open"]
    client.post(BULK, data={"action": "pause"})
    assert _flashes(client) == ["Select at least one debt first."]
    client.post(BULK, data={"action": "delete", "ids": [mine["id"]]})
    assert _flashes(client) == ["Choose pause, resume, remind now or export."]
    assert _status(client, prov, [mine]) == ["open"]


def test_the_bulk_form_needs_its_csrf_token(app, client, now):
    prov = f.provider(client)
    debt = open_debt(app, provider_id(app, prov), now)
    _login(client, prov)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        resp = client.post(BULK, data={"action": "pause", "ids": [debt["id"]]})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert resp.status_code == 400
    assert _status(client, prov, [debt]) == ["open"]


def _csv(resp) -> tuple[str, list[list[str]]]:
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    text = resp.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Excel reads UTF-8 with its BOM
    delimiter = ";" if text.split("\n")[0].count(";") else ","
    return delimiter, list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


def test_export_of_the_checked_rows_and_of_the_filtered_list(app, client, now):
    prov = f.provider(client)
    pid = provider_id(app, prov)
    big = open_debt(app, pid, now, amount=180_000, days_late=12)
    small = open_debt(app, pid, now, amount=4_050)
    _login(client, prov, "fr")
    delimiter, rows = _csv(client.post(BULK, data={"action": "export", "ids": [big["id"]]}))
    assert delimiter == ";" and rows[0][:6] == ["Client", "E-mail", "Facture", "Devise",
                                                "Montant", "Reste dû"]
    assert len(rows) == 2 and rows[1][2] == big["number"] and rows[1][4:7] == [
        "1800,00", "1800,00", "12"]
    # the filtered list (every page): the search keeps one row; English: "," and "."
    client.get("/dashboard/receivables?lang=en")
    delimiter, rows = _csv(client.get(f"/dashboard/receivables.csv?q={small['number']}"))
    assert delimiter == "," and [r[2] for r in rows[1:]] == [small["number"]]
    assert rows[1][4] == "40.50"
    _, rows = _csv(client.get("/dashboard/receivables.csv?sort=balance&dir=desc"))
    assert [r[2] for r in rows[1:]] == [big["number"], small["number"]]
    # a bad filter value is dropped, never a 500
    assert client.get("/dashboard/receivables.csv?late_min=abc&stage=9").status_code == 200


def test_the_result_in_french(app, client, now):
    prov = f.provider(client)
    pid = provider_id(app, prov)
    debt, paid = open_debt(app, pid, now), open_debt(app, pid, now, amount=9_900)
    with app.app_context():
        cases.mark_paid(paid["id"], now, pid)
    _login(client, prov, "fr")
    client.post(BULK, data={"action": "pause", "ids": [debt["id"], paid["id"]]})
    done, refused = _flashes(client)
    assert done == "1 créance mise en pause."
    assert refused.startswith("1 créance refusée\u202f: ")
    assert f"facture {paid['number']}" in refused


def test_an_unexpected_error_on_one_row_does_not_stop_the_others(app, client, now,
                                                                   monkeypatch):
    """Fault injection: the pause service breaks (not a domain refusal) on one row only; that
    row is rolled back and reported, the other rows are paused all the same."""
    from skod.dunning.debts import actions

    prov = f.provider(client)
    pid = provider_id(app, prov)
    debts = [open_debt(app, pid, now, amount=a) for a in (12_000, 4_500, 3_000)]
    real_pause = actions.pause

    def pause(receivable_id, provider_id, when):
        if receivable_id == debts[1]["id"]:
            raise RuntimeError("database hiccup on this row")
        return real_pause(receivable_id, provider_id, when)

    monkeypatch.setattr(actions, "pause", pause)
    _login(client, prov)
    client.post(BULK, data={"action": "pause", "ids": [d["id"] for d in debts]})
    monkeypatch.setattr(actions, "pause", real_pause)
    assert _status(client, prov, debts) == ["paused", "open", "paused"]
    flashes = _flashes(client)
    assert flashes[0] == "2 debts paused."
    assert flashes[1].startswith("1 debt refused:") and debts[1]["number"] in flashes[1]
    assert "could not be handled" in flashes[1]
