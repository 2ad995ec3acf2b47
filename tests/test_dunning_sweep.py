"""The dunning sweep through `skod tick --at`, against PostgreSQL and the Stripe emulator: a
declined milestone walked from J+0 to J+20, downtime, holidays, and two sweeps at once."""

from __future__ import annotations

import threading
from datetime import timedelta

from skod.dunning.debts import opening
from skod.dunning.rules.ladder import WORK_END, WORK_START, is_business_day
from tests import factories as f
from tests.dunning_support import (
    PARIS,
    paris_at,
    project_debt,
    receivable_of,
    recovery_payments,
    steps_of,
    working_instant,
)

DEBTOR = "debtor@example.test"


def dunning_mails(app, outbox, receivable_id: int) -> dict[int, object]:
    """step -> the e-mail that carried it (found by the Message-ID recorded on the step)."""
    from skod.dunning.debts.models import DunningStep
    from skod.extensions import db

    with app.app_context():
        ids = {s.message_id: s.step for s in db.session.scalars(db.select(DunningStep).where(
            DunningStep.receivable_id == receivable_id, DunningStep.status == "sent"))}
    found: dict[int, object] = {}
    for mail in outbox.to(DEBTOR):
        step = ids.get(mail["Message-ID"])
        if step is not None:
            assert step not in found, f"step {step} e-mailed twice"
            found[step] = mail
    return found


def in_window(moment) -> bool:  # noqa: ANN001
    local = moment.astimezone(PARIS)
    return is_business_day(local.date()) and WORK_START <= local.time() < WORK_END


def test_a_declined_milestone_walked_from_j0_to_j20(app, client, card_pm, outbox, now):
    """Notice, three retries of a soft decline (J+1, J+3, J+5), J+7 and J+15, each once, each
    inside working hours on a business day, whatever the ticks' times."""
    prov, project, milestone = project_debt(client, card_pm)
    debt = receivable_of(app, f"milestone:{milestone['id']}")
    assert (debt.status, debt.principal_minor, debt.client_kind) == ("open", 7000, "business")
    assert debt.next_retry_at == debt.opened_at + timedelta(days=1)
    outbox.clear()
    start = debt.opened_at + timedelta(minutes=1)
    seen: dict[int, object] = {}
    at = start
    end = paris_at(debt.due_date + timedelta(days=20), 23)
    while at <= end:
        f.tick(app, at)
        for step in set(dunning_mails(app, outbox, debt.id)) - set(seen):
            assert in_window(at), f"step {step} sent at {at.astimezone(PARIS)}"
            seen[step] = at
        at += timedelta(hours=3)
    assert sorted(seen) == [0, 1, 2]
    assert steps_of(app, debt.id) == [(0, "sent"), (1, "sent"), (2, "sent")]
    assert seen[1] >= paris_at(debt.due_date + timedelta(days=7), 9)
    assert seen[2] >= paris_at(debt.due_date + timedelta(days=15), 9)
    assert seen[2] - seen[1] >= timedelta(days=5)
    # three retries of the card, all refused (soft decline), none after J+5
    attempts = recovery_payments(app, debt.id)
    assert [status for status, _code in attempts] == ["failed"] * 3
    after = receivable_of(app, debt.source)
    assert (after.status, after.retries_done, after.next_retry_at) == ("open", 3, None)
    assert after.last_step == 2


def test_twenty_days_of_downtime_send_the_next_step_only(app, client, card_pm, outbox, now):
    _prov, _project, milestone = project_debt(client, card_pm)
    debt = receivable_of(app, f"milestone:{milestone['id']}")
    outbox.clear()
    f.tick(app, debt.opened_at + timedelta(minutes=1))  # the invoice; the notice if in hours
    before = sorted(dunning_mails(app, outbox, debt.id))
    assert before in ([], [0])
    back = working_instant(debt.opened_at + timedelta(days=20))
    f.tick(app, back)  # the first sweep after 20 days of downtime
    after = sorted(dunning_mails(app, outbox, debt.id))
    assert after == before + [len(before)]  # the next step not sent yet, only that one
    # one retry, not the three missed ones in a burst
    assert len(recovery_payments(app, debt.id)) == 1
    # the following step keeps the minimum gap from the one just sent
    f.tick(app, back + timedelta(days=4, hours=7))
    assert sorted(dunning_mails(app, outbox, debt.id)) == after
    f.tick(app, working_instant(back + timedelta(days=5)))
    assert sorted(dunning_mails(app, outbox, debt.id)) == after + [len(after)]


