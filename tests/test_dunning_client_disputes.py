"""A client contesting a debt from the pay page, answered by the provider from the case page (on
PostgreSQL, the emulator's real refusals, e-mails over a real SMTP server): the reason on the
case page and its timeline, an answer kept on the case, a part accepted (the amount lowered by a
credit note, the ladder goes on for the rest), all accepted (a credit note for the balance, the
debt written off, no reminder), a rejection with its reason (the ladder resumes where it paused).
Each decision happens once: a double submit, a closed case or a decided dispute is refused."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests import factories as f
from tests.dunning_paypage_support import AMOUNT, business_at, debt, state
from tests.support import clock

HARD = {"decline_code": "stolen_card"}  # no card retry: only the ladder moves the case
REASON = "The <b>site</b> was never delivered: " + "the pages are still empty " * 20


def _login(client, prov: dict, lang: str = "fr") -> None:
    resp = client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    assert resp.status_code == 302
    client.get(f"/dashboard/receivables?lang={lang}")


def _html(resp) -> str:
    return resp.get_data(as_text=True)


def _disputed(app, client, stripe_emulator, card_pm, now) -> dict:
    """A debt whose notice (step 0) went, then contested by the client on its pay page."""
    d = debt(app, client, stripe_emulator, card_pm, refusal=HARD)
    f.tick(app, business_at(clock.paris_day(now, 1)))
    assert state(app, d["id"])["steps"] == [0]
    sent = client.post(d["path"] + "/dispute", data={"reason": REASON})
    assert sent.status_code == 303
    again = client.post(d["path"] + "/dispute", data={"reason": REASON})  # a double submit
    assert again.status_code == 303
    assert len(_disputes(app, d["id"])) == 1
    d["case"] = f"/dashboard/receivables/{d['id']}"
    return d


def _disputes(app, receivable_id: int) -> list:
    from skod.dunning.disputes.models import ClientDispute
    from skod.extensions import db

    with app.app_context():
        rows = db.session.scalars(select(ClientDispute).where(
            ClientDispute.receivable_id == receivable_id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def _credit_notes(app, receivable_id: int) -> list[tuple[int, int | None, str]]:
    """(amount incl. VAT, the invoice it credits, kind) of the dispute credit notes."""
    from skod.dunning.debts.models import Receivable
    from skod.extensions import db
    from skod.invoicing.models import Invoice

    with app.app_context():
        receivable = db.session.get(Receivable, receivable_id)
        notes = db.session.scalars(select(Invoice).where(
            Invoice.source.startswith("client-dispute:"),
            Invoice.credited_invoice_id == receivable.invoice_id)).all()
        return [(n.ttc_minor, n.credited_invoice_id == receivable.invoice_id, n.kind)
                for n in notes]


def _to(smtp, address: str) -> list:
    return [m for m in smtp.messages if address in str(m["To"])]


def _text_of(msg) -> str:
    return msg.get_body(("plain",)).get_content()


def _provider(app, email: str):  # noqa: ANN202 - the provider row, detached
    from skod.accounts.models import Provider
    from skod.extensions import db

    with app.app_context():
        row = db.session.scalar(select(Provider).where(Provider.email == email))
        db.session.expunge(row)
        return row


def test_the_reason_is_on_the_case_and_a_rejection_resumes_the_ladder(
        app, client, stripe_emulator, card_pm, smtp_server, now):
    d = _disputed(app, client, stripe_emulator, card_pm, now)
    assert state(app, d["id"])["pause_reason"] == "client_dispute"
    _login(client, d["provider"])
    page = _html(client.get(d["case"]))
    assert 'id="dispute"' in page and "&lt;b&gt;site&lt;/b&gt;" in page  # escaped
    timeline = page.split('id="timeline"')[1]
    assert "&lt;b&gt;site&lt;/b&gt; was never delivered" in timeline
    assert 'data-action="resume"' not in page  # the dispute decides, not a resume
    resumed = client.post(d["case"] + "/resume", follow_redirects=True)
    assert state(app, d["id"])["status"] == "paused" and "conteste" in _html(resumed)

    smtp_server.clear()
    empty = client.post(d["case"] + "/dispute/reject", data={"reason": "  "})
    assert empty.status_code == 422
    assert re.search(r'id="dispute-reject".*?class="error"', _html(empty), re.S)
    assert state(app, d["id"])["status"] == "paused" and not smtp_server.messages

    why = "Livré le 2 : voir le procès-verbal de recette signé."
    done = client.post(d["case"] + "/dispute/reject", data={"reason": why})
    assert done.status_code == 303
    case = state(app, d["id"])
    assert (case["status"], case["pause_reason"]) == ("open", None)
    assert case["next_action_at"] is not None and case["steps"] == [0]
    [mail] = smtp_server.wait_for(1)
    prov = _provider(app, d["provider"]["email"])
    assert d["email"] in mail["To"] and mail["Reply-To"] == prov.email
    assert mail["From"].addresses[0].display_name == (prov.company_name or prov.name)
    body = _text_of(mail)
    assert why in body and (prov.company_name or prov.name) in body.split("-- ")[-1]
    assert "120,00\u00a0€" in body

    twice = client.post(d["case"] + "/dispute/reject", data={"reason": "again"},
                        follow_redirects=True)
    assert "déjà" in _html(twice) and len(smtp_server.messages) == 1
    assert [x.outcome for x in _disputes(app, d["id"])] == ["rejected"]
    page = _html(client.get(d["case"]))
    assert 'id="dispute-reject"' not in page and 'data-outcome="rejected"' in page
    assert "procès-verbal" in page.split('id="timeline"')[1]

    pay = _html(client.get(d["path"]))
    assert 'id="dispute-outcome"' in pay and "procès-verbal de recette" in pay
    f.tick(app, business_at(clock.paris_day(now, 9)))  # J+7 is due: the ladder goes on
    assert state(app, d["id"])["steps"] == [0, 1]


def test_an_answer_then_a_part_accepted_lowers_the_amount_with_a_credit_note(
        app, client, stripe_emulator, card_pm, smtp_server, now):
    d = _disputed(app, client, stripe_emulator, card_pm, now)
    _login(client, d["provider"])
    smtp_server.clear()
    answer = "Nous regardons les pages avec notre équipe."
    assert client.post(d["case"] + "/dispute/answer",
                       data={"message": answer}).status_code == 303
    [mail] = smtp_server.wait_for(1)
    assert answer in _text_of(mail) and d["email"] in mail["To"]
    assert state(app, d["id"])["status"] == "paused"  # an answer decides nothing
    second = client.post(d["case"] + "/dispute/answer", data={"message": "more"},
                         follow_redirects=True)
    assert "déjà" in _html(second) and len(smtp_server.messages) == 1
    assert answer in _html(client.get(d["case"])).split('id="timeline"')[1]
    assert answer in _html(client.get(d["path"]))  # the client reads it on the pay page

    for bad in ("0", "-5", "abc", "120,01", ""):
        refused = client.post(d["case"] + "/dispute/accept-part", data={"amount": bad})
        assert refused.status_code == 422, bad
        assert re.search(r'id="dispute-part".*?class="error"', _html(refused), re.S), bad
    assert state(app, d["id"])["balance"] == AMOUNT and not _credit_notes(app, d["id"])

    done = client.post(d["case"] + "/dispute/accept-part", data={"amount": "30,00"})
    assert done.status_code == 303
    case = state(app, d["id"])
    assert (case["status"], case["balance"], case["pause_reason"]) == ("open", 9_000, None)
    assert case["next_action_at"] is not None
    assert _credit_notes(app, d["id"]) == [(3_000, True, "credit_note")]
    twice = client.post(d["case"] + "/dispute/accept-part", data={"amount": "10"})
    assert twice.status_code == 303 and state(app, d["id"])["balance"] == 9_000
    assert len(_credit_notes(app, d["id"])) == 1

    mails = smtp_server.wait_for(2)
    lowered = mails[-1]
    text = _text_of(lowered)
    assert "30,00\u00a0€" in text and "90,00\u00a0€" in text
    assert [p.get_filename() for p in lowered.iter_attachments()][0].endswith(".pdf")
    pay = _html(client.get(d["path"]))
    assert "90,00\u00a0€" in pay and 'data-outcome="partial"' in pay
    page = _html(client.get(d["case"]))
    assert "data-dispute-credit" in page and 'data-outcome="partial"' in page
    f.tick(app, business_at(clock.paris_day(now, 9)))  # the rest is chased
    assert state(app, d["id"])["steps"] == [0, 1]


def test_all_accepted_writes_the_debt_off_with_a_credit_note_and_no_reminder(
        app, client, stripe_emulator, card_pm, smtp_server, now):
    d = _disputed(app, client, stripe_emulator, card_pm, now)
    _login(client, d["provider"], lang="en")
    smtp_server.clear()
    done = client.post(d["case"] + "/dispute/accept-all", data={})
    assert done.status_code == 303
    case = state(app, d["id"])
    assert (case["status"], case["next_action_at"]) == ("written_off", None)
    assert _credit_notes(app, d["id"]) == [(AMOUNT, True, "credit_note")]
    [mail] = smtp_server.wait_for(1)
    assert "ne devez plus rien" in _text_of(mail) and "Solde dû" not in _text_of(mail)
    assert [p.get_filename() for p in mail.iter_attachments()]
    for action, data in (("reject", {"reason": "late"}), ("answer", {"message": "hi"}),
                         ("accept-part", {"amount": "10"}), ("accept-all", {})):
        refused = client.post(d["case"] + f"/dispute/{action}", data=data,
                              follow_redirects=True)
        assert "closed already" in _html(refused), action
    assert len(_credit_notes(app, d["id"])) == 1 and len(smtp_server.messages) == 1
    pay = _html(client.get(d["path"] + "?lang=fr"))
    assert 'data-outcome="accepted"' in pay and 'id="pay-form"' not in pay
    f.tick(app, business_at(clock.paris_day(now, 9)))
    assert state(app, d["id"])["steps"] == [0]


def test_another_providers_case_and_an_unknown_action_are_not_found(
        app, client, stripe_emulator, card_pm, now):
    d = _disputed(app, client, stripe_emulator, card_pm, now)
    other = f.provider(client)
    _login(client, other)
    assert client.post(d["case"] + "/dispute/accept-all").status_code == 404
    _login(client, d["provider"])
    assert client.post(d["case"] + "/dispute/forgive").status_code == 404
    assert state(app, d["id"])["status"] == "paused"


def test_decisions_racing_on_one_dispute_make_one(app, client, stripe_emulator, card_pm,
                                                  smtp_server, now):
    """Four decisions at once (two tabs, a double click): the row lock lets one through; the
    others find the dispute decided. One credit note, one e-mail, the amount lowered once."""
    import threading

    from skod.core.clock import utcnow
    from skod.core.errors import Conflict
    from skod.dunning.disputes import services
    from skod.extensions import db

    d = _disputed(app, client, stripe_emulator, card_pm, now)
    pid = _provider(app, d["provider"]["email"]).id
    smtp_server.clear()
    barrier, done, refused, errors = threading.Barrier(4), [], [], []
    decide = [lambda: services.accept_part(d["id"], pid, utcnow(), 2_000),
              lambda: services.accept_part(d["id"], pid, utcnow(), 2_000),
              lambda: services.reject(d["id"], pid, utcnow(), "Non."),
              lambda: services.accept_all(d["id"], pid, utcnow())]

    def run(action) -> None:  # noqa: ANN001
        with app.test_request_context():
            try:
                barrier.wait(timeout=30)
                done.append(action().outcome)
            except Conflict as err:
                refused.append(err.code)
            except BaseException as err:  # noqa: BLE001 - reported to the test
                errors.append(err)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(a,)) for a in decide]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # the others find it decided, or the case closed when "accept all" came first
    closed = "receivable_closed" if done == ["accepted"] else "dispute_decided"
    assert errors == [] and len(done) == 1 and refused == [closed] * 3
    [decided] = _disputes(app, d["id"])
    assert decided.outcome == done[0]
    notes = _credit_notes(app, d["id"])
    expected = {"partial": [(2_000, True, "credit_note")], "accepted": [
        (AMOUNT, True, "credit_note")], "rejected": []}[done[0]]
    assert notes == expected
    assert state(app, d["id"])["balance"] == (AMOUNT - 2_000 if done[0] == "partial"
                                              else AMOUNT)
    assert len(smtp_server.wait_for(1)) == 1


def test_one_undecided_dispute_per_debt_in_the_database(app, client, stripe_emulator, card_pm,
                                                        now):
    import pytest
    from sqlalchemy.exc import IntegrityError

    from skod.core.clock import utcnow
    from skod.dunning.disputes.models import ClientDispute
    from skod.extensions import db

    d = _disputed(app, client, stripe_emulator, card_pm, now)
    with app.app_context():
        db.session.add(ClientDispute(receivable_id=d["id"], opened_at=utcnow(), reason="bis"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
