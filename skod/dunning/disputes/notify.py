"""The client hears the provider's word on their dispute, in the provider's voice: the sender's
name is the provider's (the address stays the platform's, Reply-To the provider's), the e-mail
is signed by the provider, in the client's language. A credit note goes attached."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from skod.core.formats import money
from skod.dunning.debts import links
from skod.dunning.debts.models import Receivable
from skod.dunning.debts.notices import label
from skod.dunning.disputes.labels import quoted
from skod.dunning.disputes.models import ClientDispute
from skod.invoicing.models import Invoice
from skod.notifications import mail


def provider_name(receivable: Receivable) -> str:
    provider = receivable.provider
    return provider.company_name or provider.name


def _send(receivable: Receivable, subject: str, paragraphs: list[str], pay: bool,
          note: Invoice | None = None) -> None:
    """Call inside force_locale(the client's locale)."""
    provider, client = receivable.provider, receivable.client
    locale = links.locale_of(client)
    details = [(_("Invoice"), label(receivable))]
    if note is not None:
        details.append((_("Credit note"), note.number))
    if receivable.status not in ("paid", "written_off"):
        details.append((_("Balance due"), money(receivable.balance_minor, receivable.currency,
                                                locale)))
    msg = mail.build(to=client.email, template="message", subject=subject, locale=locale,
                     context={"greeting": _("Hello %(name)s,", name=client.name),
                              "paragraphs": paragraphs, "details": details,
                              "action_url": links.pay_url(receivable) if pay else None,
                              "action_label": _("Pay online")},
                     sender=links.voice(provider))
    mail.send(msg, [note.id] if note is not None else None)


def answered(receivable: Receivable, dispute: ClientDispute) -> None:
    name, number = provider_name(receivable), label(receivable)
    with force_locale(links.locale_of(receivable.client)):
        _send(receivable, _("%(name)s answers your dispute of invoice %(number)s", name=name,
                            number=number),
              [_("%(name)s answers the dispute you sent about invoice %(number)s:", name=name,
                 number=number), quoted(dispute.answer),
               _("The reminders stay paused until %(name)s decides. You can answer by "
                 "replying to this e-mail.", name=name)], pay=False)


def rejected(receivable: Receivable, dispute: ClientDispute) -> None:
    name, number = provider_name(receivable), label(receivable)
    locale = links.locale_of(receivable.client)
    with force_locale(locale):
        balance = money(receivable.balance_minor, receivable.currency, locale)
        _send(receivable, _("Your dispute of invoice %(number)s is not accepted",
                            number=number),
              [_("%(name)s does not accept your dispute of invoice %(number)s. Their reason:",
                 name=name, number=number), quoted(dispute.rejection),
               _("The balance of %(amount)s remains due: you can pay it with the secure link.",
                 amount=balance)], pay=True)


def partly_accepted(receivable: Receivable, dispute: ClientDispute, note: Invoice) -> None:
    name, number = provider_name(receivable), label(receivable)
    locale = links.locale_of(receivable.client)
    with force_locale(locale):
        credited = money(dispute.credited_minor, receivable.currency, locale)
        balance = money(receivable.balance_minor, receivable.currency, locale)
        _send(receivable, _("Your dispute of invoice %(number)s: the amount is lowered",
                            number=number),
              [_("%(name)s accepts part of your dispute of invoice %(number)s: the amount "
                 "owed is lowered by %(amount)s.", name=name, number=number, amount=credited),
               _("The credit note %(number)s is attached.", number=note.number),
               _("The balance of %(amount)s remains due: you can pay it with the secure link.",
                 amount=balance)], pay=True, note=note)


def accepted(receivable: Receivable, dispute: ClientDispute, note: Invoice | None) -> None:
    name, number = provider_name(receivable), label(receivable)
    with force_locale(links.locale_of(receivable.client)):
        paragraphs = [_("%(name)s accepts your dispute of invoice %(number)s: you owe nothing "
                        "more for it, and no reminder will follow.", name=name, number=number)]
        if note is not None:
            paragraphs.append(_("The credit note %(number)s is attached.", number=note.number))
        _send(receivable, _("Your dispute of invoice %(number)s is accepted", number=number),
              paragraphs, pay=False, note=note)
