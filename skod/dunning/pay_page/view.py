"""What the pay page shows of a debt, in the page's language: the provider, the open invoices
of this client with this provider (each other one with its own pay link), the balance, why the
card payment failed in words, the bank details for a transfer, the case's pause, the payment
plan, and which of the client's actions are open."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from skod.accounts.models import Client
from skod.core import formats
from skod.core.errors import Invalid
from skod.dunning.debts import links
from skod.dunning.debts.models import CLOSED, DunningEvent, PaymentPlan, Receivable
from skod.dunning.debts.overpay import overpaid_minor
from skod.dunning.disputes import view as disputes
from skod.dunning.owed import amounts as owing
from skod.dunning.pay_page import paying, plans
from skod.dunning.transfers import store as transfer_store
from skod.extensions import db
from skod.payments import connect, decline_labels
from skod.web import display
from skod.web.blueprint import current_locale

PLAN_WORDS = {
    "proposed": _l("Asked, waiting for the provider's answer"),
    "accepted": _l("Accepted"), "refused": _l("Not accepted by the provider"),
    "completed": _l("Completed"), "failed": _l("Stopped: an instalment was refused"),
    "closed": _l("Closed with the debt"),
}
INSTALMENT_WORDS = {
    "scheduled": _l("To be charged"), "charging": _l("Being charged"), "paid": _l("Paid"),
    "failed": _l("Refused"), "canceled": _l("Not charged"),
}
#: other open debts listed on one page (a client with more sees the oldest ones)
MAX_OTHERS = 20
FAILURE_WORDS = {
    "hold_expired": _l("The amount held on your card expired before it could be taken."),
    "dispute_lost": _l("Your bank took this payment back after a dispute."),
}

#: why a bank returned a SEPA debit (Stripe's failure codes for sepa_debit), in words
DEBIT_REASONS = {
    "insufficient_funds": _l("insufficient funds"),
    "account_closed": _l("the account is closed"),
    "bank_account_restricted": _l("the account cannot be debited"),
    "debit_not_authorized": _l("the debit was not authorised"),
    "invalid_account_number": _l("the account number is wrong"),
    "generic_could_not_process": _l("the bank gave no reason"),
}


def page(receivable: Receivable, token: str, now: datetime) -> dict:
    locale = current_locale()
    plan = plans.latest_plan(receivable.id)
    rows = invoice_rows(receivable, token, locale)
    debit = receivable.status not in CLOSED and paying.debit_on_its_way(receivable.id)
    return {
        "receivable": receivable, "provider": receivable.provider, "token": token,
        "closed": receivable.status in CLOSED, "rows": rows, "refunded": _refunded(receivable),
        "balance": display.money(receivable.balance_minor, receivable.currency, locale),
        **owed_view(receivable, now, locale),
        "failure": failure_words(receivable), "transfer": transfer(receivable),
        "matched_transfer": matched_transfer(receivable),
        "pause": pause_words(receivable, locale), "dispute_reason": (
            dispute_reason(receivable) if receivable.pause_reason == "client_dispute" else None),
        "dispute_outcome": disputes.client_view(receivable, locale),
        "plan": plan_view(plan, receivable, locale),
        "actions": actions(receivable, plan) - ({"pay"} if debit else set()),
        "debit_on_its_way": debit, "today": _today(receivable, now),
        "cannot_pay": None if receivable.status in CLOSED or connect.can_take_payments(
            receivable.provider) else paying.cannot_pay_words(receivable.provider.name),
        "config": {"receivable_id": receivable.id, "token": token,
                   "name": receivable.client.name, "email": receivable.client.email,
                   "page_url": url_for("pay_pages.pay_page", receivable_id=receivable.id,
                                       token=token),
                   "messages": display.js_messages(),
                   "payment": payment_options(receivable, now, locale)},
    }


def payment_options(receivable: Receivable, now: datetime, locale: str) -> dict:
    """What the page's Payment Element is made with before the intent exists (Stripe's deferred
    flow): the amount owed today, the currency, the method types the server's intent allows,
    and the client's language."""
    return {"amount_minor": owing.owed_now(receivable, now).total_minor,
            "currency": receivable.currency.lower(),
            "methods": list(paying.page_methods(receivable.currency)),
            "locale": locale.split("_")[0]}


