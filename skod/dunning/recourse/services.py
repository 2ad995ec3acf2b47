"""Step 4 of the ladder: the recourse file. Nothing goes to the client, nor to any court or
agency: the provider is told that the file (route, limitation date, documents) is ready.

One open file per provider and client (by e-mail address): debts reaching step 4 later join
it, and its route and limitation date are worked out again. The provider confirms the
insolvency check (BODACC); an insolvent client stops the ladder for good (the claim is then
declared to the administrator). A file closes when all its debts are paid or written off.
Each service owns its transaction.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from skod.core.errors import Conflict, Invalid, NotFound
from skod.dunning.debts import store as recv
from skod.dunning.debts.document_models import RecourseFile
from skod.dunning.debts.links import case_url, locale_of
from skod.dunning.debts.models import CLOSED, RECEIVABLE_STATES, DunningStep, Receivable
from skod.dunning.recourse import facts
from skod.dunning.rules import recourse_routes as rules
from skod.extensions import db
from skod.invoicing.ledger import local_day
from skod.notifications import mail

STEP = 4
#: how old a BODACC check may be when the provider confirms it (an old check proves little)
CHECK_MAX_AGE = timedelta(days=30)
#: the pause reason of a client in insolvency proceedings (never resumed by the ladder)
INSOLVENCY = "insolvency"


def take_step(claimed: list[tuple[Receivable, DunningStep]], now: datetime) -> int:
    """sweep.send_step's step 4: the claimed open debts (one client and provider, locked, with
    their step rows) go into the client's open file; their step rows are sent; the provider is
    told. How many were."""
    rows = [r for r, _row in claimed]
    file = _open_file(rows[0], now)
    for r, row in claimed:
        row.status, row.sent_at, row.recourse_id = "sent", now, file.id
        recv.record(r, "step", now, step=STEP, recourse_id=file.id)
        r.last_step_at = now
        recv.schedule(r, now)  # the sweep's early look-back (in case of no send) is over
        if file.insolvent:  # a later debt of a client already known to be insolvent
            _stop(r.id, now)
    db.session.flush()
    refresh(file, now)
    db.session.commit()
    _tell_provider(file, rows[0])
    return len(rows)


def _open_file(first: Receivable, now: datetime) -> RecourseFile:
    """The client's open file with this provider, made when there is none. One open file per
    client is the unique index `uq_recourse_open_file`: two sweeps reaching the same client at
    once end with one file (the second insert waits for the first, fails, and reads it)."""
    email = first.client.email.lower()
    file = _open_of(first.provider_id, email)
    if file is not None:
        return file
    try:
        with db.session.begin_nested():
            file = RecourseFile(provider_id=first.provider_id, client_id=first.client_id,
                                client_email=email, created_at=now, status="open",
                                route="injonction_judiciaire", limitation_on=first.due_date)
            db.session.add(file)
            db.session.flush()
    except IntegrityError:
        file = _open_of(first.provider_id, email)
    return file


def _open_of(provider_id: int, email: str) -> RecourseFile | None:
    return db.session.scalar(select(RecourseFile).where(
        RecourseFile.provider_id == provider_id, RecourseFile.client_email == email,
        RecourseFile.status == "open").with_for_update())


def refresh(file: RecourseFile, now: datetime) -> None:
    """Work out the route, its reasons and the limitation date from the file's debts; a
    route the provider chose (choose_route) stays, the recommendation is kept beside it."""
    rows = facts.receivables_of(file)
    until = local_day(now, file.provider.timezone)
    totals = facts.totals_of(facts.lines_of(rows, until))
    kind = rows[0].client_kind
    court = _court(file, kind, until)
    advice = rules.route(kind, totals.principal_minor, totals.interest_minor, totals.currency,
                         court)
    chosen = (file.facts or {}).get("chosen")
    file.route = chosen["route"] if chosen else advice.route
    owed = [r.due_date for r in rows if r.status not in CLOSED]
    file.limitation_on = rules.oldest_limit(kind, owed or [r.due_date for r in rows])
    file.facts = {**(file.facts or {}), "client_kind": kind, "alternatives":
                  list(advice.alternatives), "reasons": list(advice.reasons),
                  "recommended": advice.route, "court": court.kind if court else None,
                  "tae_seat": court.tae_seat if court else None,
                  "as_of": until.isoformat(), "currency": totals.currency,
                  "principal_minor": totals.principal_minor,
                  "interest_minor": totals.interest_minor,
                  "indemnity_minor": totals.indemnity_minor, "total_minor": totals.total_minor,
                  "provisional": [list(half) for half in totals.provisional]}


def _court(file: RecourseFile, kind: str, today: date) -> rules.Court | None:
    """A business debtor's court from its legal form and register (and the provider's: two
    registered professionals go to the commercial court); the TAE seat when its address names
    one. None for a consumer or a public buyer (their routes do not depend on it)."""
    if kind != "business":
        return None
    client = file.client
    court = rules.court_of(client.legal_form, client.trade_register,
                           creditor_registered=bool(file.provider.trade_register))
    if court.kind == "commerce":
        return rules.Court(court.kind, court.reasons, rules.tae_seat(client.address, today))
    return court


def choose_route(file_id: int, provider_id: int, now: datetime, route: str,
                 reason: str) -> RecourseFile:
    """The provider takes another route than the recommended one (or back to it), with its
    reason: kept in the file, printed in the summary and on each debt's timeline."""
    reason = " ".join((reason or "").split())
    errors = {}
    if route not in rules.CHOOSABLE:
        errors["route"] = [f"one of {', '.join(rules.CHOOSABLE)}"]
    if not 3 <= len(reason) <= 500:
        errors["reason"] = ["3 to 500 characters: why this route"]
    if errors:
        raise Invalid("the route cannot be changed", fields=errors)
    file = owned(file_id, provider_id, lock=True)
    if file.status != "open":
        db.session.rollback()
        raise Conflict("this recourse file is closed", code="recourse_closed")
    previous = file.route
    file.facts = {**(file.facts or {}), "chosen": {
        "route": route, "reason": reason, "at": now.isoformat(), "previous": previous}}
    for r in facts.receivables_of(file):
        recv.record(r, "route_chosen", now, recourse_id=file.id, route=route,
                    previous=previous, reason=reason)
    refresh(file, now)
    db.session.commit()
    return file


