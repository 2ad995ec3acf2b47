"""E-mails of the payments domain: a client's dispute (chargeback or inquiry), told to the
provider at once with the evidence deadline and the evidence Skod holds, when a lost one goes to
appeal (with the appeal's deadline), and when it is closed."""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _

from skod.accounts.models import Provider
from skod.core.formats import moment
from skod.core.money import Money
from skod.core.urls import public_url
from skod.extensions import db
from skod.notifications import mail
from skod.payments import hooks
from skod.payments.disputes import Dispute, reason_words, status_words
from skod.payments.models import Payment


def _deadline(dispute: Dispute, provider: Provider) -> str:
    if dispute.evidence_due_by is None:
        return _("as soon as possible")
    return moment(dispute.evidence_due_by, provider.timezone, provider.locale)


def _paragraphs(dispute: Dispute, amount: str, provider: Provider, change: str) -> list[str]:
    if change == "appeal":
        return [_("The dispute of %(amount)s, lost, can be appealed. The amount stays "
                  "withdrawn, and owed to you, until the bank decides the appeal.",
                  amount=amount),
                _("Send your appeal evidence through your Stripe dashboard before "
                  "%(deadline)s: after that date the loss stands.",
                  deadline=_deadline(dispute, provider))]
    if change == "opened" and dispute.status.startswith("warning_"):
        return [_("Your client's bank asks about a payment of %(amount)s (%(reason)s). This "
                  "inquiry moves no money yet; unanswered, it can become a dispute.",
                  amount=amount, reason=reason_words(dispute.reason)),
                _("Answer through your Stripe dashboard before %(deadline)s.",
                  deadline=_deadline(dispute, provider))]
    if change == "opened":
        return [_("Your client disputed a payment of %(amount)s with their bank (%(reason)s). "
                  "The bank has taken the amount back while it decides.",
                  amount=amount, reason=reason_words(dispute.reason)),
                _("Send your evidence through your Stripe dashboard before %(deadline)s: after "
                  "that date the bank decides without it.",
                  deadline=_deadline(dispute, provider)),
                _("What Skod holds of the service delivered is listed below; attach it with "
                  "the invoice.")]
    if dispute.status == "lost":
        return [_("The bank decided the dispute of %(amount)s in the client's favour. The "
                  "amount is owed to you again and shows as the balance of the invoice.",
                  amount=amount)]
    return [_("The dispute of %(amount)s is closed: %(status)s.", amount=amount,
              status=status_words(dispute.status))]


def _subject(dispute: Dispute, amount: str, provider: Provider, change: str) -> str:
    if change == "opened":
        return _("A client disputes %(amount)s: evidence due by %(deadline)s", amount=amount,
                 deadline=_deadline(dispute, provider))
    if change == "appeal":
        return _("Dispute of %(amount)s lost: appeal evidence due by %(deadline)s",
                 amount=amount, deadline=_deadline(dispute, provider))
    return _("Dispute of %(amount)s closed: %(status)s", amount=amount,
             status=status_words(dispute.status))


def dispute_seen(dispute_id: int, change: str, now: datetime) -> None:
    """Opened: the deadline and the evidence. Appealed: the appeal's deadline. Closed: the
    outcome. Nothing in between."""
    dispute = db.session.get(Dispute, dispute_id)
    if dispute is None:
        return
    payment = db.session.get(Payment, dispute.payment_id)
    provider = db.session.get(Provider, payment.provider_id)
    with force_locale(provider.locale):
        amount = Money(dispute.amount_minor, dispute.currency).format(provider.locale)
        details = [(_("Amount disputed"), amount), (_("Reason"), reason_words(dispute.reason)),
                   (_("Evidence due by"), _deadline(dispute, provider)),
                   (_("Payment"), f"#{payment.id}"), *hooks.evidence(payment)]
        ctx = {"greeting": _("Hello %(name)s,", name=provider.name),
               "paragraphs": _paragraphs(dispute, amount, provider, change),
               "action_url": public_url("/dashboard"), "action_label": _("Open your dashboard"),
               "details": details}
        subject = _subject(dispute, amount, provider, change)
    db.session.commit()
    mail.send(mail.build(to=provider.email, template="message", subject=subject, context=ctx,
                         locale=provider.locale))


def register() -> None:
    hooks.on_dispute(dispute_seen)
