"""One amount owed, the same everywhere (issue 20, point 6), against the Stripe emulator and
PostgreSQL: a B2B debt of 1,800.00 walked to its mise en demeure (J+30). The pay page asks for
the letter's total as of that day; paying the principal only leaves the case open for the
interest and indemnity (invoice paid, provider told) until the provider waives them; with the
penalties not claimed the page and the letters say the principal; a page payment of the total
closes the case with nothing refunded, a payment above it refunds only the excess.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from flask_babel import force_locale

from skod.dunning.debts.models import DunningEvent, Receivable
from skod.dunning.owed import amounts as owed
from skod.dunning.owed import rates
from skod.dunning.pay_page import paying
from skod.dunning.pay_page import view as pay_view
from skod.dunning.reminders import letters, notify
from skod.dunning.rules.penalties import compute
from skod.extensions import db
from skod.invoicing.models import Invoice
from tests import factories as f
from tests.formal_notice_support import flat, notice_of, paris_day, set_client_identity
from tests.support.api import api
from tests.support.dunning import at_offset, debt_facts, declined_debts, mark_transfer, money
from tests.support.dunning import walk as walk_steps
from tests.support.stripe_helpers import CARD_OK

PRINCIPAL = 180_000


@pytest.mark.parametrize(("choice", "default", "kind", "sent", "owed_now"), [
    (None, True, "business", [0, 1], False),  # J+15 not sent: nothing claimed yet
    (None, True, "business", [0, 1, 2], True),  # the J+15 e-mail claimed them
    (None, True, "public", [0, 1, 2, 3], True),
    (None, False, "business", [0, 1, 2], False),  # the provider's ladder says no
    (True, False, "business", [0, 1, 2], True),  # the debt's own choice wins
    (False, True, "business", [0, 1, 2, 3], False),  # waived / not claimed on this debt
    (True, True, "consumer", [0, 1, 2, 3], False),  # no consumer letter states figures
    (None, True, "business", [], False),
])
def test_penalties_are_owed_once_claimed_by_a_sent_letter_and_chosen(choice, default, kind,
                                                                     sent, owed_now):
    assert owed.penalties_owed(choice, default, kind, sent) is owed_now


def _walk(app, client, card_pm, stripe_emulator, outbox) -> tuple[dict, dict, int, list]:
    """The debt walked to J+30: the provider, project, receivable id and the four instants."""
    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator,
                                          milestones=(("Build", PRINCIPAL),))
    set_client_identity(app, rid)
    outbox.clear()
    at = walk_steps(app, rid)
    at.append(at_offset(debt_facts(app, rid)["due"], 30, at[-1]))
    f.tick(app, at[-1])
    return prov, project, rid, at


def _to_j20(app, client, card_pm, stripe_emulator) -> tuple[dict, dict, int, date, datetime]:
    """The debt walked to J+15 (penalties claimed): the provider, project, receivable id, due
    day and J+20's instant, when the tests pay its principal."""
    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator,
                                          milestones=(("Build", PRINCIPAL),))
    set_client_identity(app, rid)
    at = walk_steps(app, rid)
    due_day = debt_facts(app, rid)["due"]
    return prov, project, rid, due_day, at_offset(due_day, 20, at[-1])


def _owed(app, rid: int, at: datetime) -> owed.Owed:
    with app.app_context():
        return owed.owed_now(db.session.get(Receivable, rid), at)


def _page(app, rid: int, at: datetime) -> dict:
    """The pay page's view of the debt on `at` (the page's own function, `now` injected)."""
    with app.test_request_context("/?lang=fr"), force_locale("fr"):
        return pay_view.page(db.session.get(Receivable, rid), "t", at)


def _events(app, rid: int) -> list[tuple[str, dict]]:
    with app.app_context():
        return [(e.kind, e.data) for e in db.session.scalars(
            db.select(DunningEvent).where(DunningEvent.receivable_id == rid)
            .order_by(DunningEvent.id))]