def test_nothing_goes_on_a_holiday_a_sunday_or_at_night(app, client, card_pm, outbox, now):
    """The J+7 reminder of a debt due on 24 April falls on 1 May: it waits for a working day."""
    from datetime import date

    from skod.extensions import db

    _prov, _project, milestone = project_debt(client, card_pm)
    debt = receivable_of(app, f"milestone:{milestone['id']}")
    f.tick(app, working_instant(debt.opened_at))  # the notice
    assert list(dunning_mails(app, outbox, debt.id)) == [0]
    year = now.astimezone(PARIS).year + 1
    with app.app_context():
        from skod.dunning.debts.models import Receivable

        row = db.session.get(Receivable, debt.id)
        row.due_date, row.next_retry_at = date(year, 4, 24), None
        db.session.commit()
    may_day = paris_at(date(year, 5, 1), 11)
    f.tick(app, may_day)
    night = paris_at(date(year, 5, 1), 23)
    f.tick(app, night)
    assert list(dunning_mails(app, outbox, debt.id)) == [0]
    nxt = working_instant(may_day)
    f.tick(app, nxt - timedelta(hours=8))  # 02:00 on the working day: still night
    assert list(dunning_mails(app, outbox, debt.id)) == [0]
    f.tick(app, nxt)
    assert sorted(dunning_mails(app, outbox, debt.id)) == [0, 1]


def _many_debts(app, client, n_clients: int, per_client: int, now) -> tuple[int, list[int]]:
    """n_clients x per_client unpaid invoices due ten days ago, chased by the net."""
    from skod.accounts.models import Client
    from skod.extensions import db
    from skod.invoicing import ledger

    prov = f.provider(client)
    with app.app_context():
        from skod.accounts.models import Provider

        provider = db.session.scalar(db.select(Provider).where(Provider.email == prov["email"]))
        ids = []
        for c in range(n_clients):
            buyer = Client(provider_id=provider.id, email=f"buyer{c}@example.test",
                           name=f"Buyer {c}", kind="business", timezone="Europe/Paris",
                           locale="fr")
            db.session.add(buyer)
            db.session.commit()
            for i in range(per_client):
                invoice = ledger.issue(ledger.IssueSpec(
                    provider_id=provider.id, client_id=buyer.id, source=f"test:{c}:{i}",
                    lines=[("Work", 1000 + i)], now=now - timedelta(days=10),
                    currency="EUR"))
                receivable = opening.open_for_invoice(invoice, now)
                receivable.next_retry_at = None
                db.session.commit()
                ids.append(receivable.id)
        return provider.id, ids


def test_two_sweeps_at_once_send_every_step_exactly_once(app, client, outbox, now):
    from skod.dunning.debts import sweep
    from skod.dunning.debts.models import DunningStep
    from skod.extensions import db

    _provider_id, ids = _many_debts(app, client, n_clients=50, per_client=10, now=now)
    outbox.clear()
    at = working_instant(now)
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        try:
            with app.app_context():
                barrier.wait()
                sweep.sweep(at, batch=25)
                db.session.remove()
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        # a hang guard, not a timing assertion: 500 e-mails with their invoice PDFs take minutes
        # on a loaded 2-core machine, and a thread still running would be counted short
        t.join(900)
    assert not any(t.is_alive() for t in threads), "a sweep did not finish"
    assert not errors, errors
    with app.app_context():
        rows = db.session.scalars(db.select(DunningStep).where(
            DunningStep.receivable_id.in_(ids))).all()
    assert len(rows) == 500 and {r.step for r in rows} == {0}
    assert all(r.status == "sent" and r.message_id for r in rows)
    # the clients' e-mails (the provider hears of the debts apart, once per client and sweep)
    sent_ids = [m["Message-ID"] for m in outbox.messages() if "buyer" in str(m["To"])]
    assert len(sent_ids) == len(set(sent_ids)) == len({r.message_id for r in rows})
    assert set(sent_ids) == {r.message_id for r in rows}
    # every client got its reminder; a client's debts split between two batches (of either
    # sweep) get one e-mail per batch: the grouping itself is tested in test_dunning_emails
    assert len(sent_ids) >= 50
    # invoices left unpaid (no card refused): the notice says they are due, not "refused"
    buyers = [m for m in outbox.messages() if "buyer" in str(m["To"])]
    assert all("échéance" in m["Subject"] for m in buyers), {m["Subject"] for m in buyers}
    # and a second sweep at the same instant finds nothing to do
    with app.app_context():
        assert sweep.sweep(at)["dunning_steps"] == 0


SOFT = {"decline_code": "insufficient_funds", "advice_code": "try_again_later"}


