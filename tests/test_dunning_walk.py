"""A debt walked the whole ladder with `skod tick --at`, J+0 to J+45: a business client's
refused milestone charge gets the notice, the two reminders, the mise en demeure (its deadline
printed in full), the provider records the registered letter, and at J+45 the recourse file's
ZIP holds every listed document, the summary's figures being the penalty engine's. A consumer's
debt walked the same way: no 40 EUR anywhere, interest from the posting date, the court by the
amount. A debt paid between J+30 and J+45: no file, the case and the provider's task closed.
"""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from skod.core import formats
from skod.dunning.debts import store as recv
from skod.dunning.debts.models import Receivable
from skod.dunning.mise_en_demeure import services as mise_en_demeure
from skod.dunning.owed import rates
from skod.dunning.recourse import archive as recourse_archive
from skod.dunning.recourse import services as recourse
from skod.dunning.rules.ladder import deadline_after
from skod.dunning.rules.penalties import compute
from skod.extensions import db
from tests import factories as f
from tests.dunning_support import paris_at
from tests.formal_notice_support import (
    flat,
    notice_of,
    notice_pdf,
    paris_day,
    pdf_words,
    set_client_identity,
    walk_to_notice,
)
from tests.support.dunning import at_offset, debt_facts, declined_debts, mark_transfer, money

TRACKING = "1A 234 567 8901 2"


def _post_letter(app, receivable_id: int, on) -> dict:  # noqa: ANN001 - the posting day
    """The provider records the registered letter (the service, with the walk's clock)."""
    notice = notice_of(app, receivable_id)
    with app.app_context():
        provider_id = db.session.get(Receivable, receivable_id).provider_id
        mise_en_demeure.record_posting(notice["id"], provider_id, TRACKING, on,
                                     paris_at(on, 17))
    return notice_of(app, receivable_id)


def _recourse_zip(app, receivable_id: int, at) -> tuple[zipfile.ZipFile, object]:  # noqa: ANN001
    with app.app_context():
        file = recourse.of_receivable(receivable_id)
        assert file is not None and file.status == "open"
        _name, content = recourse_archive.build(file, at)
        route = file.route
    return zipfile.ZipFile(io.BytesIO(content)), route


def _engine(app, debt: dict, until, posted_on=None):  # noqa: ANN001, ANN202
    with app.app_context():
        return compute(amount_minor=debt["balance"], currency="EUR", due=debt["due"],
                       until=until, client_kind=debt["kind"], table=rates.table(),
                       mise_en_demeure_on=posted_on)


def _walk_to_recourse(app, client, card_pm, stripe_emulator, outbox, *, kind: str,
                      amount: int = 7000):
    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator, kind=kind,
                                          milestones=(("Build", amount),))
    if kind == "business":
        set_client_identity(app, rid)
    outbox.clear()
    t3 = walk_to_notice(app, rid)
    posted = _post_letter(app, rid, paris_day(t3))
    t4 = at_offset(debt_facts(app, rid)["due"], 45, t3)
    f.tick(app, t4)
    return prov, project, rid, t3, t4, posted


