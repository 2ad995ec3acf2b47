"""A rate that is not verified is printed as provisional (issue #20 point 2): a business debt
walked through the ladder while its half-years are marked unverified says "taux provisoire" in
the J+15 e-mail, the mise en demeure and the recourse summary; a half-year set with
`flask skod rates set` after the table lost it is what the next letter prints."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import delete

from skod.dunning.debts.models import LateRate, Receivable
from skod.dunning.owed import rates
from skod.dunning.recourse import view as recourse_view
from skod.dunning.rules.penalties import half_of, split_by_half
from skod.extensions import db
from tests import factories as f
from tests.formal_notice_support import (
    flat,
    notice_pdf,
    paris_day,
    pdf_words,
    set_client_identity,
)
from tests.support.dunning import at_offset, debt_facts, declined_debts, parts, walk
from tests.test_dunning_walk import _post_letter, _recourse_zip

PROVISIONAL = "Taux provisoire pour le"


def _squeezed(text: str) -> str:
    """Without spaces: the PDF text extraction splits some words ("T aux")."""
    return "".join(flat(text).split())


def _halves(due, days: int) -> list[tuple[int, int]]:
    return [half_of(a) for a, _b in split_by_half(due + timedelta(days=1),
                                                  due + timedelta(days=days))]


def _mark_unverified(app, halves: list[tuple[int, int]], now) -> None:  # noqa: ANN001
    with app.app_context():
        table = rates.table()
        for year, half in halves:
            rate = table.rate((year, half), "ecb_bp")
            other = table.rate((year, half), "legal_other_bp")
            rates.set_rate(year, half, rate.bp, None, other.bp, False, now)


def test_an_unverified_half_year_is_provisional_in_every_document(
        app, client, card_pm, stripe_emulator, outbox, now):
    _prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator,
                                           milestones=(("Build", 150_000),))
    set_client_identity(app, rid)
    due = debt_facts(app, rid)["due"]
    _mark_unverified(app, _halves(due, 90), now)
    at = walk(app, rid)  # the notice, J+7, J+15
    text, page = parts(outbox.to(project["email"])[-1])
    assert PROVISIONAL in text and PROVISIONAL in page, text
    year, half = half_of(paris_day(at[-1]))
    assert f"{'premier' if half == 1 else 'second'} semestre {year}" in text
    # the due date read again: the invoice issued by the first tick may have moved it (a
    # milestone delivered on a holiday is due on the next business day)
    due = debt_facts(app, rid)["due"]
    t3 = at_offset(due, 30, at[-1])
    f.tick(app, t3)
    letter = pdf_words(notice_pdf(outbox.to(project["email"])[-1]))
    assert "MISE EN DEMEURE" in letter and _squeezed(PROVISIONAL) in _squeezed(letter)
    _post_letter(app, rid, paris_day(t3))
    f.tick(app, at_offset(due, 45, t3))
    summary = pdf_words(_recourse_zip(app, rid, t3)[0].read("summary.pdf"))
    assert _squeezed(PROVISIONAL) in _squeezed(summary), summary
    with app.test_request_context(), force_locale("fr"):  # the case page's recourse section
        section = recourse_view.of_case(db.session.get(Receivable, rid), t3, "fr")
        assert section["provisional"].startswith(PROVISIONAL), section


def test_a_verified_table_says_nothing_provisional(app, client, card_pm, stripe_emulator,
                                                   outbox, now):
    _prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator,
                                           milestones=(("Build", 150_000),))
    due = debt_facts(app, rid)["due"]
    with app.app_context():  # every half-year of the walk verified, whatever today is
        for year, half in _halves(due, 35):  # J+15 may slip past weekends and holidays
            rate = rates.table().rate((year, half), "ecb_bp")
            rates.set_rate(year, half, rate.bp, 650, 260, True, now)
    walk(app, rid)
    text, _page = parts(outbox.to(project["email"])[-1])
    assert "Pénalités" in text and "provisoire" not in text


def test_rates_set_adds_the_half_year_the_next_letter_uses(app, client, card_pm,
                                                           stripe_emulator, outbox):
    _prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator,
                                           milestones=(("Build", 150_000),))
    due = debt_facts(app, rid)["due"]
    halves = _halves(due, 35)  # J+15 may slip past weekends and holidays
    with app.app_context():  # the table ends before the debt's half-years (as on 1 January)
        db.session.execute(delete(LateRate).where(
            (LateRate.year * 10 + LateRate.half) >= halves[0][0] * 10 + halves[0][1]))
        db.session.commit()
    runner = app.test_cli_runner()
    for year, half in halves:
        result = runner.invoke(args=["skod", "rates", "set", f"{year}-H{half}", "--ecb", "3.33",
                                     "--legal-private", "7.77", "--legal-other", "3.07",
                                     "--source", "test arrêté", "--verified"])
        assert result.exit_code == 0, result.output
    walk(app, rid)
    text, page = parts(outbox.to(project["email"])[-1])
    # 3.33 + 10 points, printed the French way; nothing provisional: the rows are verified
    assert "13,33\u00a0%" in text or "13,33 %" in flat(text), text
    assert "provisoire" not in text and "provisoire" not in page