def _tick_days(app, debt, days: list[int]) -> None:
    """Tick at J+d of the failure (+ 2 hours: past the retry instant) for each d."""
    for d in days:
        f.tick(app, debt.opened_at + timedelta(days=d, hours=2))


def test_a_soft_decline_recovered_by_the_j3_retry_closes_the_case(app, client, card_pm,
                                                                   outbox, stripe_emulator,
                                                                   stripe_raw, now):
    from tests.support.stripe_helpers import CARD_OK

    _prov, _project, milestone = project_debt(client, card_pm, card=CARD_OK,
                                              declines=(stripe_emulator, SOFT, SOFT))
    debt = receivable_of(app, f"milestone:{milestone['id']}")
    assert (debt.failure_kind, debt.failure_code) == ("soft_decline", "insufficient_funds")
    _tick_days(app, debt, [0, 1])
    assert [s for s, _ in recovery_payments(app, debt.id)] == ["failed"]
    _tick_days(app, debt, [3])
    assert [s for s, _ in recovery_payments(app, debt.id)] == ["failed", "captured"]
    paid = receivable_of(app, debt.source)
    assert (paid.status, paid.paid_minor, paid.next_action_at) == ("paid", 7000, None)
    with app.app_context():
        from skod.dunning.debts.models import Receivable
        from skod.extensions import db
        from skod.payments.models import Payment

        invoice = db.session.get(Receivable, debt.id).invoice
        assert invoice is not None and invoice.paid
        charge = db.session.scalar(db.select(Payment).where(
            Payment.receivable_id == debt.id, Payment.status == "captured"))
        assert f.captured_at_emulator(stripe_raw, charge.stripe_payment_intent_id) == 7000
    # the milestone itself is paid now, and nothing more reaches the client
    sent_before = sorted(dunning_mails(app, outbox, debt.id))
    for d in (8, 9, 16, 17):
        f.tick(app, working_instant(debt.opened_at + timedelta(days=d)))
    assert sorted(dunning_mails(app, outbox, debt.id)) == sent_before
    assert 1 not in sent_before and 2 not in sent_before
    assert len(recovery_payments(app, debt.id)) == 2


def test_a_hard_decline_is_never_retried(app, client, card_pm, stripe_emulator, now):
    from tests.support.stripe_helpers import CARD_OK

    _prov, _project, milestone = project_debt(
        client, card_pm, card=CARD_OK, declines=(stripe_emulator, {"decline_code": "lost_card"}))
    debt = receivable_of(app, f"milestone:{milestone['id']}")
    assert (debt.failure_kind, debt.next_retry_at) == ("hard_decline", None)
    _tick_days(app, debt, [1, 3, 5, 6])
    assert recovery_payments(app, debt.id) == []


def test_do_not_try_again_stops_every_retry_on_that_card(app, client, card_pm, stripe_emulator,
                                                        now):
    """A soft decline first (retries planned), then the network says never again: the J+3
    and J+5 retries are not made."""
    from tests.support.stripe_helpers import CARD_OK

    never = {"decline_code": "generic_decline", "advice_code": "do_not_try_again"}
    _prov, _project, milestone = project_debt(client, card_pm, card=CARD_OK,
                                              declines=(stripe_emulator, SOFT, never))
    debt = receivable_of(app, f"milestone:{milestone['id']}")
    _tick_days(app, debt, [1, 3, 5])
    assert recovery_payments(app, debt.id) == [("failed", "generic_decline")]
    assert receivable_of(app, debt.source).next_retry_at is None


def test_fifteen_attempts_on_a_card_in_thirty_days_stop_the_retries(app, client, card_pm,
                                                                     stripe_emulator, now):
    from tests.support.stripe_helpers import CARD_OK

    _prov, _project, milestone = project_debt(client, card_pm, card=CARD_OK,
                                              declines=(stripe_emulator, SOFT))
    debt = receivable_of(app, f"milestone:{milestone['id']}")
    with app.app_context():  # 14 more charges of that card by Skod in the last 30 days
        from skod.extensions import db
        from skod.payments.models import Payment

        first = db.session.get(Payment, debt.payment_id)
        for n in range(14):
            db.session.add(Payment(
                provider_id=first.provider_id, client_id=first.client_id, purpose="milestone",
                status="failed", currency="EUR", amount_requested_minor=100,
                create_key=f"other:{debt.id}:{n}",
                stripe_payment_method_id=debt.stripe_payment_method_id,
                created_at=debt.opened_at - timedelta(days=20)))
        db.session.commit()
    _tick_days(app, debt, [1])
    assert recovery_payments(app, debt.id) == []
    assert receivable_of(app, debt.source).next_retry_at is None
