"""What the dunning module tells besides its steps: the provider hears that a debt was paid (and
how), promised, disputed, or that a payment plan was proposed; the client and the provider hear
of a plan accepted, refused or failed. And the letter's own rule for the failure's reason, in
words. Real receivables as in tests/test_dunning_emails.py (tests/support/dunning.py).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from skod.dunning.debts import notices
from skod.dunning.reminders import letter_facts
from tests import factories as f
from tests.support.dunning import (
    PARIS,
    assert_in_both,
    debt_facts,
    declined_debts,
    long_day,
    money,
    parts,
    working_hour,
)


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
    # J+1 in Paris working hours, when the step-0 notice is due too: the retry runs first and
    # pays, so the notice is withdrawn and the provider reads "paid" alone (this failed by the
    # clock whenever J+1 fell in working hours)
    f.tick(app, working_hour(debt["opened_at"] + timedelta(days=1)))  # the card pays
    assert debt_facts(app, rid)["balance"] == 0
    paid = provider_mail(outbox, prov, debt_facts(app, rid)["number"])
    assert_in_both(paid, "Dana Buyer", money(7000, "fr"), "par carte",
                   f"/dashboard/receivables/{rid}")


def test_provider_is_told_of_a_transfer_a_promise_and_a_dispute(app, client, card_pm,
                                                               stripe_emulator, outbox, now):
    from skod.dunning.debts import cases

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
    from skod.dunning.debts.models import Instalment, PaymentPlan, Receivable
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
        notices.provider_told(db.session.get(Receivable, rid), "plan_proposed")
        notices.provider_told(db.session.get(Receivable, rid), what, amount_minor=3500)
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

    from skod.dunning.reminders import letters

    debt = letter_facts.Debt(service="Audit", source_kind="booking", currency="EUR",
                        total_minor=9000, paid_minor=0, balance_minor=9000,
                        due_date=date(2026, 3, 2),
                        pay_url="https://skod.test/pay/1/t", reference="SKOD-2026-000009",
                        invoice_number="2026-000009", issue_date=date(2026, 3, 2),
                        failure_code=code, failure_kind=kind)
    creditor = letter_facts.Creditor(name="Ana", email="ana@x.test")
    facts = letter_facts.Facts(step=step, creditor=creditor,
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
