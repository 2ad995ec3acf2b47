"""What the provider's pages show of a receivable, in the page's language and the provider's
time zone: one list row, and the case page (facts, timeline, reminders, evidence, plan, and
which actions are open)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from skod.core import formats
from skod.dunning.bank_statements import surplus
from skod.dunning.debts.actions import NOT_RESUMABLE
from skod.dunning.debts.models import Receivable
from skod.dunning.debts.sweep_faults import stuck
from skod.dunning.disputes import forms as dispute_forms
from skod.dunning.disputes.view import dispute_view
from skod.dunning.mise_en_demeure.services import of_receivable
from skod.dunning.receivables import labels, plan_labels, queries
from skod.dunning.recourse import view as recourse_view
from skod.dunning.transfers import store as transfer_store
from skod.web import display

STEP_STATUS = {"sent": _l("sent"), "claimed": _l("being sent"),
               "withdrawn": _l("not sent: paid or paused meanwhile")}


def _next_words(action: dict | None) -> str | None:
    if action is None:
        return None
    if action["kind"] == "retry":
        return str(_l("Card retry no. %(n)s", n=action["attempt"]))
    return labels.step(action["step"])


NOTICE_STATUS = {"draft": _l("ready, waits for your approval: not sent"),
                 "sent": _l("e-mailed to the client"), "cancelled": _l("cancelled: not sent")}
MAIL_TASK = {"open": _l("to send by registered mail"),
             "closed": _l("not to post: the debt was settled first")}
TASKS = {"approve": _l("Mise en demeure: waits for your approval"),
         "post": _l("Mise en demeure: send it by registered mail")}


def notice_view(receivable_id: int, locale: str) -> dict | None:
    """The case's mise en demeure: where it stands and what the provider has to do."""
    notice = of_receivable(receivable_id)
    if notice is None:
        return None
    status = str(NOTICE_STATUS[notice.status])
    if notice.status == "sent" and notice.mail_task == "done":
        status += " · " + _("posted on %(day)s, tracking number %(number)s",
                            day=formats.day(notice.posted_on, locale),
                            number=notice.tracking_number)
    elif notice.status == "sent":
        status += " · " + str(MAIL_TASK[notice.mail_task])
    return {"id": notice.id, "status": status, "approve": notice.status == "draft",
            "post": notice.status == "sent" and notice.mail_task == "open"}


def list_row(receivable: Receivable, now: datetime, tz: str, locale: str,
             task: str | None = None, stuck: str | None = None) -> dict:
    """One case of the list; `stuck`: the stored reason its step keeps failing."""
    data = queries.row(receivable, now)
    client = receivable.client
    action = data["next_action"]

    def money(amount: int) -> str:
        return display.money(amount, receivable.currency, locale)

    return {
        "id": receivable.id, "status": receivable.status,
        "status_words": labels.status(receivable.status),
        "client": client.company_name or client.name, "client_id": client.id,
        "invoice": data["invoice_number"], "step": labels.step(receivable.last_step),
        "age": data["age_days"], "amount": money(receivable.principal_minor),
        "balance": money(receivable.balance_minor), "partly_paid": receivable.paid_minor > 0,
        "next": _next_words(action),
        "next_at": display.when(action["at"], tz, locale) if action else None,
        "pause": labels.pause(receivable.pause_reason) if receivable.status == "paused" else None,
        "paused_until": display.when(receivable.paused_until, tz, locale)
        if receivable.status == "paused" and receivable.paused_until else None,
        "task": str(TASKS[task]) if task else None,
        "stuck": labels.stuck(stuck) if stuck is not None else None,
    }