def _tell_provider(file: RecourseFile, first: Receivable) -> None:
    provider, client = file.provider, file.client
    locale = locale_of(provider)
    who = client.company_name or client.name
    with force_locale(locale):
        msg = mail.build(
            to=provider.email, template="message", locale=locale,
            subject=_("Your recourse file for %(client)s is ready", client=who),
            context={"greeting": _("Hello %(name)s,", name=provider.name),
                     "paragraphs": [
                         _("%(client)s has still not paid, 45 days after the due date and "
                           "after the mise en demeure. The recourse file is ready: the "
                           "recommended route, the limitation date and every document to "
                           "hand over, in one ZIP.", client=who),
                         _("Nothing is sent to a court or an agency: you decide. Please "
                           "check first that the client is not in insolvency proceedings "
                           "(BODACC) and confirm it on the page.")],
                     "action_url": case_url(first) + "#recourse",
                     "action_label": _("Open the recourse file"), "details": []})
    mail.send(msg)


def owned(file_id: int, provider_id: int, lock: bool = False) -> RecourseFile:
    """The provider's file; 404 for another provider's (they do not learn it exists)."""
    file = db.session.get(RecourseFile, file_id, with_for_update=lock, populate_existing=lock)
    if file is None or file.provider_id != provider_id:
        db.session.rollback()
        raise NotFound("recourse file not found")
    return file


def of_receivable(receivable_id: int) -> RecourseFile | None:
    return db.session.scalar(select(RecourseFile).join(
        DunningStep, DunningStep.recourse_id == RecourseFile.id).where(
        DunningStep.receivable_id == receivable_id))


def confirm_insolvency(file_id: int, provider_id: int, now: datetime, insolvent: bool,
                       checked_on: date | None) -> RecourseFile:
    """The provider's answer to the insolvency check. Not insolvent needs the day BODACC was
    checked (not in the future, at most CHECK_MAX_AGE old); insolvent stops the ladder of
    every debt of the file (the claim is declared to the administrator instead)."""
    file = owned(file_id, provider_id, lock=True)
    if file.status != "open":
        db.session.rollback()
        raise Conflict("this recourse file is closed", code="recourse_closed")
    today = local_day(now, file.provider.timezone)
    if not insolvent and (checked_on is None or checked_on > today
                          or checked_on < today - CHECK_MAX_AGE):
        db.session.rollback()
        raise Invalid("the day of the BODACC check: within the last 30 days",
                      fields={"checked_on": ["within the last 30 days"]})
    file.insolvent, file.insolvency_checked_at = insolvent, now
    file.facts = {**(file.facts or {}),
                  "bodacc_checked_on": checked_on.isoformat() if checked_on else None}
    if insolvent:
        for r in facts.receivables_of(file):
            _stop(r.id, now)
    db.session.commit()
    return file


def _stop(receivable_id: int, now: datetime) -> None:
    receivable = recv.lock(receivable_id)
    if receivable.status in CLOSED:
        return
    if receivable.status == "open":
        RECEIVABLE_STATES.move(receivable, "paused")
    receivable.pause_reason, receivable.paused_until = INSOLVENCY, None
    receivable.next_action_at = receivable.next_retry_at = None
    recv.record(receivable, "pause", now, reason=INSOLVENCY, until=None)


def debt_closed(receivable: Receivable) -> None:
    """settling.close's hook (in its transaction): the file closes with its last debt."""
    file = of_receivable(receivable.id)
    if file is None or file.status != "open":
        return
    file = db.session.get(RecourseFile, file.id, with_for_update=True, populate_existing=True)
    # the statuses as committed (read under the file's lock: two debts closing at once
    # see each other's)
    others = db.session.scalars(
        select(Receivable.status).join(DunningStep, DunningStep.receivable_id == Receivable.id)
        .where(DunningStep.recourse_id == file.id, Receivable.id != receivable.id))
    if all(status in CLOSED for status in others):
        file.status = "closed"
