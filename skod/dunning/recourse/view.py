"""What the case page shows of a debt's recourse file (step 4): the route and why, the
limitation date and its warning, the insolvency check and the download, in the page's
language."""

from __future__ import annotations

from datetime import datetime

from skod.dunning.debts.models import Receivable
from skod.dunning.receivables.forms import InsolvencyForm, RouteForm
from skod.dunning.recourse import labels as recourse_labels
from skod.dunning.recourse import services as recourse
from skod.dunning.reminders.formal_reminder import provisional_words
from skod.dunning.reminders.letter_facts import day
from skod.dunning.rules import recourse_routes as rules
from skod.invoicing.ledger import local_day
from skod.web import display


def of_case(receivable: Receivable, now: datetime, locale: str) -> dict | None:
    """The recourse section of this debt's page; None before step 4."""
    file = recourse.of_receivable(receivable.id)
    if file is None:
        return None
    today = local_day(now, file.provider.timezone)
    state = rules.limitation_state(file.limitation_on, today)
    data = file.facts or {}
    kind = data.get("client_kind", receivable.client_kind)
    checked = data.get("bodacc_checked_on")
    return {
        "id": file.id, "open": file.status == "open", "route": recourse_labels.ROUTES[file.route],
        "route_code": file.route,
        "reasons": [recourse_labels.REASONS[c] for c in data.get("reasons", [])],
        "alternatives": [recourse_labels.ROUTES[c] for c in data.get("alternatives", [])],
        "limitation": day(file.limitation_on, locale), "limitation_state": state,
        "limitation_rule": recourse_labels.LIMITATION.get(kind),
        "limitation_warning": recourse_labels.LIMITATION_STATE[state],
        "total": display.money(data["total_minor"], data["currency"], locale)
        if "total_minor" in data else None,
        "provisional": provisional_words([tuple(h) for h in data.get("provisional", [])]),
        "insolvent": file.insolvent,
        "checked_on": day(datetime.fromisoformat(checked).date(), locale) if checked else None,
        "insolvency_rule": recourse_labels.INSOLVENCY_RULE,
        "form": InsolvencyForm(formdata=None),
        "court": recourse_labels.court(data.get("court"), data.get("tae_seat")),
        "chosen": recourse_labels.chosen(data),
        "route_form": route_form(file.route),
    }


def route_form(current: str, formdata: object = None) -> RouteForm:
    """The route choice, the file's route selected."""
    return RouteForm(formdata=formdata, route=current)