def _mail_text(mail) -> str:  # noqa: ANN001
    return flat(mail.get_body(("plain",)).get_content())


def test_pay_page_asks_the_letters_total_and_the_principal_alone_leaves_the_penalties(
        app, client, card_pm, stripe_emulator, stripe_raw, outbox):
    prov, project, rid, at = _walk(app, client, card_pm, stripe_emulator, outbox)
    t2, t3 = at[2], at[3]
    debt = debt_facts(app, rid)
    j15, notice = outbox.to(project["email"])[2], notice_of(app, rid)
    # the J+15 e-mail's total is the engine's figure of that day, and the pay page's then
    with app.app_context():
        engine = compute(amount_minor=PRINCIPAL, currency="EUR", due=debt["due"],
                         until=paris_day(t2), client_kind="business", table=rates.table())
    at_j15 = _owed(app, rid, t2)
    assert at_j15.total_minor == engine.total_minor > PRINCIPAL + 4000
    assert flat(money(at_j15.total_minor, "fr")) in _mail_text(j15)
    # J+30: the mise en demeure's grand total = the page's total = the intent's amount
    due = _owed(app, rid, t3)
    print("J+15 total", at_j15.total_minor, "J+30 notice", notice["total"], "owed", due)
    assert due.claimed and due.indemnity_minor == 4000 and due.interest_minor > 0
    assert notice["total"] == due.total_minor == PRINCIPAL + due.interest_minor + 4000
    page = _page(app, rid, t3)
    assert page["to_pay"] == money(notice["total"], "fr")
    assert ("Intérêts de retard à ce jour", money(due.interest_minor, "fr")) in page["owed_rows"]
    with app.app_context():
        step = paying.card_step(rid, t3)
    intent = stripe_raw.v1.payment_intents.retrieve(step["client_secret"].split("_secret_")[0])
    assert intent["amount"] == notice["total"]

    # the principal alone, by transfer: the invoice is paid, the penalties stay claimed
    outbox.clear()
    mark_transfer(app, prov, rid, PRINCIPAL, t3)
    left = _owed(app, rid, t3)
    assert (left.balance_minor, left.total_minor) == (0, due.interest_minor + 4000)
    with app.app_context():
        r = db.session.get(Receivable, rid)
        assert r.status == "open" and r.penalties_alone
        assert db.session.get(Invoice, r.invoice_id).paid
    assert stripe_raw.v1.payment_intents.retrieve(intent["id"])["status"] == "canceled"
    kinds = [k for k, _d in _events(app, rid)]
    assert kinds[-2:] == ["payment", "penalties_open"] and "paid" not in kinds
    [told] = [m for m in outbox.to(prov["email"]) if "pénalités" in m["Subject"]]
    assert flat(money(left.total_minor, "fr")) in _mail_text(told)
    with app.app_context():  # what was bought is paid: the milestone is released
        from skod.projects.models import Milestone

        assert db.session.get(Milestone, int(r.source.split(":")[1])).status == "paid"
    # a week on, the figure has not moved (interest stops with the principal), the page says it
    later = _page(app, rid, at_offset(debt["due"], 37, t3))
    assert later["to_pay"] == money(left.total_minor, "fr") and later["penalties_alone"]

    # the provider waives them: kept on the timeline, the case closes as paid
    status, body = api(client, "POST", f"/api/v1/receivables/{rid}/waive-penalties",
                       token=prov["token"])
    assert status == 200 and body["status"] == "paid", body
    assert (body["balance_minor"], body["penalties_unpaid_minor"]) == (0, 0)
    waived = [d for k, d in _events(app, rid) if k == "penalties_waived"]
    assert waived == [{"amount": left.total_minor, "interest": due.interest_minor,
                       "indemnity": 4000}]
    status, again = api(client, "POST", f"/api/v1/receivables/{rid}/waive-penalties",
                        token=prov["token"])
    assert status == 409, again


