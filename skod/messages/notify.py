"""E-mails of a paid question's life, to the client and the provider, in each one's language."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from skod.core import formats
from skod.core.signing import make_token
from skod.core.urls import public_url
from skod.dunning.debts import moved
from skod.invoicing.issuing import documents_for
from skod.messages.models import Message
from skod.notifications import mail


def client_url(message: Message) -> str:
    """The client's page of the question (signed link): status, reply, pay link."""
    return public_url(f"/m/{message.id}/{make_token('message', message.id)}")


def inbox_url(message: Message) -> str:
    return public_url(f"/inbox/{message.id}")


def deadline_words(message: Message, tz: str, locale: str) -> str:
    if message.reply_deadline is None:
        return "-"
    return formats.moment(message.reply_deadline, tz, locale)


def _details(message: Message, tz: str, locale: str) -> list[tuple[str, str]]:
    return [(_("Question"), message.offer.title), (_("To"), message.provider.name),
            (_("Price"), message.price.format(locale)),
            (_("Answer before"), deadline_words(message, tz, locale)),
            (_("Reference"), f"#{message.id}")]


def _send_client(message: Message, subject: str, paragraphs: list[str],
                 action: str | None, invoice_ids: list[int] | None = None) -> None:
    client = message.client
    with force_locale(client.locale):
        ctx = {"greeting": _("Hello %(name)s,", name=client.name), "paragraphs": paragraphs,
               "action_url": client_url(message) if action else None, "action_label": action,
               "details": _details(message, client.timezone, client.locale)}
    mail.send(mail.build(to=client.email, template="message", subject=subject, context=ctx,
                         locale=client.locale), invoice_ids)


def _send_provider(message: Message, subject: str, paragraphs: list[str]) -> None:
    provider = message.provider
    with force_locale(provider.locale):
        ctx = {"greeting": _("Hello %(name)s,", name=provider.name), "paragraphs": paragraphs,
               "action_url": inbox_url(message), "action_label": _("Open your inbox"),
               "details": _details(message, provider.timezone, provider.locale)
               + [(_("Client"), f"{message.client.name} <{message.client.email}>")]}
    mail.send(mail.build(to=provider.email, template="message", subject=subject, context=ctx,
                         locale=provider.locale))


def question_held(message: Message) -> None:
    """The price is held: the client has a receipt of the question, the provider is asked."""
    with force_locale(message.client.locale):
        _send_client(message, _("Your question to %(name)s is sent", name=message.provider.name),
                     [_("Your question is sent. The price is held on your card and charged only "
                        "when the answer is sent."),
                      _("Without an answer by the deadline, the amount held is released.")],
                     _("Follow your question"))
    with force_locale(message.provider.locale):
        _send_provider(message, _("New paid question #%(id)s", id=message.id),
                       [_("A client asked a question and the price is held on their card."),
                        _("Answer before the deadline to be paid.")])


def reply_delivered(message: Message) -> None:
    """Paid: the reply goes to the client, in the e-mail and on the page, with the invoice."""
    invoices = documents_for("message", message.id)
    # what moved (its capture, or its debt's payments): moved.py, never a figure of its own
    got = moved.for_service(f"message:{message.id}", message.payments, message.price_minor,
                            message.currency)
    with force_locale(message.client.locale):
        locale = message.client.locale
        charged = [_("You were charged %(amount)s.",
                     amount=formats.money(got.charged_minor, got.currency, locale))]
        if got.paid_minor > got.charged_minor:
            charged.append(_("In all, %(amount)s paid for this answer.",
                             amount=formats.money(got.paid_minor, got.currency, locale)))
        _send_client(message, _("%(name)s answered your question", name=message.provider.name),
                     [_("Here is the answer:"), message.reply_body or "", *charged],
                     _("See the question and the answer"), invoices)


def declined(message: Message) -> None:
    with force_locale(message.client.locale):
        lines = [_("%(name)s will not answer this question. The amount held on your card is "
                   "released.", name=message.provider.name)]
        if message.decline_note:
            lines += [_("Their note:"), message.decline_note]
        _send_client(message, _("Your question was declined"), lines, _("See your question"))


def expired(message: Message) -> None:
    with force_locale(message.client.locale):
        _send_client(message, _("Your question was not answered in time"),
                     [_("No answer came before the deadline. The amount held on your card is "
                        "released; you were not charged.")], _("See your question"))
    with force_locale(message.provider.locale):
        _send_provider(message, _("Question #%(id)s expired without an answer", id=message.id),
                       [_("The deadline passed without an answer: the amount held was released "
                          "to the client.")])


def reminder(message: Message, hours: int) -> None:
    with force_locale(message.provider.locale):
        _send_provider(message, _("Reminder: question #%(id)s to answer within %(n)s hours",
                                  id=message.id, n=hours),
                       [_("A paid question waits for your answer. Without an answer by the "
                          "deadline, the amount held is released to the client.")])
