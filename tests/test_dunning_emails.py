"""The dunning e-mails as the client reads them: the notice (step 0), the friendly reminder
(J+7) and the formal reminder (J+15), checked item by item against the law file's section 7, in
French and English, for a business client (penalties to date, 40 EUR per invoice), a public
buyer (ECB + 8) and a consumer (no fee of any kind, anywhere); one e-mail for two debts of one
client; a client in another time zone. Real receivables walked through `skod tick` at working
hours (tests/support/dunning.py).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from skod.core import formats
from tests import factories as f
from tests.support.dunning import (
    IBAN,
    LEGAL,
    PARIS,
    assert_common_items,
    assert_in_both,
    assert_no_fee,
    assert_pay_and_invoice_links,
    at_offset,
    deadline_day,
    debt_facts,
    declined_debts,
    mark_transfer,
    money,
    parts,
    penalties_to,
    reason_words,
    retry_days_left,
    step_mail,
    walk,
    words_only,
    working_hour,
)


# --- tests --------------------------------------------------------------------------------------
def check_notice(app, client, notice, prov: dict, debt: dict, sent, locale: str) -> None:
    """Step 0: the service, the amount, why in words, the pay link, the retry dates, the bank
    details and reference, who to write to, the invoice attached."""
    assert debt["number"] in notice["Subject"]
    assert_in_both(notice, "New website", "Build", money(7000, locale), debt["number"],
                   reason_words(app, "insufficient_funds", locale), IBAN,
                   f"SKOD-{debt['number']}", prov["email"],
                   *retry_days_left(debt, sent, "Europe/Paris", locale))
    assert_pay_and_invoice_links(app, client, notice, debt)
    assert "insufficient_funds" not in words_only(parts(notice)[0])


def check_formal_business(formal, debt: dict, owed, sent, locale: str) -> None:
    """Step 2 to a business: the deadline, the rate and its basis, penalties per half-year
    segment with its days, 40 EUR per invoice, owed without any reminder."""
    deadline = deadline_day(sent)
    assert owed.interest_minor > 0 and owed.indemnity_minor == 4000 and owed.segments
    assert_in_both(formal, formats.day(deadline, locale, "full"), "L441-10", "D441-5",
                   money(owed.interest_minor, locale), money(4000, locale),
                   money(owed.total_minor, locale))
    text = parts(formal)[0]
    for s in owed.segments:  # one row per half-year segment: period, days, rate, amount
        period = (f"{formats.day(s.start, locale, 'medium')} – "
                  f"{formats.day(s.end, locale, 'medium')}")
        [row] = [line for line in text.splitlines() if line.startswith(period)]
        assert f"| {s.days} |" in row and "+ 10 points" in row, row
        assert row.endswith(money(s.amount_minor, locale)), row
        assert_in_both(formal, period, money(s.amount_minor, locale))
    assert_in_both(formal, *{"fr": ["10 points", "sans qu'aucun rappel"],
                             "en": ["10 points", "without any reminder"]}[locale])
    assert formats.day(deadline, locale, "long") in formal["Subject"]


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_business_client_gets_notice_then_friendly_then_formal_with_penalties(
        app, client, card_pm, stripe_emulator, outbox, locale):
    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator, locale=locale)
    email = project["email"]
    outbox.clear()
    [t0] = walk(app, rid, until_step=0)
    debt = debt_facts(app, rid)
    check_notice(app, client, step_mail(outbox, email, 1), prov, debt, t0, locale)

    mark_transfer(app, prov, rid, 2000, t0 + timedelta(hours=1))  # a partial transfer
    t1 = at_offset(debt["due"], 7, t0)
    f.tick(app, t1 - timedelta(days=1))
    assert len(outbox.to(email)) == 1  # not before J+7
    f.tick(app, t1)
    friendly, debt = step_mail(outbox, email, 2), debt_facts(app, rid)
    assert (debt["total"], debt["paid"], debt["balance"]) == (7000, 2000, 5000)
    assert_common_items(app, client, friendly, prov, debt, locale)
    assert_in_both(friendly, "Buyer SARL", "Dana Buyer", money(2000, locale))
    text = parts(friendly)[0].lower()
    assert not [w for w in ("pénalit", "penalt", "indemnit") if w in text]  # J+7: no fees yet

    t2 = at_offset(debt["due"], 15, t1)
    f.tick(app, t2)
    formal = step_mail(outbox, email, 3)
    assert_common_items(app, client, formal, prov, debt, locale)
    owed = penalties_to(app, debt, t2.astimezone(PARIS).date())
    check_formal_business(formal, debt, owed, t2, locale)
    f.tick(app, t2 + timedelta(days=20))  # J+35: the mise en demeure (its own tests)
    f.tick(app, t2 + timedelta(days=40))  # step 4, the recourse file: nothing to the client
    assert len(outbox.to(email)) == 4 and "MISE EN DEMEURE" in outbox.to(email)[-1]["Subject"]


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_consumer_never_reads_a_fee_and_is_told_of_the_formal_notice(
        app, client, card_pm, stripe_emulator, outbox, locale):
    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator,
                                          kind="consumer", locale=locale)
    outbox.clear()
    walk(app, rid)
    debt = debt_facts(app, rid)
    notice, friendly, formal = outbox.to(project["email"])
    assert_common_items(app, client, friendly, prov, debt, locale)
    assert_common_items(app, client, formal, prov, debt, locale)
    assert_in_both(formal, *{"fr": ["mise en demeure", "taux légal", "1231-6"],
                             "en": ["formal notice", "legal rate", "1231-6"]}[locale],
                   LEGAL["mediator"])
    for mail in (notice, friendly, formal):
        assert_no_fee(mail)


def test_two_debts_of_one_client_make_one_email_per_step(app, client, card_pm,
                                                          stripe_emulator, outbox):
    from skod.dunning.debts.models import DunningStep
    from skod.extensions import db

    prov, project, ids = declined_debts(app, client, card_pm, stripe_emulator,
                                        milestones=(("Build", 7000), ("Launch", 5500)))
    assert len(ids) == 2
    outbox.clear()
    t0, t1, t2 = walk(app, ids[0])
    notice, friendly, formal = outbox.to(project["email"])
    first, second = debt_facts(app, ids[0]), debt_facts(app, ids[1])
    assert all(m["Subject"].startswith("2 ") for m in (notice, friendly, formal))
    assert_in_both(notice, first["number"], second["number"], money(7000, "fr"),
                   money(5500, "fr"), "Build", "Launch", f"SKOD-{first['number']}",
                   f"SKOD-{second['number']}")
    assert_pay_and_invoice_links(app, client, notice, first)
    assert_pay_and_invoice_links(app, client, notice, second)
    with app.app_context():  # each (receivable, step) recorded once, one e-mail per step
        rows = db.session.scalars(db.select(DunningStep)).all()
        assert sorted((r.receivable_id, r.step, r.status) for r in rows) == [
            (i, step, "sent") for i in ids for step in (0, 1, 2)]
        assert {r.message_id for r in rows if r.step == 0} == {notice["Message-ID"]}
    owed = [penalties_to(app, d, t2.astimezone(PARIS).date()) for d in (first, second)]
    assert_in_both(formal, first["number"], second["number"], money(4000, "fr"),
                   money(owed[0].total_minor, "fr"), money(owed[1].total_minor, "fr"),
                   money(owed[0].total_minor + owed[1].total_minor, "fr"))
    assert owed[0].total_minor + owed[1].total_minor == 12500 + 8000 + sum(
        o.interest_minor for o in owed)  # 40 EUR for each invoice


def test_client_in_another_time_zone_is_written_to_in_their_working_hours(
        app, client, card_pm, stripe_emulator, outbox):
    tz = "America/New_York"
    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator,
                                          kind="consumer", locale="en", tz=tz)
    email, opened = project["email"], debt_facts(app, rid)["opened_at"]
    outbox.clear()
    morning = working_hour(opened)  # 10:00 in Paris: 04:00 or 05:00 in New York
    f.tick(app, morning)
    assert outbox.to(email) == []
    afternoon = morning + timedelta(hours=7)  # 17:00 in Paris: 11:00 or 12:00 in New York
    f.tick(app, afternoon)
    [notice] = outbox.to(email)
    debt = debt_facts(app, rid)
    assert_in_both(notice, "Your card will be tried again on", money(7000, "en"),
                   *retry_days_left(debt, afternoon, tz, "en"))


def test_public_buyer_formal_reminder_uses_ecb_plus_8(app, client, card_pm, stripe_emulator,
                                                       outbox):
    # the project API takes a public body as the client (kind "public")
    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator, kind="public")
    t2 = walk(app, rid)[-1]
    debt = debt_facts(app, rid)
    assert debt["kind"] == "public"
    formal = outbox.to(project["email"])[-1]
    owed = penalties_to(app, debt, t2.astimezone(PARIS).date())
    assert [s.basis for s in owed.segments] == ["ecb_plus_8"]
    assert_in_both(formal, "Mairie de Brume", "8 points", "R2192-31", "D2192-35",
                   money(owed.interest_minor, "fr"), money(4000, "fr"),
                   money(owed.total_minor, "fr"))
    assert "10 points" not in parts(formal)[0]
