"""Interest on the real history of a walked debt (issue #20 point 1): a business debt walked
through the ladder with `skod tick`, part of it paid by transfer between J+15 and J+30. The mise
en demeure and the recourse summary print the same interest for the same day, and it is the
engine's figure on the history (the principal until the payment, the rest after it), not the
figure on today's balance over the whole delay."""

from __future__ import annotations

from datetime import timedelta

from skod.dunning.debts import settling
from skod.dunning.debts import store as recv
from skod.dunning.owed import rates
from skod.dunning.rules.penalties import compute
from tests import factories as f
from tests.formal_notice_support import (
    flat,
    notice_pdf,
    paris_day,
    pdf_words,
    set_client_identity,
)
from tests.support.dunning import at_offset, debt_facts, declined_debts, money, walk
from tests.test_dunning_walk import _post_letter, _recourse_zip

PRINCIPAL, PART = 200_000, 120_000


def _engine(app, due, until, payments=(), amount=PRINCIPAL):  # noqa: ANN001, ANN202
    with app.app_context():
        return compute(amount_minor=amount, currency="EUR", due=due, until=until,
                       client_kind="business", table=rates.table(), payments=payments)


def test_a_payment_between_j15_and_j30_counts_in_the_notice_and_the_summary(
        app, client, card_pm, stripe_emulator, outbox):
    _prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator,
                                           milestones=(("Build", PRINCIPAL),))
    set_client_identity(app, rid)
    at = walk(app, rid)  # the notice, J+7 and J+15
    due = debt_facts(app, rid)["due"]
    paid_at = at[-1] + timedelta(days=3)
    with app.app_context():
        settling.settle(rid, PART, paid_at, via="transfer")
    t3 = at_offset(due, 30, at[-1])
    f.tick(app, t3)
    until = paris_day(t3)
    history = _engine(app, due, until, [(paris_day(paid_at), PART)])
    balance_only = _engine(app, due, until, amount=PRINCIPAL - PART)
    assert history.interest_minor > balance_only.interest_minor > 0
    assert [s.principal_minor for s in history.segments][-1] == PRINCIPAL - PART
    letter = pdf_words(notice_pdf(outbox.to(project["email"])[-1]))
    assert "MISE EN DEMEURE" in letter
    printed = flat(money(history.interest_minor, "fr"))
    assert printed in letter, (printed, letter)
    assert flat(money(balance_only.interest_minor, "fr")) not in letter
    # the segments with the amount that bore interest in each
    for s in history.segments:
        assert flat(money(s.principal_minor, "fr")) in letter
    _post_letter(app, rid, until)
    f.tick(app, at_offset(due, 45, t3))
    archive, _route = _recourse_zip(app, rid, t3)  # the summary as of the letter's day
    summary = pdf_words(archive.read("summary.pdf"))
    assert printed in summary, (printed, summary)
    total = PRINCIPAL - PART + history.interest_minor + history.indemnity_minor
    assert flat(money(total, "fr")) in summary and flat(money(total, "fr")) in letter


def test_the_timeline_gives_the_payments_and_the_rest_paid_elsewhere(app, client, now):
    """history.payments_of: the "payment" events on the provider's calendar; never a
    "penalty_payment" (money toward the penalties is not principal); paid_minor above the events
    (an invoice paid outside Skod) counted on the day the case closed, else `until`; a payment
    taken back since (paid_minor lowered) no longer counts."""
    from skod.dunning.debts.models import Receivable
    from skod.dunning.owed.history import payments_of
    from skod.extensions import db
    from tests.support import clock
    from tests.test_dunning_provider_api import open_debt, provider_id

    debt = open_debt(app, provider_id(app, f.provider(client)), now, amount=100_000,
                     days_late=40)
    paid_at = now - timedelta(days=10)
    with app.app_context():
        r = db.session.get(Receivable, debt["id"])
        recv.record(r, "payment", paid_at, amount=30_000, via="transfer")
        recv.record(r, "penalty_payment", now - timedelta(days=5), amount=2_000)
        r.paid_minor = 80_000
        db.session.commit()
        until = clock.paris_today(now)
        open_case = payments_of(r, until)
        r.closed_at = now - timedelta(days=2)
        closed = payments_of(r, until)
        r.paid_minor = 20_000  # 10,000 of the transfer came back
        taken_back = payments_of(r, until)
        db.session.rollback()
    day = paris_day(paid_at)
    assert open_case == [(day, 30_000), (until, 50_000)]
    assert closed == [(day, 30_000), (paris_day(now - timedelta(days=2)), 50_000)]
    assert taken_back == [(day, 20_000)]