def owed_view(receivable: Receivable, now: datetime, locale: str) -> dict:
    """What the pay button charges (the amount owed today, owed/amounts.py) and, when the case
    claims penalties, its breakdown: the same figures as the last letter's.
    """
    due = owing.owed_now(receivable, now)

    def money(amount: int) -> str:
        return display.money(amount, receivable.currency, locale)

    rows = None
    if due.claimed:
        rows = [(_("Invoice balance"), money(due.balance_minor)),
                (_("Late-payment interest to date"), money(due.interest_minor))]
        if due.indemnity_minor:
            rows.append((_("Fixed indemnity for recovery costs"), money(due.indemnity_minor)))
        if due.penalties_paid_minor:
            rows.append((_("Penalties already paid"), money(due.penalties_paid_minor)))
    return {"to_pay": money(due.total_minor), "owed_rows": rows,
            "penalties_alone": receivable.penalties_alone and due.claimed}


def _refunded(receivable: Receivable) -> str | None:
    """What a payment brought above the balance (a race) and was refunded, as money."""
    amount = overpaid_minor(receivable.id)
    return display.money(amount, receivable.currency, current_locale()) if amount else None


def _today(receivable: Receivable, now: datetime) -> dict:
    """The promise date picker's bounds, in the client's calendar."""
    today = now.astimezone(ZoneInfo(receivable.client.timezone)).date()
    return {"min": today.isoformat(), "max": (today + timedelta(days=30)).isoformat()}


def invoice_rows(receivable: Receivable, token: str, locale: str) -> list[dict]:
    """This debt first, then the client's other open debts to this provider. The client is
    the e-mail address (one client row per provider and e-mail), and the links of all of
    them go to that one mailbox."""
    email = func.lower(receivable.client.email)
    others = db.session.scalars(
        select(Receivable).join(Client, Client.id == Receivable.client_id).where(
            Receivable.provider_id == receivable.provider_id, func.lower(Client.email) == email,
            Receivable.id != receivable.id, Receivable.status.not_in(CLOSED))
        .order_by(Receivable.due_date, Receivable.id).limit(MAX_OTHERS)).all()
    return [_row(r, locale, here=r.id == receivable.id, token=token)
            for r in (receivable, *others)]


def _row(r: Receivable, locale: str, here: bool, token: str) -> dict:
    invoice = r.invoice
    return {
        "id": r.id, "here": here, "number": invoice.number if invoice else f"R{r.id}",
        "issued": formats.day(invoice.issue_date, locale, "medium") if invoice else "",
        "due": formats.day(r.due_date, locale, "medium"),
        "amount": display.money(r.principal_minor, r.currency, locale),
        "paid": display.money(r.paid_minor, r.currency, locale),
        "balance": display.money(r.balance_minor, r.currency, locale),
        "pdf_url": url_for("pay_pages.invoice_pdf", receivable_id=r.id, token=token)
        if here and invoice else None,
        "pay_url": None if here else links.pay_url(r),
    }


def failure_words(receivable: Receivable) -> str | None:
    """Why the card payment failed, in words (never a raw code); None when nothing failed."""
    code = receivable.failure_code
    if not code and not receivable.failure_kind:
        return None
    last = paying.last_page_payment(receivable.id)
    if last is not None and last.method == "sepa_debit" and last.status == "failed":
        reason = DEBIT_REASONS.get(code or "", DEBIT_REASONS["generic_could_not_process"])
        return _("Your bank returned the direct debit unpaid (%(reason)s): the amount is still "
                 "due. You may pay by card, from another account or by bank transfer.",
                 reason=str(reason))
    if code in FAILURE_WORDS:
        return str(FAILURE_WORDS[code])
    words = getattr(decline_labels, "words", None)  # the decline words module, once merged
    if words is not None:
        return str(words(code))
    return _("Your bank declined the payment. You may pay with another card or by transfer.")


def transfer(receivable: Receivable) -> dict | None:
    """IBAN, BIC and the reference to write, when the provider gave an IBAN."""
    provider = receivable.provider
    if not provider.iban:
        return None
    return {"holder": provider.company_name or provider.name, "iban": provider.iban,
            "bic": provider.bic, "reference": links.transfer_reference(receivable)}


