"""HTML pages of projects: the provider's list, creation form and project page (actions), and
the client's project page behind its signed link (/pr/<id>/<token>)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import select

from skod.core.clock import utcnow
from skod.core.errors import DomainError
from skod.core.forms import TEXT_ERROR
from skod.core.money import parse_minor
from skod.core.signing import signed_or_404
from skod.core.text import text_problem
from skod.dunning.debts import what_next
from skod.extensions import db
from skod.invoicing import queries
from skod.payments import connect
from skod.projects import milestones as ms
from skod.projects import settlement, setup
from skod.projects.forms import MILESTONE_ROWS, field_errors, form_data
from skod.projects.models import STARTED, Milestone, Project
from skod.projects.schemas import ProjectCreateSchema
from skod.web import confirm, confirm_labels, display, refund_page
from skod.web.blueprint import current_locale
from skod.web.forms import ActionForm, RefundForm

bp = Blueprint("projects_pages", __name__)

STATUS_WORDS = {
    "sent": _l("Waiting for the client"), "deposit_pending": _l("Deposit being authorized"),
    "accepted": _l("Accepted"), "completed": _l("Completed"), "cancelled": _l("Cancelled"),
    "pending": _l("Not started"), "in_progress": _l("In progress"),
    "action_required": _l("Payment to authorize"), "payment_failed": _l("Payment failed"),
    "awaiting_approval": _l("Delivered, waiting for approval"), "contested": _l("Contested"),
    "paid": _l("Paid"),
}
PROVIDER_ACTIONS = {"start": _l("The milestone has started."),
                    "complete": _l("The milestone is marked done."),
                    "resolve": _l("The milestone is resolved."),
                    "cancel": _l("The milestone is cancelled."),
                    "amount": _l("The amount is changed.")}


def _view(project: Project, provider: bool = False) -> dict:
    """`provider`: a failure is said as a fact to the provider, as advice to the client."""
    locale = current_locale()

    def money(amount: int) -> str:
        return display.money(amount, project.currency, locale)

    tz = project.provider.timezone
    rows = [{"m": m, "status": str(STATUS_WORDS.get(m.status, m.status)),
             # the provider reads what Skod does about a failed charge, and where the case is
             "next": what_next.for_source(f"milestone:{m.id}", locale, tz) if provider
             else None,
             "amount": money(m.amount_minor), "credit": money(m.deposit_credit_minor),
             "payments": [display.payment_line(p, locale, provider=provider)
                          for p in m.payments],
             "debit": _debit_state(m),
             "refundable": refund_page.refund_rows(m.payments, locale) if provider else []}
            for m in project.milestones]
    deposit = sum(m.deposit_credit_minor for m in project.live_milestones())
    return {"project": project, "rows": rows, "form": ActionForm(),
            "status": str(STATUS_WORDS.get(project.status, project.status)),
            "total": money(project.total.amount_minor), "paid": money(project.paid.amount_minor),
            "remaining": money(project.remaining.amount_minor), "deposit": money(deposit),
            "deposit_payments": [display.payment_line(p, locale, provider=provider)
                                 for p in project.payments if p.milestone_id is None],
            "deposit_refundable": refund_page.refund_rows(
                [p for p in project.payments if p.milestone_id is None], locale)
            if provider else [], "refund_form": RefundForm()}


def _debit_state(milestone: Milestone) -> str | None:
    """A SEPA milestone's debit: "processing" (at the bank: not to deliver yet), "paid"."""
    debits = [p for p in milestone.payments if p.method == "sepa_debit"]
    if not debits or milestone.status in ("paid", "cancelled") or debits[-1].dispute_status:
        return None
    return {"processing": "processing", "captured": "paid"}.get(debits[-1].status)


# Provider ---------------------------------------------------------------------------------
def _own(project_id: int) -> Project:
    project = db.session.get(Project, project_id)
    if project is None or project.provider_id != current_user.id:
        abort(404)
    return project


@bp.get("/projects")
@login_required
def project_list() -> ResponseReturnValue:
    projects = db.session.scalars(select(Project).where(Project.provider_id == current_user.id)
                                  .order_by(Project.id.desc())).all()
    locale = current_locale()
    rows = [{"p": p, "status": str(STATUS_WORDS.get(p.status, p.status)),
             "total": display.money(p.total.amount_minor, p.currency, locale),
             "paid": display.money(p.paid.amount_minor, p.currency, locale)} for p in projects]
    return render_template("web/projects/list.html", rows=rows)


@bp.route("/projects/new", methods=["GET", "POST"])
@login_required
def project_new() -> ResponseReturnValue:
    errors: list[str] = []
    fields: dict[str, list[str]] = {}
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            data = ProjectCreateSchema().load(form_data(request.form))
            project = setup.create_project(current_user.id, data, utcnow())
        except ValidationError as err:
            fields = field_errors(request.form, err.messages)
            errors.extend(fields.pop("_form", None) or [_("Please check the fields marked.")])
        except DomainError as err:
            db.session.rollback()
            errors.append(display.error_text(err))
        else:
            flash(_("The project is sent to the client."), "success")
            return redirect(url_for("projects_pages.project_page", project_id=project.id))
    return render_template("web/projects/new.html", form=form, errors=errors, fields=fields,
                           values=request.form, rows=range(MILESTONE_ROWS),
                           currency=current_user.currency)


