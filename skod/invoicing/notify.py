"""E-mails of invoicing: the credit note of a refund, sent to the client with its PDF."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from skod.core.money import Money
from skod.invoicing.models import Invoice
from skod.notifications import mail


def credit_note_issued(note: Invoice, reason: str | None = None) -> None:
    """The refund's amount in money and, when the provider gave one, its reason."""
    client, seller = note.client, note.snapshot["seller"]
    name = seller.get("company_name") or seller.get("name") or ""
    with force_locale(note.locale):
        amount = Money(note.ttc_minor, note.currency).format(note.locale)
        ctx = {"greeting": _("Hello %(name)s,", name=client.name),
               "paragraphs": [_("%(name)s refunded you %(amount)s.", name=name, amount=amount),
                              *([_("Reason given: %(reason)s", reason=reason)] if reason
                                else []),
                              _("The refund goes back to the card you paid with; your bank "
                                "may take a few days to show it."),
                              _("The credit note %(number)s is attached.", number=note.number)],
               "action_url": None, "action_label": None,
               "details": [(_("Credit note"), note.number),
                           (_("Invoice"), note.credited.number if note.credited else "")]}
        subject = _("Refund from %(name)s", name=name)
    mail.send(mail.build(to=client.email, template="message", subject=subject, context=ctx,
                         locale=note.locale), [note.id])
