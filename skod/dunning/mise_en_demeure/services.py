"""Step 3 of the ladder, the mise en demeure: one letter per client, provider and currency,
listing every overdue invoice of that step; the service owns its transactions.

- `dispatch` (from sweep.send_step): creates the notice and links each receivable's step row.
  When the provider's settings ask for approval it stays a draft: no e-mail, the step rows stay
  "claimed" and the case waits (next_action_at None) until `approve` or payment.
- `approve`: the provider sends the draft at that moment. Not deferred to the next working
  hours: the provider chose the moment, and the letter's date and deadline count from the day
  it goes (a deferral would print a date the provider never saw).
- `record_posting`: the registered letter's tracking number and posting date; the posting date
  starts a consumer's legal interest (the recourse file reads it, recourse_facts.notices_of).
- `on_closed` (from settling.close): once every debt of a notice is paid or written off, a
  draft is cancelled and an open "send by registered mail" task is closed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import select, update

from skod.core.errors import Conflict, Invalid, NotFound
from skod.dunning.debts import store as recv
from skod.dunning.debts.claims import claims, withdraw
from skod.dunning.debts.document_models import MiseEnDemeure
from skod.dunning.debts.models import CLOSED, RECEIVABLE_STATES, DunningStep, Receivable
from skod.dunning.mise_en_demeure import documents as med_documents
from skod.dunning.mise_en_demeure import letter as med_letter
from skod.extensions import db
from skod.invoicing.ledger import local_day

STEP = 3
#: a registered letter's tracking number: La Poste's are 13 characters (1A 123 456 7890 1);
#: other carriers' differ, so letters, digits, spaces and dashes, 8 to 40 of them
TRACKING = re.compile(r"[A-Za-z0-9][A-Za-z0-9 \-]{6,38}[A-Za-z0-9]")


def of_receivable(receivable_id: int) -> MiseEnDemeure | None:
    return db.session.scalar(
        select(MiseEnDemeure).join(DunningStep, DunningStep.notice_id == MiseEnDemeure.id)
        .where(DunningStep.receivable_id == receivable_id, DunningStep.step == STEP))


def owned(notice_id: int, provider_id: int, lock: bool = False) -> MiseEnDemeure:
    notice = db.session.get(MiseEnDemeure, notice_id, with_for_update=lock)
    if notice is None or notice.provider_id != provider_id:
        raise NotFound("no such formal notice")
    return notice


def rows_of(notice_id: int) -> list[Receivable]:
    """The notice's receivables, oldest due date first (the letter's order)."""
    return list(db.session.scalars(
        select(Receivable).join(DunningStep, DunningStep.receivable_id == Receivable.id)
        .where(DunningStep.notice_id == notice_id).order_by(Receivable.due_date,
                                                            Receivable.id)))


def open_tasks(provider_id: int) -> dict[int, str]:
    """Receivable id -> "approve" (a draft waits) or "post" (to send by registered mail):
    the receivables list's marker."""
    rows = db.session.execute(
        select(DunningStep.receivable_id, MiseEnDemeure.status)
        .join(MiseEnDemeure, DunningStep.notice_id == MiseEnDemeure.id)
        .where(MiseEnDemeure.provider_id == provider_id,
               ((MiseEnDemeure.status == "sent") & (MiseEnDemeure.mail_task == "open"))
               | (MiseEnDemeure.status == "draft")))
    return {rid: "approve" if status == "draft" else "post" for rid, status in rows}


def dispatch(claimed: list[tuple[Receivable, DunningStep]], now: datetime) -> int:
    """Step 3 for these claimed open receivables (one client and provider, locked, with their
    step rows): one notice per currency, sent now or held as a draft. How many were sent."""
    claimed = _addressed(claimed, now)
    if not claimed:
        return 0
    rows = [r for r, _row in claimed]
    steps = {r.id: row for r, row in claimed}
    groups: dict[str, list[Receivable]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: (r.due_date, r.id)):
        groups[r.currency].append(r)
    ladder = recv.ladder_for(rows[0].provider_id)
    sent = 0
    for currency, group in groups.items():
        client = group[0].client
        notice = MiseEnDemeure(provider_id=group[0].provider_id, client_id=client.id,
                              client_email=client.email.lower(), currency=currency,
                              locale=client.locale if client.locale in ("fr", "en") else "fr",
                              status="draft", created_at=now)
        db.session.add(notice)
        db.session.flush()
        for r in group:
            steps[r.id].notice_id = notice.id
        if ladder.notice_approval:
            _hold(notice, group, now, ladder.notice_deadline_days)
        else:
            sent += _send(notice, group, steps, now, ladder.notice_deadline_days)
    return sent


#: the pause reason of a consumer's debt whose mise en demeure waits for a postal address
ADDRESS = "address"


def needs_address(receivable: Receivable) -> bool:
    """A consumer's mise en demeure goes by registered mail, and an injonction de payer
    names the debtor's home: no letter without the client's postal address."""
    return receivable.client_kind == "consumer" and not (receivable.client.address or "").strip()