@bp.get("/projects/<int:project_id>")
@login_required
def project_page(project_id: int) -> ResponseReturnValue:
    view = _view(_own(project_id), provider=True)
    for row in view["rows"]:
        row["provider_view"] = True  # the advice not to deliver before the debit is paid
    return render_template("web/projects/provider.html", **view)


def _ask(milestone: Milestone, action: str, back: str) -> confirm.Ask | None:
    """The confirmation a capture needs first: Mark done without client approval, Mark
    resolved, the client's Approve. None when this action takes no money now."""
    takes = {"complete": milestone.status in STARTED and milestone.completed_at is None
             and milestone.project.approval != "client",
             "resolve": milestone.status == "contested",
             "approve": milestone.status == "awaiting_approval"
             and milestone.approved_at is None}
    if not takes.get(action):
        return None
    return confirm_labels.milestone(milestone, action, current_locale(), back)


@bp.post("/projects/<int:project_id>/milestones/<int:milestone_id>/<action>")
@login_required
def milestone_action(project_id: int, milestone_id: int, action: str) -> ResponseReturnValue:
    project = _own(project_id)
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None or milestone.project_id != project.id or action not in PROVIDER_ACTIONS:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    back = url_for("projects_pages.project_page", project_id=project_id)
    if (asked := confirm.before(lambda: _ask(milestone, action, back))) is not None:
        return asked
    now = utcnow()
    try:
        if action == "start":
            settlement.start(milestone_id, now)
        elif action == "complete":
            ms.complete(milestone_id, _form_text("note"), now)
        elif action == "resolve":
            ms.resolve(milestone_id, now)
        elif action == "cancel":
            ms.cancel(milestone_id, now)
        else:
            amount = parse_minor(request.form.get("amount", ""), project.currency)
            if amount is None:
                raise DomainError(_("A positive amount, like 90 or 1.50."))
            ms.edit(milestone_id, {"amount_minor": amount}, now)
    except DomainError as err:
        db.session.rollback()
        flash(display.error_text(err), "error")
    else:
        _said_after(db.session.get(Milestone, milestone_id), action)
    return redirect(url_for("projects_pages.project_page", project_id=project_id))


def _said_after(milestone: Milestone, action: str) -> None:
    """What the action did; when it ended in a refused charge, that at once, with what Skod
    does next (the page shows the case's link), never a bare "marked done"."""
    done = str(PROVIDER_ACTIONS[action])
    if action not in ("complete", "resolve") or milestone.completed_at is None:
        flash(done, "success")
        return
    steps = what_next.for_source(f"milestone:{milestone.id}", current_locale(),
                                 current_user.timezone)
    if steps is not None:
        flash(what_next.flash_text(done, steps), "error")
    elif milestone.status == "action_required":
        flash(" ".join([done, _("The client's bank asks the client to confirm the payment: "
                                "the client was e-mailed a link to authorize it.")]), "error")
    else:
        flash(done, "success")


def _form_text(name: str) -> str | None:
    """A multi-line text of these plain forms: control characters other than line breaks and
    tabs are refused in words (DomainError, flashed), like every page form's (core.forms)."""
    value = (request.form.get(name) or "").strip()
    if text_problem(value):
        raise DomainError(str(TEXT_ERROR))
    return value or None


# Client -----------------------------------------------------------------------------------
def _client_project(project_id: int, token: str) -> Project:
    return signed_or_404(Project, "project", project_id, token)


@bp.get("/pr/<int:project_id>/<token>")
def client_page(project_id: int, token: str) -> ResponseReturnValue:
    project = _client_project(project_id, token)
    view = _view(project)
    to_pay = next((m for m in project.milestones
                   if m.status in ("action_required", "payment_failed")), None)
    # until the provider's Stripe account takes payments, the project cannot be accepted
    paying = connect.can_take_payments(project.provider) or project.status != "sent"
    view.update(token=token, to_pay=to_pay, cannot_pay=not paying,
                accepting=paying and project.status in ("sent", "deposit_pending"),
                invoices=queries.for_client("project", project.id),
                config={"project_id": project.id, "client_token": token,
                        "milestone_id": to_pay.id if to_pay else None,
                        "name": project.client.name, "email": project.client.email,
                        "page_url": url_for("projects_pages.client_page",
                                            project_id=project.id, token=token),
                        "messages": display.js_messages()})
    return render_template("web/projects/client.html", **view)


@bp.post("/pr/<int:project_id>/<token>/m/<int:milestone_id>/<action>")
def client_action(project_id: int, token: str, milestone_id: int,
                  action: str) -> ResponseReturnValue:
    project = _client_project(project_id, token)
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None or milestone.project_id != project.id or action not in (
            "approve", "contest"):
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    back = url_for("projects_pages.client_page", project_id=project_id, token=token)
    if (asked := confirm.before(lambda: _ask(milestone, action, back))) is not None:
        return asked
    try:
        reason = _form_text("reason")
        if action == "approve":
            ms.approve(milestone_id, utcnow())
            flash(_("Thank you: the milestone is approved."), "success")
        elif not reason:
            flash(_("Please say what is wrong."), "error")
        else:
            ms.contest(milestone_id, reason[:5000], utcnow())
            flash(_("Your request is sent to the provider; nothing is charged meanwhile."),
                  "success")
    except DomainError as err:
        db.session.rollback()
        flash(display.error_text(err), "error")
    return redirect(url_for("projects_pages.client_page", project_id=project_id, token=token))
