"""Periodic jobs of projects: auto-approve at the deadline, renew holds about to lapse, place
holds that became due.

Each job selects candidate ids, then runs one service per milestone; the service locks the row
and checks the state again, so two workers (or beat and a manual `tick`) never act twice.
Auto-approval runs first: an approval deadline is never later than the hold's renewal instant,
so a delivered milestone is captured before its hold would be renewed.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import exists, select

from skod.core.isolation import isolated
from skod.extensions import db
from skod.payments.models import Payment
from skod.projects import milestones as ms
from skod.projects import policy as pp
from skod.projects.models import OPEN, Milestone
from skod.projects.settlement import lock_milestone, place_hold, project_policy

log = logging.getLogger(__name__)


def _ids(stmt) -> list[int]:  # noqa: ANN001
    ids = list(db.session.scalars(stmt))
    db.session.commit()
    return ids


def auto_approve(now: datetime) -> int:
    """Silence is approval: capture milestones whose approval deadline has passed."""
    ids = _ids(select(Milestone.id).where(
        Milestone.status == "awaiting_approval", Milestone.approved_at.is_(None),
        Milestone.approval_deadline <= now))
    done = 0
    for milestone_id in ids:
        with isolated("auto_approve", milestone_id):
            done += ms.approve(milestone_id, now, auto=True).approved_at is not None
    return done


def renew_holds(now: datetime) -> int:
    """A hold about to pass capture_before while its milestone is open: cancel + new hold."""
    p = project_policy()
    rows = db.session.execute(
        select(Milestone.id, Payment.capture_before)
        .join(Payment, Payment.milestone_id == Milestone.id)
        .where(Milestone.status.in_(OPEN), Payment.status == "held",
               Payment.capture_before <= now + p.safety_margin)).all()
    db.session.commit()
    done = 0
    for milestone_id, capture_before in rows:
        with isolated("renew_holds", milestone_id):
            if not pp.must_renew(p, now, capture_before):
                continue
            milestone = lock_milestone(milestone_id)
            hold = milestone.live_hold()
            if hold is None or hold.status != "held" or not pp.must_renew(p, now,
                                                                          hold.capture_before):
                db.session.commit()
                continue
            db.session.commit()
            place_hold(milestone_id, now, renew=True)
            done += 1
    return done


def place_due_holds(now: datetime) -> int:
    """Started milestones whose hold time came (HOLD_LEAD before the due date)."""
    live = exists().where(Payment.milestone_id == Milestone.id,
                          Payment.status.in_(("created", "held", "capture_pending",
                                              "requires_action")))
    ids = _ids(select(Milestone.id).where(
        Milestone.status == "in_progress", Milestone.completed_at.is_(None),
        Milestone.hold_due_at <= now, ~live))
    for milestone_id in ids:
        with isolated("place_due_holds", milestone_id):
            place_hold(milestone_id, now)
    return len(ids)


JOBS = (auto_approve, renew_holds, place_due_holds)


def run_all(now: datetime) -> dict[str, int]:
    """Every periodic job of projects, once, as of `now` (beat and `flask skod tick`)."""
    out = {}
    for job in JOBS:
        out[f"projects_{job.__name__}"] = -1  # a job that raised (logged; the others go on)
        with isolated(job.__name__, "(the whole job)"):
            out[f"projects_{job.__name__}"] = job(now)
        log.info("projects %s at %s: %s", job.__name__, now.isoformat(),
                 out[f"projects_{job.__name__}"])
    return out
