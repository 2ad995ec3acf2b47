"""API of projects: create, accept (card + deposit), read; milestones: add, edit, start,
complete, approve, contest, resolve, cancel, authorize after an off-session failure."""

from __future__ import annotations

from flask_smorest import Blueprint
from sqlalchemy import select

from skod.accounts.auth import access, reach, require_provider
from skod.core.clock import utcnow
from skod.core.errors import Forbidden, NotFound, PaymentProblem
from skod.core.signing import make_token
from skod.extensions import db
from skod.payments import saved_card_api
from skod.projects import client_pay, notify, sepa_debits, settlement, setup
from skod.projects import milestones as ms
from skod.projects.models import Milestone, Project
from skod.projects.schemas import (
    AuthorizeSchema,
    CardResultSchema,
    CompleteSchema,
    ContestSchema,
    MilestoneInSchema,
    MilestonePatchSchema,
    MilestoneSchema,
    PaymentMethodSchema,
    ProjectCreatedSchema,
    ProjectCreateSchema,
    ProjectSchema,
    payment_block,
)

blp = Blueprint("projects_api", __name__, description="Projects paid by milestone")


def _project(project_id: int, role: str | None = None) -> Project:
    """The project if the caller is its provider or holds its client token; else 404/403."""
    return reach(Project, "project", project_id, role)[0]


def _milestone(milestone_id: int, role: str | None = None) -> Milestone:
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None:
        raise NotFound("milestone not found")
    project = milestone.project
    _check(access("project", project.id, project.provider_id), role)
    return milestone


def _check(caller: str, role: str | None) -> None:
    if role is not None and caller != role:
        raise Forbidden(f"only the {role} can do this")


def _card_result(result: dict) -> dict:
    if result["status"] == "failed":
        # The attempt is recorded on its payment row; the client may try another card.
        raise PaymentProblem("the card was declined",
                             {"payment_method": [result["error"]["code"]]},
                             code=result["error"]["kind"] or "card_declined")
    return result


@blp.post("/projects")
@blp.arguments(ProjectCreateSchema)
@blp.response(201, ProjectCreatedSchema)
def create_project(data: dict):
    provider = require_provider()
    project = setup.create_project(provider.id, data, utcnow())
    return {"id": project.id, "status": project.status,
            "client_token": make_token("project", project.id),
            "accept_url": notify.client_url(project), "payment": payment_block(project)}


@blp.get("/projects")
@blp.response(200, ProjectSchema(many=True))
def list_projects():
    provider = require_provider()
    return db.session.scalars(select(Project).where(Project.provider_id == provider.id)
                              .order_by(Project.id.desc()))


@blp.get("/projects/<int:project_id>")
@blp.response(200, ProjectSchema)
def get_project(project_id: int):
    return _project(project_id)


@blp.post("/projects/<int:project_id>/payment-method")
@blp.arguments(PaymentMethodSchema)
@blp.response(200, CardResultSchema)
def accept(data: dict, project_id: int):
    """The client accepts the terms with the card; the deposit is charged on-session."""
    _project(project_id, "client")
    return _card_result(setup.accept(project_id, data["payment_method"], utcnow()))


saved_card_api.add_routes(
    blp, Project, "project", payable=lambda p: p.status == "sent",
    pay=lambda project_id, pm, now: _card_result(setup.accept(project_id, pm, now, saved=True)),
    result_schema=CardResultSchema)


@blp.post("/projects/<int:project_id>/sepa-setup")
@blp.response(200, CardResultSchema)
def sepa_setup(project_id: int):
    """The SetupIntent the page confirms with the IBAN Element, beside the mandate's text."""
    _project(project_id, "client")
    return sepa_debits.mandate_setup(project_id)


@blp.post("/projects/<int:project_id>/sepa-mandate")
@blp.response(200, CardResultSchema)
def accept_with_mandate(project_id: int):
    """The client accepts with the SEPA mandate just signed: no hold; the deposit and each
    milestone are debited when due (processing at the bank for a few days)."""
    _project(project_id, "client")
    result = setup.accept_with_mandate(project_id, utcnow())
    if result["status"] == "failed":
        raise PaymentProblem("the direct debit was refused",
                             {"iban": [result["error"]["code"]]}, code="debit_failed")
    return result


@blp.post("/projects/<int:project_id>/card-setup")
@blp.response(200, CardResultSchema)
def card_setup(project_id: int):
    _project(project_id, "client")
    return setup.card_setup(project_id)


@blp.post("/projects/<int:project_id>/confirm")
@blp.response(200, CardResultSchema)
def confirm_deposit(project_id: int):
    """After 3-D Secure of the deposit on the page."""
    _project(project_id, "client")
    return _card_result(setup.confirm_deposit(project_id, utcnow()))


@blp.post("/projects/<int:project_id>/milestones")
@blp.arguments(MilestoneInSchema)
@blp.response(201, MilestoneSchema)
def add_milestone(data: dict, project_id: int):
    _project(project_id, "provider")
    return setup.add_milestone(project_id, data, utcnow())


@blp.patch("/milestones/<int:milestone_id>")
@blp.arguments(MilestonePatchSchema)
@blp.response(200, MilestoneSchema)
def edit_milestone(data: dict, milestone_id: int):
    _milestone(milestone_id, "provider")
    return ms.edit(milestone_id, data, utcnow())


@blp.post("/milestones/<int:milestone_id>/start")
@blp.response(200, MilestoneSchema)
def start(milestone_id: int):
    _milestone(milestone_id, "provider")
    return settlement.start(milestone_id, utcnow())


@blp.post("/milestones/<int:milestone_id>/complete")
@blp.arguments(CompleteSchema)
@blp.response(200, MilestoneSchema)
def complete(data: dict, milestone_id: int):
    _milestone(milestone_id, "provider")
    return ms.complete(milestone_id, data.get("note"), utcnow())


@blp.post("/milestones/<int:milestone_id>/approve")
@blp.response(200, MilestoneSchema)
def approve(milestone_id: int):
    _milestone(milestone_id, "client")
    return ms.approve(milestone_id, utcnow())


@blp.post("/milestones/<int:milestone_id>/contest")
@blp.arguments(ContestSchema)
@blp.response(200, MilestoneSchema)
def contest(data: dict, milestone_id: int):
    _milestone(milestone_id, "client")
    return ms.contest(milestone_id, data["reason"], utcnow())


@blp.post("/milestones/<int:milestone_id>/resolve")
@blp.response(200, MilestoneSchema)
def resolve(milestone_id: int):
    _milestone(milestone_id, "provider")
    return ms.resolve(milestone_id, utcnow())


@blp.post("/milestones/<int:milestone_id>/cancel")
@blp.response(200, MilestoneSchema)
def cancel(milestone_id: int):
    _milestone(milestone_id, "provider")
    return ms.cancel(milestone_id, utcnow())


@blp.post("/milestones/<int:milestone_id>/authorize")
@blp.arguments(AuthorizeSchema)
@blp.response(200, CardResultSchema)
def authorize(data: dict, milestone_id: int):
    """The client's link after an off-session failure: returns what the page must confirm."""
    _milestone(milestone_id, "client")
    return _card_result(client_pay.authorize(milestone_id, data.get("payment_method"),
                                             utcnow()))


@blp.post("/milestones/<int:milestone_id>/confirm")
@blp.response(200, CardResultSchema)
def confirm(milestone_id: int):
    """After 3-D Secure on the page: read the payment back."""
    _milestone(milestone_id, "client")
    return _card_result(client_pay.confirm(milestone_id, utcnow()))