def test_penalties_not_claimed_the_page_and_letters_say_the_principal(
        app, client, card_pm, stripe_emulator, outbox):
    prov, project, rid, at = _walk(app, client, card_pm, stripe_emulator, outbox)
    t3 = at[3]
    status, body = api(client, "POST", f"/api/v1/receivables/{rid}/penalties",
                       json={"claim": False}, token=prov["token"])
    assert status == 200 and body["status"] == "open", body
    assert (body["owed"]["total_minor"], body["penalties_unpaid_minor"]) == (PRINCIPAL, 0)
    assert [k for k, _d in _events(app, rid)][-1] == "penalties_waived"
    page = _page(app, rid, t3)
    assert page["to_pay"] == money(PRINCIPAL, "fr") and page["owed_rows"] is None
    with app.app_context(), force_locale("fr"):
        rows = [db.session.get(Receivable, rid)]
        letter = letters.build(notify.facts_for(2, rows, t3, "fr"))
        assert letter.action[0] == f"Payer {money(PRINCIPAL, 'fr')} en ligne"
        assert not any("pénalités" in (b.title or "").lower() for b in letter.blocks)
    status, bad = api(client, "POST", f"/api/v1/receivables/{rid}/penalties",
                      json={"claim": "maybe"}, token=prov["token"])
    assert status == 422, bad
    # paying the principal now closes the case: nothing else is claimed
    mark_transfer(app, prov, rid, PRINCIPAL, t3)
    with app.app_context():
        assert db.session.get(Receivable, rid).status == "paid"


def _pay_on_page(app, stripe_raw, card_pm, rid: int, at: datetime) -> str:
    """The page's intent for the amount owed at `at`, confirmed by the client's card."""
    with app.app_context():
        step = paying.card_step(rid, at)
    pi_id = step["client_secret"].split("_secret_")[0]
    stripe_raw.v1.payment_intents.confirm(pi_id, params={"payment_method": card_pm(CARD_OK).id})
    return pi_id


def _refunds(stripe_raw, pi_id: str) -> list[int]:
    return [r["amount"] for r in stripe_raw.v1.refunds.list(
        params={"payment_intent": pi_id, "limit": 100}).data]


def test_a_page_payment_of_the_total_closes_the_case_with_nothing_refunded(
        app, client, card_pm, stripe_emulator, stripe_raw, outbox):
    _prov, _project, rid, at = _walk(app, client, card_pm, stripe_emulator, outbox)
    due = _owed(app, rid, at[3])
    pi_id = _pay_on_page(app, stripe_raw, card_pm, rid, at[3])
    with app.app_context():
        assert paying.confirm(rid, at[3]).status == "paid"
        r = db.session.get(Receivable, rid)
        assert (r.paid_minor, r.penalties_paid_minor) == (PRINCIPAL, due.penalties_minor)
    assert _refunds(stripe_raw, pi_id) == []
    money_in = [(k, d["amount"]) for k, d in _events(app, rid)
                if k in ("payment", "penalty_payment", "overpaid")]
    assert money_in == [("payment", PRINCIPAL), ("penalty_payment", due.penalties_minor)]


def test_a_payment_above_the_total_refunds_only_the_excess(
        app, client, card_pm, stripe_emulator, stripe_raw, outbox):
    """The principal paid by transfer, the page's intent for the penalties left confirmed,
    and a 10.00 transfer recorded first: the card brings 10.00 above what is owed, and only
    that is refunded."""
    prov, _project, rid, at = _walk(app, client, card_pm, stripe_emulator, outbox)
    due = _owed(app, rid, at[3])
    mark_transfer(app, prov, rid, PRINCIPAL, at[3])
    pi_id = _pay_on_page(app, stripe_raw, card_pm, rid, at[3])
    assert stripe_raw.v1.payment_intents.retrieve(pi_id)["amount"] == due.penalties_minor
    mark_transfer(app, prov, rid, 1000, at[3])  # its settle meets the captured intent
    assert _refunds(stripe_raw, pi_id) == [1000]
    with app.app_context():
        r = db.session.get(Receivable, rid)
        assert r.status == "paid"
        assert (r.paid_minor, r.penalties_paid_minor) == (PRINCIPAL, due.penalties_minor)
    money_in = [(k, d["amount"]) for k, d in _events(app, rid)
                if k in ("payment", "penalty_payment", "overpaid")]
    assert money_in == [("payment", PRINCIPAL), ("penalty_payment", 1000),
                        ("penalty_payment", due.penalties_minor - 1000), ("overpaid", 1000)]


