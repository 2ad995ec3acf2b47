"""Dunning e-mails: the step e-mails to the client (one per client, provider and step, listing
every invoice of that step) and what the provider (and, for a payment plan, the client) is told.

Thin on purpose: this module reads the rows (receivables, invoices, rates, the ladder) into
`letter_facts.Facts`, and letters.py / formal_reminder.py decide what the e-mail says.
Client e-mails are in the client's language and time zone, carry the invoice PDFs (attached by the
delivery worker) and speak in the provider's voice (links.voice: the provider's name as the sender,
Reply-To their address, their signature), since the provider is who the client deals with.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from email.message import EmailMessage

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from skod.accounts.models import Provider
from skod.dunning.debts import links, notices
from skod.dunning.debts import store as recv
from skod.dunning.debts.document_models import DunningMessage
from skod.dunning.debts.links import invoice_url, locale_of
from skod.dunning.debts.models import Receivable
from skod.dunning.debts.recovery import split_source
from skod.dunning.owed import amounts as owing
from skod.dunning.owed import rates
from skod.dunning.owed.history import penalties_of
from skod.dunning.reminders import letter_facts, letters
from skod.dunning.rules import ladder as rules
from skod.dunning.rules.penalties import RateTable
from skod.dunning.transfers import store as transfers
from skod.extensions import db
from skod.invoicing.ledger import local_day
from skod.notifications import mail

log = logging.getLogger(__name__)

#: the formal reminder's new deadline, in days from the day it is sent
DEADLINE_DAYS = 8


def keep(msg: EmailMessage, provider_id: int, client_email: str, step: int,
         now: datetime) -> str:
    """Keep the e-mail as sent (committed with the step's row): the recourse file hands the
    reminders to a court as they were. Returns that text, for the delivery."""
    raw = msg.as_string()
    db.session.add(DunningMessage(message_id=msg["Message-ID"], provider_id=provider_id,
                                  client_email=client_email.lower(), step=step, sent_at=now,
                                  raw=raw))
    return raw


def send_step(step: int, receivable_ids: list[int], now: datetime) -> str:
    """E-mail step `step` for these receivables (same client and provider); the Message-ID."""
    rows = list(db.session.scalars(
        select(Receivable).where(Receivable.id.in_(receivable_ids))
        .options(joinedload(Receivable.client), joinedload(Receivable.provider),
                 joinedload(Receivable.invoice))
        .order_by(Receivable.due_date, Receivable.id)))
    client, provider = rows[0].client, rows[0].provider
    locale = locale_of(client)
    with force_locale(locale):
        letter = letters.build(facts_for(step, rows, now, locale))
        msg = mail.build(to=client.email, template="dunning_client", subject=letter.subject,
                         context={"letter": letter}, locale=locale, sender=links.voice(provider))
    raw = keep(msg, provider.id, client.email, step, now)
    mail.send_raw(raw, [r.invoice_id for r in rows if r.invoice_id is not None])
    if step == 0:
        try:  # the client's notice is queued: the provider's copy failing must not resend it
            notices.debt_opened(rows)
        except Exception:  # noqa: BLE001 - logged; the case page shows the debt anyway
            log.exception("receivables %s: the provider's notice of the debt failed",
                          receivable_ids)
    return msg["Message-ID"]


def facts_for(step: int, rows: list[Receivable], now: datetime, locale: str) -> letter_facts.Facts:
    client, provider, kind = rows[0].client, rows[0].provider, rows[0].client_kind
    today = local_day(now, client.timezone)
    ladder = recv.ladder_for(provider.id)
    # penalties run on the provider's days, like the invoice's due date
    until = local_day(now, provider.timezone)
    # a consumer owes no penalty before the mise en demeure (step 3, its own letter and file)
    table = recv.remembered("rates", rates.table) if step >= 2 and kind != "consumer" else None
    debts = tuple(debt_of(r, step, now, ladder, table, until) for r in rows)
    business = kind != "consumer" and client.company_name
    return letter_facts.Facts(
        step=step, creditor=creditor_of(provider),
        debtor=f"{client.company_name} ({client.name})" if business else client.name,
        client_name=client.name, client_kind=kind, locale=locale, timezone=client.timezone,
        today=today, debts=debts,
        deadline=rules.deadline_after(today, DEADLINE_DAYS) if step >= 2 else None,
        personal=ladder.text(step, locale))


def creditor_of(provider: Provider) -> letter_facts.Creditor:
    return letter_facts.Creditor(
        name=provider.name, email=provider.email, company_name=provider.company_name,
        legal_form=provider.legal_form, siren=provider.siren, address=provider.address,
        iban=provider.iban, bic=provider.bic, mediator=provider.mediator)


def debt_of(r: Receivable, step: int, now: datetime, ladder: rules.Ladder,
            table: RateTable | None, until: date) -> letter_facts.Debt:
    invoice = r.invoice
    # the letter claims the penalties only when the debt's choice is to claim them, and its
    # total is the amount the pay page asks for the same day (owed/amounts.py)
    due = owing.owed(r, until, table, letter_step=step) if table is not None else None
    figured = due is not None and due.claimed and r.balance_minor > 0
    return letter_facts.Debt(
        service=service_of(r), source_kind=source_kind(r), currency=r.currency,
        total_minor=r.principal_minor, paid_minor=r.paid_minor, balance_minor=r.balance_minor,
        due_date=r.due_date, pay_url=links.pay_url(r), reference=links.transfer_reference(r),
        invoice_number=invoice.number if invoice else None,
        issue_date=invoice.issue_date if invoice else None, invoice_url=invoice_url(invoice),
        failure_code=r.failure_code, failure_kind=r.failure_kind,
        retries=planned_retries(r, now, ladder) if step == 0 else (),
        penalties=penalties_of(r, until, table) if figured else None,
        owed=due if due is not None and due.claimed else None, transfer=transfer_of(r))


def transfer_of(r: Receivable) -> letter_facts.Transfer | None:
    """The debt's open transfer (offered before the letter by the sweep), if any."""
    row = transfers.offered(r.id)
    if row is None:
        return None
    return letter_facts.Transfer(iban=row.iban, bic=row.bic, holder=row.holder,
                                 reference=row.reference)


def source_kind(r: Receivable) -> str:
    parts = split_source(r.source)
    return parts[0] if parts else r.source


def service_of(r: Receivable) -> str | None:
    """What was delivered, as the invoice says it (in the client's language), else in words
    from the kind of debt."""
    if r.invoice is not None:
        lines = [line.get("description", "") for line in r.invoice.snapshot.get("lines", [])]
        if any(lines):
            return "; ".join(line for line in lines if line)
    generic = {"booking": _("A paid call"),
               "overrun:booking": _("Minutes beyond the amount held for a call"),
               "message": _("A written answer to your question"),
               "milestone": _("A delivered project milestone")}
    return generic.get(source_kind(r))


def planned_retries(r: Receivable, now: datetime, ladder: rules.Ladder) -> tuple[datetime, ...]:
    """The smart retries still planned: the next one, then the ladder's later retry days."""
    if r.next_retry_at is None:
        return ()
    later = [rules.next_retry(r.opened_at, n, ladder)
             for n in range(r.retries_done + 1, len(ladder.retry_days))]
    return tuple(m for m in [r.next_retry_at, *later] if m is not None and m > now)


