"""Short dunning notices (provider_paid / provider_told): the provider hears that
a debt was paid, promised, disputed, or that a payment plan was proposed, accepted, refused or
failed; the client hears the provider's answer to their plan and of a failed instalment.

Each e-mail is in its reader's language and time zone and links to where the reader acts: the
case page for the provider, the pay page for the client.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from skod.dunning.debts import links, moved
from skod.dunning.debts.links import case_url, locale_of
from skod.dunning.debts.models import DunningEvent, PaymentPlan, Receivable
from skod.dunning.receivables import labels
from skod.dunning.reminders.letter_facts import day, money
from skod.extensions import db
from skod.notifications import mail

#: how the last payment reached the provider (settle's `via`)
VIA_WORDS = {"card": _l("by card"), "transfer": _l("by bank transfer"),
             "instalment": _l("in instalments"), "instalments": _l("in instalments"),
             "plan": _l("in instalments"), "invoice": _l("on the service's own payment page")}
TOLD = ("promise", "client_dispute", "plan_proposed", "plan_accepted", "plan_refused",
        "plan_failed")


def label(receivable: Receivable) -> str:
    return receivable.invoice.number if receivable.invoice else links.transfer_reference(
        receivable)


def _money(receivable: Receivable, amount_minor: int, locale: str) -> str:
    return money(amount_minor, receivable.currency, locale)


def _day(moment: datetime | None, tz: str, locale: str) -> str:
    return day(moment.astimezone(ZoneInfo(tz)).date(), locale) if moment else "-"


def to_provider(receivable: Receivable, subject: str, paragraphs: list[str],
                attachments: list[tuple[str, str, bytes]] | None = None) -> None:
    """Call inside force_locale(the provider's locale)."""
    provider, client = receivable.provider, receivable.client
    locale = locale_of(provider)
    details = [(_("Client"), f"{client.name} <{client.email}>"),
               (_("Invoice"), label(receivable)),
               (_("Balance due"), _money(receivable, receivable.balance_minor, locale))]
    msg = mail.build(to=provider.email, template="message", subject=subject, locale=locale,
                     context={"greeting": _("Hello %(name)s,", name=provider.name),
                              "paragraphs": paragraphs, "action_url": case_url(receivable),
                              "action_label": _("Open the case"), "details": details},
                     attachments=attachments)
    mail.send(msg)


def to_client(receivable: Receivable, subject: str, paragraphs: list[str],
              details: list[tuple[str, str]], pay: bool) -> None:
    """Call inside force_locale(the client's locale)."""
    provider, client = receivable.provider, receivable.client
    msg = mail.build(to=client.email, template="message", subject=subject,
                     locale=locale_of(client),
                     context={"greeting": _("Hello %(name)s,", name=client.name),
                              "paragraphs": paragraphs,
                              "action_url": links.pay_url(receivable) if pay else None,
                              "action_label": _("Pay online"), "details": details},
                     sender=links.voice(provider))
    mail.send(msg)


def paid(receivable: Receivable, via: str | None) -> None:
    """The last payment (by how it came) and, when several paid the debt, the total: read
    from moved.py, as every payment e-mail."""
    locale = locale_of(receivable.provider)
    got = moved.for_debt(receivable)
    with force_locale(locale):
        how = VIA_WORDS.get(via or "")
        last = got.charged_minor or got.paid_minor or receivable.principal_minor
        amount = _money(receivable, last, locale)
        words = [_("%(client)s paid %(amount)s %(how)s.", client=receivable.client.name,
                   amount=amount, how=str(how)) if how else
                 _("%(client)s paid %(amount)s.", client=receivable.client.name, amount=amount)]
        if got.paid_minor > last:
            words.append(_("In all, %(amount)s was paid for this invoice.",
                           amount=_money(receivable, got.paid_minor, locale)))
        to_provider(receivable, _("Paid: invoice %(number)s", number=label(receivable)),
                    [*words, _("The case is closed: no further reminder will be sent.")])


def debt_opened(rows: list[Receivable]) -> None:
    """With the client's notice (step 0), one e-mail for the same debts: the provider learns
    the payments failed for good, why, and what Skod does next, so that nobody chases the
    client a second time by hand."""
    first, provider = rows[0], rows[0].provider
    locale = locale_of(provider)
    with force_locale(locale):
        lines = [_("The payment of %(amount)s by %(client)s for invoice %(number)s did not go "
                   "through: %(why)s.", amount=_money(r, r.balance_minor, locale),
                   client=r.client.name, number=label(r),
                   why=labels.failure(r.failure_code, r.failure_kind))
                 if r.failure_code or r.failure_kind else
                 _("Invoice %(number)s of %(client)s (%(amount)s) is still unpaid after its due "
                   "date.", amount=_money(r, r.balance_minor, locale), client=r.client.name,
                   number=label(r)) for r in rows]
        lines.append(_("Your client was sent a notice with a link to pay online."))
        retry = min((r.next_retry_at for r in rows if r.next_retry_at), default=None)
        if retry is not None:
            lines.append(_("The saved card will be tried again on %(day)s.", day=_day(
                retry, provider.timezone, locale)))
        lines.append(_("Reminders follow by themselves until it is paid; you can pause them, "
                       "send one now or mark a transfer as received on the case page."))
        failure = any(r.failure_code or r.failure_kind for r in rows)
        to_provider(first, _("Payment failed: invoice %(number)s", number=label(first))
                    if failure else _("Unpaid invoice %(number)s: reminders started",
                                      number=label(first)), lines)


def told(receivable: Receivable, what: str, data: dict) -> None:
    if what not in TOLD:
        raise ValueError(f"unknown dunning notice {what!r}")
    if what == "promise":
        return promised(receivable, data.get("on") or receivable.paused_until)
    if what == "client_dispute":
        return disputed(receivable, str(data.get("reason") or ""))
    plan = plan_of(receivable, data.get("plan_id"))
    if what == "plan_proposed":
        return plan_proposed(receivable, plan)
    return plan_decided(receivable, what, plan, data.get("amount_minor"))


def plan_of(receivable: Receivable, plan_id: object) -> PaymentPlan | None:
    if plan_id is not None:
        return db.session.get(PaymentPlan, plan_id)
    return db.session.scalar(select(PaymentPlan).where(
        PaymentPlan.receivable_id == receivable.id).order_by(PaymentPlan.id.desc()).limit(1))


def promised(receivable: Receivable, on: datetime | None) -> None:
    provider = receivable.provider
    with force_locale(locale_of(provider)):
        when = _day(on, provider.timezone, locale_of(provider))
        to_provider(receivable, _("Invoice %(number)s: payment promised for %(date)s",
                                  number=label(receivable), date=when),
                    [_("%(client)s promises to pay invoice %(number)s by %(date)s.",
                       client=receivable.client.name, number=label(receivable), date=when),
                     _("The reminders wait until that date; if the invoice is still unpaid "
                       "then, they resume by themselves.")])


def disputed(receivable: Receivable, reason: str) -> None:
    with force_locale(locale_of(receivable.provider)):
        to_provider(receivable, _("Invoice %(number)s is disputed by your client",
                                  number=label(receivable)),
                    [_("%(client)s disputes invoice %(number)s. Their reason:",
                       client=receivable.client.name, number=label(receivable)),
                     f"“{reason}”",
                     _("The reminders are paused. On the case page, answer your client, "
                       "accept part or all of it (a credit note lowers the amount), or reject "
                       "it with your reason: the reminders then resume.")])


def plan_proposed(receivable: Receivable, plan: PaymentPlan | None) -> None:
    """The provider reads the schedule asked for (days and amounts) before deciding."""
    count = plan.instalments if plan else 0
    provider = receivable.provider
    with force_locale(locale_of(provider)):
        locale = locale_of(provider)
        days = [_("Instalment no. %(seq)s, %(day)s: %(amount)s", seq=seq, day=day,
                  amount=amount) for seq, (day, amount) in enumerate(
                      schedule_rows(receivable, plan, provider.timezone, locale), start=1)]
        to_provider(receivable, _("Invoice %(number)s: a payment plan is proposed",
                                  number=label(receivable)),
                    [_("%(client)s asks to pay invoice %(number)s in %(count)s monthly "
                       "instalments, charged to their saved card.",
                       client=receivable.client.name, number=label(receivable), count=count),
                     *days,
                     _("Accept or refuse it on the case page; the reminders wait for your "
                       "answer.")])


def schedule_rows(receivable: Receivable, plan: PaymentPlan | None,
                  tz: str, locale: str) -> list[tuple[str, str]]:
    return [(_day(i.due_at, tz, locale), _money(receivable, i.amount_minor, locale))
            for i in (plan.schedule if plan else [])]


def plan_decided(receivable: Receivable, what: str, plan: PaymentPlan | None,
                 failed_minor: object) -> None:
    """Accepted, refused or failed: the provider keeps a record, the client is told."""
    name, number = receivable.client.name, label(receivable)
    with force_locale(locale_of(receivable.provider)):
        subject, line = {
            "plan_accepted": (_("Invoice %(number)s: payment plan accepted", number=number),
                              _("The payment plan of %(client)s is accepted: its instalments "
                                "are charged to their saved card on their dates.", client=name)),
            "plan_refused": (_("Invoice %(number)s: payment plan refused", number=number),
                             _("The payment plan of %(client)s is refused: the reminders "
                               "resume.", client=name)),
            "plan_failed": (_("Invoice %(number)s: an instalment failed", number=number),
                            _("An instalment of the payment plan of %(client)s could not be "
                              "charged: the plan stops and the reminders resume.", client=name)),
        }[what]
        to_provider(receivable, subject, [line])
    with force_locale(locale_of(receivable.client)):
        plan_to_client(receivable, what, plan, failed_minor)


def plan_to_client(receivable: Receivable, what: str, plan: PaymentPlan | None,
                   failed_minor: object) -> None:
    """Call inside force_locale(the client's locale)."""
    provider, client = receivable.provider, receivable.client
    locale, number = locale_of(client), label(receivable)
    if what == "plan_accepted":
        to_client(receivable, _("Your payment plan is accepted"),
                  [_("%(name)s accepted your payment plan for invoice %(number)s. Each "
                     "instalment will be charged to your saved card on its date:",
                     name=provider.name, number=number)],
                  schedule_rows(receivable, plan, client.timezone, locale), pay=False)
        return
    still_due = _("The balance of %(amount)s remains due: you can pay it with the secure "
                  "link, or write to %(email)s.",
                  amount=_money(receivable, receivable.balance_minor, locale),
                  email=provider.email)
    if what == "plan_refused":
        to_client(receivable, _("Your payment plan was not accepted"),
                  [_("%(name)s could not accept your payment plan for invoice %(number)s.",
                     name=provider.name, number=number), still_due], [], pay=True)
        return
    missed = _money(receivable, failed_minor, locale) if isinstance(failed_minor, int) else "-"
    to_client(receivable, _("An instalment could not be charged"),
              [_("The instalment of %(missed)s for invoice %(number)s could not be charged to "
                 "your card, so the payment plan stops.", missed=missed, number=number),
               still_due], [], pay=True)


def instalment_paid(receivable: Receivable, plan: PaymentPlan) -> None:
    """An instalment went through and the debt is still open: the client reads what was
    charged now, what is left (moved.py) and when the next one comes."""
    client, got = receivable.client, moved.for_debt(receivable)
    locale = locale_of(client)
    upcoming = min((i.due_at for i in plan.schedule if i.status == "scheduled"), default=None)
    with force_locale(locale):
        lines = [_("An instalment of %(amount)s was charged for invoice %(number)s.",
                   amount=_money(receivable, got.charged_minor, locale),
                   number=label(receivable)),
                 _("Left to pay: %(amount)s.", amount=_money(receivable, got.left_minor,
                                                             locale))]
        if upcoming is not None:
            lines.append(_("The next instalment is charged on %(day)s.",
                           day=_day(upcoming, client.timezone, locale)))
        to_client(receivable, _("Instalment charged: invoice %(number)s",
                                number=label(receivable)), lines, [], pay=False)


def provider_paid(receivable: Receivable) -> None:
    """The debt is paid in full: how, and that the case is closed."""
    paid(receivable, last_via(receivable))


def provider_told(receivable: Receivable, what: str, **data: object) -> None:
    """`what`: promise (data: on, else the pause's date), client_dispute (reason),
    plan_proposed / plan_accepted / plan_refused / plan_failed (plan_id, else the latest plan;
    plan_failed: amount_minor of the instalment that failed). The client hears of the
    provider's decision on a plan, and of a failed instalment, too."""
    told(receivable, what, data)


def last_via(receivable: Receivable) -> str | None:
    event = db.session.scalar(
        select(DunningEvent).where(DunningEvent.receivable_id == receivable.id,
                                   DunningEvent.kind.in_(("paid", "payment")))
        .order_by(DunningEvent.id.desc()).limit(1))
    return (event.data or {}).get("via") if event is not None else None