def test_principal_paid_before_the_mise_en_demeure_the_next_step_asks_the_penalties_alone(
        app, client, card_pm, stripe_emulator, outbox):
    """Paid between J+15 and J+30: at J+30 an e-mail (no mise en demeure) says the invoice is
    paid and the penalties claimed remain, with the figure fixed on the day of the payment;
    nothing goes at J+45; the provider may still ask for a mise en demeure."""
    prov, project, rid, due_day, paid_at = _to_j20(app, client, card_pm, stripe_emulator)
    fixed = _owed(app, rid, paid_at)
    mark_transfer(app, prov, rid, PRINCIPAL, paid_at)
    outbox.clear()
    t3 = at_offset(due_day, 30, paid_at)
    f.tick(app, t3)
    [mail] = outbox.to(project["email"])
    text = _mail_text(mail)
    assert "les pénalités de retard restent dues" in mail["Subject"], mail["Subject"]
    assert flat(money(fixed.penalties_minor, "fr")) in text
    assert fixed.penalties_minor == fixed.interest_minor + 4000 and fixed.interest_minor > 0
    assert notice_of(app, rid) is None  # no mise en demeure for the penalties alone
    assert _owed(app, rid, t3).total_minor == fixed.penalties_minor  # interest stopped
    f.tick(app, at_offset(due_day, 45, t3))
    assert len(outbox.to(project["email"])) == 1
    with app.app_context():
        r = db.session.get(Receivable, rid)
        assert (r.status, r.last_step, r.next_action_at) == ("open", 3, None)


def test_a_mise_en_demeure_for_the_penalties_alone_goes_when_the_provider_asks(
        app, client, card_pm, stripe_emulator, outbox):
    prov, project, rid, due_day, paid_at = _to_j20(app, client, card_pm, stripe_emulator)
    mark_transfer(app, prov, rid, PRINCIPAL, paid_at)
    left = _owed(app, rid, paid_at)
    status, body = api(client, "POST", f"/api/v1/receivables/{rid}/penalties-notice",
                       token=prov["token"])
    assert status == 200 and body["penalties_alone"], body
    assert api(client, "POST", f"/api/v1/receivables/{rid}/penalties-notice",
               token=prov["token"])[0] == 409  # asked already: nothing more to ask
    f.tick(app, at_offset(due_day, 30, paid_at))
    notice = notice_of(app, rid)
    assert notice is not None and notice["total"] == left.penalties_minor > 4000


def test_a_page_left_open_overnight_settles_the_case_with_the_figure_it_asked(
        app, client, card_pm, stripe_emulator, stripe_raw, outbox):
    """The intent made at J+30 is paid the next day: a day's interest has run since, yet the
    client paid what the page asked, and the case closes with nothing left open."""
    _prov, _project, rid, at = _walk(app, client, card_pm, stripe_emulator, outbox)
    asked = _owed(app, rid, at[3])
    next_day = at[3] + timedelta(days=1)
    assert _owed(app, rid, next_day).total_minor > asked.total_minor
    _pay_on_page(app, stripe_raw, card_pm, rid, at[3])
    with app.app_context():
        assert paying.confirm(rid, next_day).status == "paid"
        r = db.session.get(Receivable, rid)
        assert (r.paid_minor, r.penalties_paid_minor) == (PRINCIPAL, asked.penalties_minor)