def matched_transfer(receivable: Receivable) -> dict | None:
    """The client's virtual IBAN and the debt's reference: a transfer there settles the debt by
    itself (dunning/transfers)."""
    row = transfer_store.offered(receivable.id)
    if row is None or receivable.status in CLOSED:
        return None
    return {"holder": row.holder, "iban": row.iban, "bic": row.bic, "reference": row.reference}


def pause_words(receivable: Receivable, locale: str) -> str | None:
    if receivable.status != "paused":
        return None
    tz, who = receivable.client.timezone, receivable.provider.name
    reason = receivable.pause_reason
    if reason == "promise" and receivable.paused_until:
        day = receivable.paused_until.astimezone(ZoneInfo(tz)).date() - timedelta(days=1)
        return _("You said you will pay on %(day)s: reminders are paused until %(when)s.",
                 day=formats.day(day, locale),
                 when=display.when(receivable.paused_until, tz, locale))
    if reason == "client_dispute":
        return _("You dispute this amount: reminders are paused while %(provider)s looks "
                 "at it.", provider=who)
    if reason == "plan":
        return _("You asked for a payment plan: reminders are paused meanwhile.")
    if reason == "stripe_dispute":
        return _("A dispute with your bank is open: reminders are paused.")
    return _("Reminders are paused by %(provider)s.", provider=who)


def dispute_reason(receivable: Receivable) -> str | None:
    """What the client wrote when disputing (the last dispute on the timeline)."""
    events = db.session.scalars(select(DunningEvent).where(
        DunningEvent.receivable_id == receivable.id, DunningEvent.kind == "pause")
        .order_by(DunningEvent.id.desc()))
    for event in events:
        if (event.data or {}).get("reason") == "client_dispute":
            return event.data.get("text")
    return None


def plan_view(plan: PaymentPlan | None, receivable: Receivable, locale: str) -> dict | None:
    if plan is None:
        return None
    tz = ZoneInfo(receivable.client.timezone)
    return {"status": plan.status, "words": str(PLAN_WORDS.get(plan.status, plan.status)),
            "instalments": plan.instalments,
            "schedule": [{"seq": i.seq, "status": i.status,
                          "day": formats.day(i.due_at.astimezone(tz).date(), locale),
                          "amount": display.money(i.amount_minor, receivable.currency, locale),
                          "words": str(INSTALMENT_WORDS.get(i.status, i.status))}
                         for i in plan.schedule]}


def plan_preview(receivable: Receivable, n: int, now: datetime) -> dict | None:
    """The schedule an n-instalment request sent now would fix (plans.proposed_schedule), as
    the client reads it before sending: each day in words, each amount, and their total (the
    balance to the cent); None when the instalments would be too small."""
    try:
        steps = plans.proposed_schedule(receivable, n, now)
    except Invalid:
        return None
    locale, tz = current_locale(), receivable.client.timezone

    def money(amount: int) -> str:
        return display.money(amount, receivable.currency, locale)

    return {"rows": [{"seq": seq, "day": formats.local_day(due, tz, locale),
                      "amount": money(amount)}
                     for seq, (due, amount) in enumerate(steps, start=1)],
            "total": money(sum(amount for _due, amount in steps))}


def actions(receivable: Receivable, plan: PaymentPlan | None) -> set[str]:
    """The client's actions open now: pay always while owed; a running plan owns the pause
    (no dispute, promise or second plan over it); a bank dispute is the bank's."""
    if receivable.status in CLOSED:
        return set()
    reason = receivable.pause_reason if receivable.status == "paused" else None
    # a card form of a provider whose account takes no payment now would only fail
    cards_off = set() if connect.can_take_payments(receivable.provider) else {"pay", "plan"}
    if plan is not None and plan.status in plans.ACTIVE:
        return {"pay"} - cards_off
    opened = {"pay", "plan", "promise", "dispute"} - cards_off
    if receivable.penalties_alone:  # instalments divide the invoice's balance, now 0
        opened.discard("plan")
    if reason == "stripe_dispute":
        opened -= {"plan", "promise"}
    if reason == "client_dispute":
        opened.discard("dispute")
    return opened