def case_view(receivable: Receivable, now: datetime, tz: str, locale: str) -> dict:
    """Everything the case page and the confirmation pages show."""
    detail = queries.detail(receivable, now)
    plan = detail["plan"]
    status = receivable.status
    failing = stuck(receivable.provider_id, [receivable.id]).get(receivable.id)
    dispute = dispute_view(receivable, tz, locale)
    return {
        "r": receivable, "row": list_row(receivable, now, tz, locale, stuck=failing),
        "paid": display.money(receivable.paid_minor, receivable.currency, locale),
        "due": formats.day(detail["due_date"], locale),
        "failure": labels.failure(receivable.failure_code, receivable.failure_kind)
        if receivable.failure_code or receivable.failure_kind else None,
        "timeline": [{"when": display.when(e["at"], tz, locale), "kind": e["kind"],
                      "text": labels.event(e["kind"], e["data"], receivable.currency, locale,
                                          tz)} for e in reversed(detail["events"])],
        "steps": [{"name": labels.step(s["step"]),
                   "status": str(STEP_STATUS.get(s["status"], s["status"])),
                   "when": display.when(s["sent_at"] or s["claimed_at"], tz, locale)}
                  for s in detail["steps"]],
        "evidence": detail["evidence"], "notice": notice_view(receivable.id, locale),
        "plan": _plan(plan, receivable.currency, tz, locale) if plan else None,
        "recourse": recourse_view.of_case(receivable, now, locale),
        "can": {
            "pause": status == "open",
            "resume": status == "paused" and receivable.pause_reason not in NOT_RESUMABLE
            and not (dispute and dispute["can_decide"]),
            "remind": status == "open",
            "mark-paid": status in queries.OWED, "write-off": status in queries.OWED,
            "plan": bool(plan and plan["status"] == "proposed" and status in queries.OWED),
        },
        "penalties": penalties_view(receivable, detail, locale),
        "transfer": transfer_view(receivable, locale),
        "surpluses": surplus.view(receivable.id, locale),
        "dispute": dispute,
        "dispute_forms": dispute_forms.blank() if dispute and dispute["can_decide"] else {},
    }


def transfer_view(receivable: Receivable, locale: str) -> dict | None:
    """The transfer offered to the client (virtual IBAN, reference), what arrived by it, and
    the client's credit (money sent beyond what was owed, kept at Stripe) with its refund."""
    row = transfer_store.current(receivable.id)
    if row is None or row.status == "created":
        return None
    return {"iban": row.iban, "reference": row.reference, "open": row.status == "open",
            "funded": display.money(row.funded_minor, row.currency, locale),
            "credit": display.money(row.credit_minor, row.currency, locale)
            if row.credit_minor > 0 else None}


def penalties_view(receivable: Receivable, detail: dict, locale: str) -> dict | None:
    """The case's late-payment penalties: the day's breakdown (owed/amounts.py) and the provider's
    choices: claim them or not on this debt, waive them, a formal notice for them alone."""
    if receivable.status not in queries.OWED or receivable.client_kind == "consumer" and (
            not detail["owed"]["claimed"]):
        return None
    due = detail["owed"]

    def money(amount: int) -> str:
        return display.money(amount, receivable.currency, locale)

    return {
        "claimed": due["claimed"], "alone": receivable.penalties_alone,
        "rows": [(_("Invoice balance"), money(due["balance_minor"])),
                 (_("Late-payment interest to date"), money(due["interest_minor"])),
                 (_("Fixed indemnity for recovery costs"), money(due["indemnity_minor"])),
                 (_("Penalties already paid"), money(due["penalties_paid_minor"])),
                 (_("Total due today"), money(due["total_minor"]))] if due["claimed"] else [],
        "waive": due["claimed"],
        "claim": not due["claimed"] and receivable.claim_penalties is not True,
        "notice": receivable.penalties_alone and receivable.last_step < 3
        and not receivable.penalties_notice,
    }


def _plan(plan: dict, currency: str, tz: str, locale: str) -> dict:
    """The plan as the provider reads it, its schedule included before they decide: each
    day in words, each amount, and their total (the balance, to the cent)."""
    return {
        "status": plan_labels.plan_status(plan["status"]), "proposed": plan["status"] == "proposed",
        "code": plan["status"], "instalments": plan["instalments"], "note": plan["note"],
        "total": display.money(sum(i["amount_minor"] for i in plan["schedule"]), currency,
                               locale),
        "schedule": [{"seq": i["seq"], "when": formats.local_day(i["due_at"], tz, locale),
                      "amount": display.money(i["amount_minor"], currency, locale),
                      "status": plan_labels.instalment_status(i["status"])}
                     for i in plan["schedule"]],
    }
