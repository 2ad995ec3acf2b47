"""A project before its work: created by the provider, accepted by the client (terms, saved
card, deposit charged on-session), and its plan edited (add, edit, cancel a milestone).

Before acceptance the deposit split follows every edit of the plan; from acceptance on it is
frozen (the deposit is charged), so a milestone added later has no credit.
"""

from __future__ import annotations

from datetime import date, datetime

from skod.accounts.clients import client_for
from skod.accounts.models import Provider
from skod.core.clock import local_date
from skod.core.errors import Conflict, Invalid
from skod.extensions import db
from skod.payments import cards, connect, saved_cards
from skod.payments import services as pay
from skod.payments.cards import StripeUnavailable
from skod.payments.models import DEPOSIT, Payment
from skod.projects import notify
from skod.projects import policy as pp
from skod.projects import sepa_debits as sepa
from skod.projects.models import PROJECT_STATES, Milestone, Project
from skod.projects.settlement import lock_project, start
from skod.stripe_gateway import GatewayError


def ref(project: Project) -> str:
    return f"project:{project.id}"




def _check_dates(milestones: list[dict], today: date) -> None:
    late = {str(i): {"expected_on": ["must not be in the past"]}
            for i, m in enumerate(milestones) if m["expected_on"] < today}
    if late:
        raise Invalid("an expected date is in the past", {"milestones": late})


def split_deposit(project: Project) -> None:
    """Credit the deposit to the live milestones, from the last one backwards."""
    live = sorted(project.live_milestones(), key=lambda m: m.position)
    _, credits = pp.deposit_split([m.amount_minor for m in live], project.deposit_percent)
    for milestone, credit in zip(live, credits, strict=True):
        milestone.deposit_credit_minor = credit
    for milestone in project.milestones:
        if milestone.status == "cancelled":
            milestone.deposit_credit_minor = 0


def create_project(provider_id: int, data: dict, now: datetime) -> Project:
    """The project, its milestones and the client's card step; the client is e-mailed."""
    provider = db.session.get(Provider, provider_id)
    _check_dates(data["milestones"], local_date(now, provider.timezone))
    connect.require_payments(provider)
    project = Project(
        provider_id=provider_id, client=client_for(provider_id, data["client"]),
        title=data["title"].strip(),
        description=data.get("description"), currency=data["currency"],
        deposit_percent=data.get("deposit_percent") or 0, approval=data["approval"],
        status="sent", created_at=now)
    for position, spec in enumerate(data["milestones"], start=1):
        project.milestones.append(Milestone(
            position=position, title=spec["title"].strip(), description=spec.get("description"),
            amount_minor=spec["amount_minor"], expected_on=spec["expected_on"],
            status="pending", created_at=now))
    split_deposit(project)
    db.session.add(project)
    db.session.flush()
    try:
        cards.open_setup(project, project.client, ref(project))
    except GatewayError as err:
        db.session.rollback()  # nothing is kept: the provider simply sends it again
        raise StripeUnavailable("the payment provider could not be reached") from err
    db.session.commit()
    notify.project_sent(project)
    return project


def accept(project_id: int, payment_method: str, now: datetime, *, saved: bool = False) -> dict:
    """The client accepts the terms and saves the card; the deposit is charged on-session.
    `saved`: a card the client saved with this provider before, unlocked by its code."""
    project = lock_project(project_id)
    deposit = project.deposit_payment()
    if project.status == "deposit_pending" and deposit is not None:
        return _deposit_outcome(project, deposit, now)
    if project.status != "sent":
        raise Conflict(f"the project is {project.status}", code="invalid_state")
    connect.require_payments(project.provider)
    pm = saved_cards.use_saved(project, project.client, payment_method) if saved else \
        cards.confirmed_card(project, project.client, ref(project), payment_method)
    if pm is None:
        return {"status": "requires_action", "client_secret": project.setup_client_secret,
                "intent": "setup"}
    amount = sum(m.deposit_credit_minor for m in project.live_milestones())
    if amount == 0:
        return _accepted(project, now)
    attempt = sum(1 for p in project.payments if p.purpose == DEPOSIT) + 1
    payment = pay.new_payment(
        provider_id=project.provider_id, client_id=project.client_id, project_id=project.id,
        purpose=DEPOSIT, amount=amount, currency=project.currency, off_session=False,
        key=f"deposit:project:{project.id}:{attempt}", payment_method=pm)
    project_id, payment_id = project.id, payment.id
    db.session.commit()  # key stored before the call
    payment = pay.lock(payment_id)
    if payment.status == "created":
        pay.send_create(payment, customer=cards.customer_of(project, project.client), manual=False)
    db.session.commit()
    return _deposit_outcome(lock_project(project_id), pay.lock(payment_id), now)


