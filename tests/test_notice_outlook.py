"""What the dunning e-mails promise (issue 23, point 7). The step-0 notice never contradicts
itself about retries: with card retries planned it gives their days and lets the client pay
now; without, it asks for another means and announces no retry (one rule, card_outlook.py,
checked as a table and in the e-mail as sent). The mise en demeure e-mail says the bank details
are in the letter only when the letter prints them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from skod.payments.decline_labels import WORDS
from tests.formal_notice_support import notice_pdf, pdf_words, walk_to_notice
from tests.support.dunning import (
    IBAN,
    assert_in_both,
    debt_facts,
    declined_debts,
    parts,
    retry_days_left,
    walk,
    words_only,
)

RETRIES = (datetime(2027, 3, 2, 9, tzinfo=UTC), datetime(2027, 3, 4, 9, tzinfo=UTC),
           datetime(2027, 3, 6, 9, tzinfo=UTC))
DAYS = "March 2, 2027, March 4, 2027, and March 6, 2027"
AGAIN, NOT_AGAIN = "will be tried again on", "will not be tried again"
#: sentences that would contradict announced retries ("use another card", "later")
ADVICE = ("Please use another card", "can be tried again", "tried again later",
          "enter the card again", "contact your bank")


def outlook(app, code, kind, retries=(), transfer=False, locale="en"):
    from flask_babel import force_locale

    from skod.dunning.reminders import card_outlook

    with app.test_request_context(), force_locale(locale):
        told = card_outlook.outlook(code=code, kind=kind, retries=retries, transfer=transfer,
                                    timezone="Europe/Paris", locale=locale)
        return told.reason, " ".join(told.next_steps)


@pytest.mark.parametrize(("code", "kind", "retries", "transfer", "reason", "said", "unsaid"), [
    # soft declines with retries planned: the days, pay now with this card or another
    ("generic_decline", "soft_decline", RETRIES, False, "Your bank declined the payment.",
     [AGAIN, DAYS, "this card or another one"], [NOT_AGAIN, "bank transfer", *ADVICE]),
    ("do_not_honor", "soft_decline", RETRIES, True, "Your bank declined the payment.",
     [AGAIN, DAYS, "or by bank transfer (the details are below)"], [NOT_AGAIN, *ADVICE]),
    ("insufficient_funds", "soft_decline", RETRIES, False, "insufficient funds",
     [AGAIN, DAYS], [NOT_AGAIN, *ADVICE]),
    ("try_again_later", "soft_decline", RETRIES, False, "could not answer",
     [AGAIN, DAYS], [NOT_AGAIN, *ADVICE]),
    ("processing_error", "soft_decline", RETRIES, False, "An error occurred",
     [AGAIN, DAYS], [NOT_AGAIN, *ADVICE]),
    ("hold_expired", "expired", RETRIES, False, "expired before it could be collected",
     [AGAIN, DAYS], [NOT_AGAIN]),
    # the card cannot be used again: another means, no retry, no date
    ("stolen_card", "hard_decline", (), False, "Your bank declined the payment.",
     [NOT_AGAIN, "another card"], [AGAIN, "March", "bank transfer", *ADVICE]),
    ("expired_card", "hard_decline", (), True, "The card has expired.",
     [NOT_AGAIN, "another card", "or by bank transfer"], [AGAIN]),
    ("new_account_information_available", "hard_decline", (), False,
     "new details for this card", [NOT_AGAIN, "another card"], [AGAIN, *ADVICE]),
    ("authentication_required", "authentication_required", (), False, "3-D Secure",
     [NOT_AGAIN, "another card"], [AGAIN]),
    ("insufficient_funds", "soft_decline", (), False, "insufficient funds",  # retries spent
     [NOT_AGAIN], [AGAIN]),
    ("InvalidRequestError", "fatal", (), False, "could not be completed with your card",
     [NOT_AGAIN], [AGAIN, "declined"]),
    # not a card to try again: a payment returned after a dispute, an invoice left unpaid
    ("dispute_lost", "dispute", (), True, "after a dispute", [], [AGAIN, NOT_AGAIN]),
    (None, None, (), True, None, [], [AGAIN, NOT_AGAIN]),
])
def test_the_notice_says_one_thing_about_retries(app, code, kind, retries, transfer, reason,
                                                 said, unsaid):
    why, steps = outlook(app, code, kind, retries, transfer)
    assert (why is None) if reason is None else (reason in why), why
    whole = f"{why or ''} {steps}"
    for words in said:
        assert words in steps, steps
    for words in unsaid:
        assert words not in whole, whole
    assert code is None or code not in whole  # in words, never the raw code


@pytest.mark.parametrize("code", [*WORDS, "generic_decline", "lost_card", "call_issuer"])
def test_no_decline_reason_contradicts_the_retry_days(app, code):
    for locale in ("en", "fr"):
        why, steps = outlook(app, code, "soft_decline", RETRIES, locale=locale)
        assert steps and (DAYS in steps if locale == "en" else "2 mars 2027" in steps)
        if locale == "en":
            assert not [a for a in ADVICE if a in why], why
        else:
            assert "autre carte" not in why and "réessay" not in why.lower(), why


def test_a_notice_with_retries_gives_their_days_and_never_another_card(
        app, client, card_pm, stripe_emulator, outbox):
    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator,
                                          decline={"decline_code": "generic_decline"})
    outbox.clear()
    [sent] = walk(app, rid, until_step=0)
    [notice] = outbox.to(project["email"])
    days = retry_days_left(debt_facts(app, rid), sent, "Europe/Paris", "fr")
    # the notice goes the first working morning after the failure: after a holiday weekend
    # (31 December late, 1 January) only the J+5 retry may be left, never none
    assert days
    assert_in_both(notice, "Votre carte sera de nouveau présentée aux dates suivantes",
                   "Votre banque a refusé le paiement.", *days, "avec cette carte ou une autre")
    for part in parts(notice):
        assert "utiliser une autre carte" not in part and "ne sera plus présentée" not in part


def test_a_notice_without_retries_asks_for_another_means(app, client, card_pm,
                                                         stripe_emulator, outbox):
    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator,
                                          decline={"decline_code": "stolen_card"})
    assert debt_facts(app, rid)["next_retry_at"] is None  # a hard decline: never again
    outbox.clear()
    walk(app, rid, until_step=0)
    [notice] = outbox.to(project["email"])
    assert_in_both(notice, "Cette carte ne sera plus présentée", "avec une autre carte",
                   "par virement (les coordonnées bancaires figurent ci-dessous)", IBAN)
    for part in parts(notice):
        assert "de nouveau présentée" not in part and "stolen_card" not in words_only(part)


def test_the_mise_en_demeure_promises_bank_details_only_when_printed(
        app, client, card_pm, stripe_emulator, outbox):
    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator)
    outbox.clear()
    walk_to_notice(app, rid)
    mail = outbox.to(project["email"])[-1]
    assert "MISE EN DEMEURE" in mail["Subject"]
    assert IBAN in pdf_words(notice_pdf(mail))
    assert_in_both(mail, "ou par virement (les coordonnées bancaires figurent dans la lettre)")


def test_the_mise_en_demeure_without_bank_details_gives_the_pay_link_only(
        app, client, card_pm, stripe_emulator, outbox):
    from skod.accounts.models import Provider
    from skod.extensions import db

    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator)
    with app.app_context():  # no IBAN of their own, and no virtual IBAN can be made
        row = db.session.get(Provider, prov["id"])
        row.iban, row.bic, row.charges_enabled = None, None, False
        db.session.commit()
    outbox.clear()
    walk_to_notice(app, rid)
    mail = outbox.to(project["email"])[-1]
    assert "MISE EN DEMEURE" in mail["Subject"]
    letter = pdf_words(notice_pdf(mail))
    assert "IBAN" not in letter and "/pay/" in letter
    assert_in_both(mail, "Vous pouvez payer en ligne avec le lien sécurisé ci-dessous.",
                   f"/pay/{rid}/")
    for part in parts(mail):
        assert "virement" not in part and "coordonnées" not in part, part
    for earlier in outbox.to(project["email"])[:-1]:  # nor did a step e-mail promise them
        assert "virement" not in parts(earlier)[0], parts(earlier)[0]