def _addressed(claimed: list[tuple[Receivable, DunningStep]],
               now: datetime) -> list[tuple[Receivable, DunningStep]]:
    """The claims that can go; the others (a consumer without an address) give their step
    back, wait paused (the sweep no longer looks at them, so the provider is asked once) and
    the provider is asked for the address. client_details.address_given resumes them."""
    waiting = [(r, row) for r, row in claimed if needs_address(r)]
    if not waiting:
        return claimed
    for r, row in waiting:
        RECEIVABLE_STATES.move(r, "paused")
        r.pause_reason, r.paused_until, r.next_action_at = ADDRESS, None, None
        withdraw(r, row)
        recv.record(r, "pause", now, reason=ADDRESS, until=None)
    db.session.commit()
    med_documents.ask_address([r for r, _row in waiting])
    return [(r, row) for r, row in claimed if not needs_address(r)]


def _hold(notice: MiseEnDemeure, rows: list[Receivable], now: datetime, days: int) -> None:
    """A draft for the provider to read: its PDF as it would go today; the case waits."""
    _freeze(notice, rows, now, days)
    for r in rows:
        r.next_action_at = None
        recv.record(r, "notice_draft", now, notice_id=notice.id)
    db.session.commit()
    med_documents.to_provider(notice, rows)


def _freeze(notice: MiseEnDemeure, rows: list[Receivable], now: datetime,
            days: int) -> med_letter.Notice:
    issued = local_day(now, notice.provider.timezone)
    letter, notice.pdf = med_documents.render(rows, now, issued, days)
    notice.issued_on, notice.deadline, notice.total_minor = (issued, letter.deadline,
                                                             letter.total_minor)
    return letter


def _send(notice: MiseEnDemeure, rows: list[Receivable], steps: dict[int, DunningStep],
          now: datetime, days: int) -> int:
    """Render as of today, e-mail the client, mark the steps sent, open the mail task."""
    letter = _freeze(notice, rows, now, days)
    notice.status, notice.sent_at, notice.mail_task = "sent", now, "open"
    notice.message_id = med_documents.to_client(notice, rows, letter, now)
    for r in rows:
        row = steps[r.id]
        row.status, row.sent_at, row.message_id = "sent", now, notice.message_id
        r.last_step_at = now  # sent late (approval, a failed send): the gap counts from here
        recv.record(r, "step", now, step=STEP, message_id=notice.message_id,
                    notice_id=notice.id)
        recv.schedule(r, now)
    db.session.commit()
    med_documents.to_provider(notice, rows)
    return len(rows)


def approve(notice_id: int, provider_id: int, now: datetime) -> MiseEnDemeure:
    """Send a draft now; the debts closed since are left out (all closed: cancelled)."""
    notice = owned(notice_id, provider_id, lock=True)
    if notice.status != "draft":
        raise Conflict("this formal notice is not waiting for approval",
                       code="notice_not_draft")
    claimed = claims(STEP, [r.id for r in rows_of(notice.id)])
    live = [r for r, _row in claimed if r.status == "open"]
    for r, row in claimed:
        if r.status != "open":
            row.notice_id = None
            withdraw(r, row)
    if not live:
        notice.status, notice.mail_task = "cancelled", "closed"
        db.session.commit()
        raise Conflict("every debt of this notice is closed or paused", code="notice_moot")
    _send(notice, live, {r.id: row for r, row in claimed}, now,
          recv.ladder_for(provider_id).notice_deadline_days)
    return notice


def record_posting(notice_id: int, provider_id: int, tracking: str | None,
                   posted_on: date | None, now: datetime) -> MiseEnDemeure:
    """The registered letter went: its tracking number and posting date (Invalid: nothing
    changed)."""
    notice = owned(notice_id, provider_id, lock=True)
    if notice.status != "sent" or notice.mail_task == "closed":
        raise Conflict("this formal notice has no letter to post", code="notice_no_task")
    tracking = re.sub(r"\s+", " ", (tracking or "").strip())
    errors: dict[str, list[str]] = {}
    if not TRACKING.fullmatch(tracking):
        errors["tracking_number"] = ["8 to 40 letters, digits, spaces or dashes"]
    today = local_day(now, notice.provider.timezone)
    if posted_on is None or posted_on > today or posted_on < notice.issued_on:
        errors["posted_on"] = ["from the letter's date to today"]
    if errors:
        db.session.rollback()
        raise Invalid("the posting cannot be recorded", fields=errors)
    notice.tracking_number, notice.posted_on, notice.mail_task = tracking, posted_on, "done"
    for r in rows_of(notice.id):
        recv.record(r, "notice_posted", now, notice_id=notice.id, tracking=tracking,
                    posted_on=posted_on.isoformat())
    db.session.commit()
    return notice


def on_closed(receivable: Receivable) -> None:
    """In settling.close's transaction (no commit): when no debt of the receivable's
    notice is still owed, a draft is cancelled and an open mail task is closed."""
    notice = of_receivable(receivable.id)
    if notice is None or notice.status == "cancelled":
        return
    rows = rows_of(notice.id)
    if any(r.status not in CLOSED for r in rows if r.id != receivable.id):
        return
    if notice.status == "draft":  # never sent: nor are its steps
        notice.status = "cancelled"
        db.session.execute(update(DunningStep).where(
            DunningStep.notice_id == notice.id, DunningStep.step == STEP,
            DunningStep.status == "claimed").values(status="withdrawn"))
    if notice.mail_task == "open":
        notice.mail_task = "closed"