def accept_with_mandate(project_id: int, now: datetime) -> dict:
    """The client accepts with a SEPA Direct Debit mandate signed on the page: no hold, so the
    deposit is debited now (at the bank for a few days) and the first milestone starts, debited
    in turn. A debit refused at once leaves the project unaccepted."""
    project = lock_project(project_id)
    if project.status != "sent":
        raise Conflict(f"the project is {project.status}", code="invalid_state")
    connect.require_payments(project.provider)
    sepa.signed_mandate(project)
    amount = sum(m.deposit_credit_minor for m in project.live_milestones())
    if amount == 0:
        return _accepted(project, now)
    attempt = sum(1 for p in project.payments if p.purpose == DEPOSIT) + 1
    payment = sepa.new_debit(pay.new_payment(
        provider_id=project.provider_id, client_id=project.client_id, project_id=project.id,
        purpose=DEPOSIT, amount=amount, currency=project.currency, off_session=True,
        key=f"deposit:project:{project.id}:{attempt}",
        payment_method=project.stripe_payment_method_id))
    payment_id = payment.id
    db.session.commit()  # the mandate and the key stored before the call
    sepa.send_debit(payment_id, now)
    deposit = db.session.get(Payment, payment_id)
    if deposit.status == "failed":
        return {"status": "failed", "error": {"code": deposit.last_error_code,
                                              "kind": deposit.last_error_kind}}
    return _accepted(lock_project(project_id), now)


def _deposit_outcome(project: Project, deposit, now: datetime) -> dict:  # noqa: ANN001
    if deposit.status == "captured":
        return _accepted(project, now)
    if deposit.status == "requires_action":
        PROJECT_STATES.move_if(project, "deposit_pending")
        db.session.commit()
        return {"status": "requires_action", "client_secret": pay.client_secret_of(deposit),
                "intent": "payment"}
    if project.status == "deposit_pending" and deposit.status == "failed":
        PROJECT_STATES.move(project, "sent")  # the client may try another card
    db.session.commit()
    if deposit.status == "created":
        return {"status": "pending"}
    return {"status": "failed", "error": {"code": deposit.last_error_code,
                                          "kind": deposit.last_error_kind}}




def _accepted(project: Project, now: datetime) -> dict:
    """Accepted: the first milestone starts at once (the client's yes is the go-ahead)."""
    PROJECT_STATES.move(project, "accepted")
    project.accepted_at = now
    project_id = project.id
    first = min((m for m in project.milestones if m.status == "pending"),
                key=lambda m: m.position, default=None)
    first_id = first.id if first else None
    db.session.commit()
    notify.project_accepted(db.session.get(Project, project_id))
    if first_id is not None:
        start(first_id, now)
    return {"status": "accepted"}


def confirm_deposit(project_id: int, now: datetime) -> dict:
    """After 3-D Secure on the page: read the deposit back from Stripe."""
    project = lock_project(project_id)
    deposit = project.deposit_payment()
    if project.status != "deposit_pending" or deposit is None:
        db.session.commit()
        return {"status": project.status}
    if deposit.status == "requires_action" and deposit.stripe_payment_intent_id:
        pay.apply_intent(deposit, pay.read_intent(deposit), now)
    return _deposit_outcome(project, deposit, now)


def card_setup(project_id: int) -> dict:
    """A SetupIntent secret for the card form (the open one, or a new one)."""
    project = lock_project(project_id)
    if project.status in ("cancelled", "completed"):
        raise Conflict(f"the project is {project.status}", code="invalid_state")
    return cards.fresh_setup(project, project.client, ref(project))


def add_milestone(project_id: int, spec: dict, now: datetime) -> Milestone:
    project = lock_project(project_id)
    if project.status not in ("sent", "accepted"):
        raise Conflict(f"the project is {project.status}", code="invalid_state")
    _check_dates([spec], local_date(now, project.provider.timezone))
    milestone = Milestone(
        position=max((m.position for m in project.milestones), default=0) + 1,
        title=spec["title"].strip(), description=spec.get("description"),
        amount_minor=spec["amount_minor"], expected_on=spec["expected_on"], status="pending",
        created_at=now)
    project.milestones.append(milestone)
    if project.status == "sent":
        split_deposit(project)
    db.session.commit()
    return milestone
