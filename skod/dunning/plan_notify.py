"""E-mails to the client about a payment plan: the provider's decision (with the schedule when
accepted) and a failed instalment. In the client's language, with the pay link.

The provider's side goes through notify.provider_told like every other news of a case."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask_babel import force_locale
from flask_babel import gettext as _

from skod.core.money import Money
from skod.dunning import links
from skod.dunning.models import PaymentPlan, Receivable
from skod.notifications import mail


def decided(receivable: Receivable, plan: PaymentPlan, accepted: bool) -> None:
    client, provider = receivable.client, receivable.provider
    with force_locale(client.locale):
        if accepted:
            subject = _("Your payment plan is accepted")
            lines = [_("%(provider)s accepts your payment plan: %(n)s monthly instalments, "
                       "charged to your saved card on these days.",
                       provider=provider.name, n=plan.instalments)]
            lines += [_schedule_line(receivable, i.due_at, i.amount_minor)
                      for i in plan.schedule]
        else:
            subject = _("Your payment plan is not accepted")
            lines = [_("%(provider)s cannot accept a payment plan. The amount of "
                       "%(balance)s is still due: you may pay it from the link below.",
                       provider=provider.name, balance=_money(receivable))]
        _send(receivable, subject, lines)


def failed(receivable: Receivable, plan: PaymentPlan) -> None:
    client = receivable.client
    with force_locale(client.locale):
        _send(receivable, _("An instalment of your payment plan failed"), [
            _("Your card was refused for an instalment of your payment plan with "
              "%(provider)s, so the plan stops. The remaining %(balance)s is due now: you may "
              "pay it from the link below.", provider=receivable.provider.name,
              balance=_money(receivable))])


def _money(receivable: Receivable) -> str:
    return Money(receivable.balance_minor, receivable.currency).format(
        receivable.client.locale)


def _schedule_line(receivable: Receivable, due_at: datetime, amount: int) -> str:
    client = receivable.client
    day = due_at.astimezone(ZoneInfo(client.timezone)).date()
    return _("%(day)s: %(amount)s", day=format_date(day, "long", locale=client.locale),
             amount=Money(amount, receivable.currency).format(client.locale))


def _send(receivable: Receivable, subject: str, lines: list[str]) -> None:
    client = receivable.client
    invoice = receivable.invoice
    details = [(_("Invoice"), invoice.number if invoice else f"R{receivable.id}"),
               (_("Provider"), receivable.provider.name)]
    msg = mail.build(to=client.email, template="message", subject=subject,
                     context={"greeting": _("Hello %(name)s,", name=client.name),
                              "paragraphs": lines, "action_url": links.pay_url(receivable),
                              "action_label": _("Open the payment page"), "details": details},
                     locale=client.locale)
    mail.send(msg)