def test_a_business_debt_walked_to_its_recourse_file(app, client, card_pm, stripe_emulator,
                                                     outbox):
    prov, project, rid, t3, t4, posted = _walk_to_recourse(
        app, client, card_pm, stripe_emulator, outbox, kind="business")
    debt = debt_facts(app, rid)
    to_client = outbox.to(project["email"])
    assert len(to_client) == 4  # notice, J+7, J+15, mise en demeure; nothing at J+45
    letter = pdf_words(notice_pdf(to_client[-1]))
    deadline = deadline_after(paris_day(t3), 8)
    assert posted["deadline"] == deadline
    assert flat(formats.day(deadline, "fr", "full")) in letter or flat(
        formats.day(deadline, "fr", "long")) in letter
    assert "MISE EN DEMEURE" in letter and flat(money(4000, "fr")) in letter
    archive, route = _recourse_zip(app, rid, t4)
    names = set(archive.namelist())
    notice = f"formal-notice/formal-notice-{posted['id']}"
    assert {"summary.pdf", "timeline.pdf", f"{notice}.pdf", f"{notice}-tracking.txt"} <= names
    assert sum(n.startswith("invoices/") for n in names) == 1
    steps = sorted(n.split("-step-")[1][0] for n in names if n.startswith("reminders/"))
    assert steps == ["0", "1", "2", "3"]  # every e-mail the client got, as sent
    assert archive.read(f"{notice}.pdf") == notice_pdf(to_client[-1])
    assert TRACKING in archive.read(f"{notice}-tracking.txt").decode()
    summary = pdf_words(archive.read("summary.pdf"))
    figures = _engine(app, debt, paris_day(t4))
    assert figures.interest_minor > 0 and figures.indemnity_minor == 4000
    for amount in (figures.principal_minor, figures.interest_minor, figures.indemnity_minor,
                   figures.total_minor):
        assert flat(money(amount, "fr")) in summary, (money(amount, "fr"), summary)
    assert route == "small_claims" and all(name in summary for name in names - {"summary.pdf"})
    _one_open_file_per_client(app, rid, t4)


def _one_open_file_per_client(app, rid: int, at) -> None:  # noqa: ANN001
    """A second sweep reaching the client finds the open file; a second open file cannot be."""
    from skod.dunning.debts.document_models import RecourseFile

    with app.app_context():
        debt = db.session.get(Receivable, rid)
        first = recourse.of_receivable(rid)
        assert recourse._open_file(debt, at).id == first.id
        db.session.rollback()
        db.session.add(RecourseFile(provider_id=first.provider_id, client_id=first.client_id,
                                    client_email=first.client_email, created_at=at,
                                    status="open", route="mediation",
                                    limitation_on=first.limitation_on))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_a_consumer_debt_has_no_fee_and_interest_from_the_posting(app, client, card_pm,
                                                                   stripe_emulator, outbox):
    _prov, project, rid, t3, t4, posted = _walk_to_recourse(
        app, client, card_pm, stripe_emulator, outbox, kind="consumer", amount=620_000)
    debt = debt_facts(app, rid)
    for mail in outbox.to(project["email"]):
        assert "40,00" not in mail.get_body(preferencelist=("plain",)).get_content()
    assert "40,00" not in pdf_words(notice_pdf(outbox.to(project["email"])[-1]))
    archive, route = _recourse_zip(app, rid, t4)
    assert route == "injonction_judiciaire"  # more than 5,000 EUR: not the small claims
    summary = pdf_words(archive.read("summary.pdf"))
    figures = _engine(app, debt, paris_day(t4), posted["posted_on"])
    assert figures.indemnity_minor == 0 and figures.interest_minor > 0
    assert figures.segments[0].start == posted["posted_on"] + timedelta(days=1)
    assert flat(money(figures.interest_minor, "fr")) in summary and "40,00" not in summary
    none_yet = _engine(app, debt, paris_day(t4), None)
    assert none_yet.interest_minor == 0  # without the posting, a consumer owes no interest


def test_paid_between_the_letter_and_j45_closes_everything(app, client, card_pm,
                                                           stripe_emulator, outbox):
    prov, _project, [rid] = declined_debts(app, client, card_pm, stripe_emulator)
    t3 = walk_to_notice(app, rid)
    assert notice_of(app, rid)["mail_task"] == "open"
    # all that is owed (the balance and the penalties the letters claimed): paying the balance
    # alone leaves the case open for the penalties (test_dunning_owed.py)
    mark_transfer(app, prov, rid, None, t3)
    f.tick(app, at_offset(debt_facts(app, rid)["due"], 45, t3))
    with app.app_context():
        assert db.session.get(Receivable, rid).status == "paid"
        assert recourse.of_receivable(rid) is None
        assert recv.by_source(db.session.get(Receivable, rid).source).last_step == 3
    assert notice_of(app, rid)["mail_task"] == "closed"
