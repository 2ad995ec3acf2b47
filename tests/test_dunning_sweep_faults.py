"""The sweep isolates every case (issue 19, point 1), through `skod tick --at` against
PostgreSQL: a client's name holding CR/LF (written straight into the database, as data stored
before the input checks would be) stops no other provider's step; a step whose send fails is
kept, counted, tried again with backoff and shown to its provider; a claim left unsent by a
dead worker is sent by a later tick, once; step N+1 never goes while step N is unsent."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest

from tests import factories as f
from tests.dunning_support import working_instant
from tests.sweep_fault_support import claims_of, debt_at_step, events_of

BAD_NAME = "Eve\r\nBcc: x@evil.test"
#: a client whose e-mail cannot be built: the step fails before it is sent, each time
BAD_ADDRESS = "mallory@example.test"


@pytest.fixture(autouse=True)
def _unbuildable(monkeypatch):
    """mail.build refuses BAD_ADDRESS as the standard library refused a header with a line
    break before the builder folded them: any failure of one case's send (template, PDF, SMTP)
    must be isolated the same way."""
    from skod.notifications import mail

    real = mail.build

    def build(*, to: str, **kwargs):  # noqa: ANN202
        if to == BAD_ADDRESS:
            raise ValueError("Header values may not contain linefeed or carriage return "
                             "characters")
        return real(to=to, **kwargs)

    monkeypatch.setattr(mail, "build", build)


def test_a_bad_client_stops_no_other_providers_step(app, client, outbox, now):
    at = working_instant(now)
    good = debt_at_step(app, client, email="good@example.test", name="Gina Good",
                        last_step=2, now=at)
    named = debt_at_step(app, client, email="eve@example.test", name=BAD_NAME, last_step=2,
                         now=at)
    broken = debt_at_step(app, client, email=BAD_ADDRESS, name="Mallory", last_step=2, now=at)
    outbox.clear()
    f.tick(app, at)  # raised ValueError (mail.build) before, leaving the batch's claims unsent
    # the two other providers' mises en demeure went at that tick
    assert claims_of(app, good["receivable_id"])[-1] == (3, "sent", 0)
    assert claims_of(app, named["receivable_id"])[-1] == (3, "sent", 0)
    assert [m["To"] for m in outbox.to("good@example.test")]
    # the case whose e-mail cannot be built keeps its claim, counted, on its timeline
    assert claims_of(app, broken["receivable_id"])[-1] == (3, "claimed", 1)
    [failure] = events_of(app, broken["receivable_id"], "step_failed")
    assert failure["step"] == 3 and failure["reason"].startswith("mail_header")


def test_a_failing_step_is_retried_with_backoff_then_shown(app, client, outbox, now):
    from skod.dunning.debts import sweep_faults

    at = working_instant(now)
    broken = debt_at_step(app, client, email=BAD_ADDRESS, name="Mallory", last_step=2, now=at)
    rid = broken["receivable_id"]
    f.tick(app, at)
    assert claims_of(app, rid)[-1] == (3, "claimed", 1)
    f.tick(app, at + timedelta(minutes=2))  # inside the first backoff: not tried
    assert claims_of(app, rid)[-1] == (3, "claimed", 1)
    f.tick(app, at + timedelta(minutes=6))
    assert claims_of(app, rid)[-1] == (3, "claimed", 2)
    f.tick(app, at + timedelta(minutes=40))
    assert claims_of(app, rid)[-1] == (3, "claimed", 3)
    with app.app_context():
        assert list(sweep_faults.stuck(broken["provider"]["id"])) == [rid]
    # weeks later, past J+45: step 4 is never taken while step 3 is unsent
    f.tick(app, working_instant(at + timedelta(days=20)))
    assert [step for step, _status, _n in claims_of(app, rid)] == [0, 1, 2, 3]
    assert claims_of(app, rid)[-1][1:] == ("claimed", 4)
    # the provider sees it, with the reason in words: board, case page, dashboard
    prov = broken["provider"]
    resp = client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    assert resp.status_code in (302, 303)
    board = _page(client, "/dashboard/receivables?lang=en")
    assert "A reminder could not be sent: the client's name or e-mail address" in board
    page = _page(client, f"/dashboard/receivables/{rid}?lang=fr")
    assert "Une relance n'a pas pu partir\u202f: le nom ou l'adresse e-mail" in page
    assert "Formal notice n'a pas pu partir" not in page  # the timeline line is in French
    assert "n'a pas pu partir (tentative 3)" in page
    home = _page(client, "/dashboard?lang=en")
    assert "1 reminder could not be sent" in home


def _page(client, path: str) -> str:
    resp = client.get(path)
    assert resp.status_code == 200, path
    return html.unescape(resp.get_data(as_text=True))


def test_a_claim_left_unsent_is_sent_by_a_later_tick_once(app, client, outbox, now):
    """A worker killed between the claim and the send: the claim stays; a tick before the
    stale delay leaves it (the worker may still be sending), a later one sends it, once."""
    from skod.dunning.debts import sweep
    from skod.dunning.debts.sweep_faults import STALE

    at = working_instant(now)
    debt = debt_at_step(app, client, email="kim@example.test", name="Kim", last_step=0, now=at)
    rid = debt["receivable_id"]
    with app.app_context():
        claimed = sweep.claim_batch(at, 50)  # claimed and committed; the "worker" dies here
    assert [ids for ids in claimed.emails.values()] == [[rid]]
    assert claims_of(app, rid)[-1] == (1, "claimed", 0)
    outbox.clear()
    f.tick(app, at + STALE / 2)
    assert claims_of(app, rid)[-1] == (1, "claimed", 0) and not outbox.to("kim@example.test")
    f.tick(app, at + STALE + timedelta(minutes=1))
    assert claims_of(app, rid) == [(0, "sent", 0), (1, "sent", 0)]
    assert len(outbox.to("kim@example.test")) == 1
    f.tick(app, at + STALE + timedelta(minutes=20))
    assert len(outbox.to("kim@example.test")) == 1


@pytest.mark.parametrize(("failures", "claimed_ago", "status", "held", "woken"), [
    (0, timedelta(minutes=16), "open", False, True),     # a dead worker's claim, stale
    (0, timedelta(minutes=10), "open", False, False),    # may still be sending
    (1, timedelta(minutes=6), "open", False, True),      # first backoff (5 min) passed
    (2, timedelta(minutes=20), "open", False, False),    # second backoff is 30 min
    (4, timedelta(hours=7), "open", False, True),        # every 6 h from then on
    (0, timedelta(hours=2), "paused", False, False),     # a paused case waits its resume
    (0, timedelta(hours=2), "open", True, False),        # a draft held for approval waits
])
def test_wake_stale_makes_due_only_claims_whose_wait_passed(app, client, now, failures,
                                                            claimed_ago, status, held, woken):
    """Once per sweep, the claimed and unsent steps whose wait passed make their cases due,
    however far their next instant was (the claim writes no look-back of its own)."""
    from skod.dunning.debts import sweep_faults
    from skod.dunning.debts.models import DunningStep, Receivable
    from skod.extensions import db

    at = working_instant(now)
    rid = debt_at_step(app, client, email="kim@example.test", name="Kim", last_step=0,
                       now=at)["receivable_id"]
    far = at + timedelta(days=9)
    with app.app_context():
        db.session.add(DunningStep(receivable_id=rid, step=1, status="claimed",
                                   claimed_at=at - claimed_ago, failures=failures,
                                   notice_id=None))
        case = db.session.get(Receivable, rid)
        case.status, case.next_action_at, case.last_step = status, far, 1
        db.session.commit()
        if held:  # the FK needs a real draft: point the row at one made for the case
            _hold_for_approval(rid, at)
        count = sweep_faults.wake_stale(at)
        db.session.expire_all()
        assert (count, db.session.get(Receivable, rid).next_action_at) == (
            (1, at) if woken else (0, far))


def _hold_for_approval(receivable_id: int, at) -> None:  # noqa: ANN001
    from skod.dunning.debts.document_models import MiseEnDemeure
    from skod.dunning.debts.models import DunningStep, Receivable
    from skod.extensions import db

    case = db.session.get(Receivable, receivable_id)
    notice = MiseEnDemeure(provider_id=case.provider_id, client_id=case.client_id,
                          client_email="kim@example.test", currency="EUR", status="draft",
                          created_at=at)
    db.session.add(notice)
    db.session.flush()
    db.session.execute(db.update(DunningStep).where(
        DunningStep.receivable_id == receivable_id, DunningStep.step == 1)
        .values(notice_id=notice.id))
    db.session.commit()
