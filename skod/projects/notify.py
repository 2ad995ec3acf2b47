"""E-mails of a project's life, to the client (signed link) and the provider, each in their
own language."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from skod.core import formats
from skod.core.money import Money
from skod.core.signing import make_token
from skod.core.urls import public_url
from skod.dunning.debts import moved
from skod.invoicing.issuing import documents_for
from skod.notifications import mail
from skod.payments.decline_labels import failure_words


def client_url(project) -> str:  # noqa: ANN001 - a Project
    return public_url(f"/pr/{project.id}/{make_token('project', project.id)}")


def provider_url(project) -> str:  # noqa: ANN001
    return public_url(f"/projects/{project.id}")


def _money(amount: int, project, locale: str) -> str:  # noqa: ANN001
    return Money(amount, project.currency).format(locale)


def _details(project, milestone, locale: str,  # noqa: ANN001
             other: tuple[str, str] | None = None) -> list[tuple[str, str]]:
    """The project's facts; `other` is the other side (the provider for the client's copy)."""
    rows = [(_("Project"), project.title), other or (_("With"), project.provider.name)]
    if milestone is not None:
        rows += [(_("Milestone"), f"{milestone.position}. {milestone.title}"),
                 (_("Amount"), _money(milestone.amount_minor, project, locale))]
    rows.append((_("Reference"), f"P{project.id}"))
    return rows


def _to_client(project, milestone, subject, lines, action: str | None,  # noqa: ANN001
               invoice_ids: list[int] | None = None) -> None:
    client = project.client
    with force_locale(client.locale):
        ctx = {"greeting": _("Hello %(name)s,", name=client.name),
               "paragraphs": [str(line()) for line in lines],
               "action_url": client_url(project) if action else None,
               "action_label": str(action()) if action else None,
               "details": _details(project, milestone, client.locale)}
        mail.send(mail.build(to=client.email, template="message", subject=str(subject()),
                             context=ctx, locale=client.locale), invoice_ids)


def _to_provider(project, milestone, subject, lines) -> None:  # noqa: ANN001
    provider = project.provider
    with force_locale(provider.locale):
        ctx = {"greeting": _("Hello %(name)s,", name=provider.name),
               "paragraphs": [str(line()) for line in lines],
               "action_url": provider_url(project), "action_label": _("Open the project"),
               # the provider's own copy names the client, not the provider
               "details": _details(project, milestone, provider.locale, (
                   _("Client"), f"{project.client.name} <{project.client.email}>"))}
        mail.send(mail.build(to=provider.email, template="message", subject=str(subject()),
                             context=ctx, locale=provider.locale))


# Texts are built inside each recipient's locale: hence the lambdas.
def project_sent(project) -> None:  # noqa: ANN001
    loc = project.client.locale
    deposit = sum(m.deposit_credit_minor for m in project.live_milestones())
    lines = [lambda: _("%(name)s sent you a project: %(title)s.", name=project.provider.name,
                       title=project.title),
             lambda: _("Read it, accept the terms and save your card. Each milestone is "
                       "charged when you approve its delivery.") if project.approval == "client"
             else _("Read it, accept the terms and save your card. Each milestone is "
                    "charged when it is delivered.")]
    if deposit:
        lines.append(lambda: _("A deposit of %(amount)s is charged when you accept.",
                               amount=_money(deposit, project, loc)))
    _to_client(project, None, lambda: _("Project proposal: %(title)s", title=project.title),
               lines, lambda: _("Read and accept the project"))


def project_accepted(project) -> None:  # noqa: ANN001
    deposit = project.deposit_payment()
    paid = deposit.amount_captured_minor if deposit is not None else 0
    invoices = documents_for("deposit", project.id) if paid else []

    def deposit_line(loc: str) -> list:
        # no deposit taken (none asked, or not charged): no "Deposit charged: 0,00 €" line
        return [lambda: _("Deposit charged: %(amount)s.", amount=_money(paid, project, loc))
                ] if paid else []

    sepa = project.payment_method_kind == "sepa_debit"
    _to_provider(project, None, lambda: _("Project accepted: %(title)s", title=project.title),
                 [lambda: _("The client accepted the project and signed a SEPA Direct Debit "
                            "mandate: each milestone is debited when it starts.") if sepa
                  else _("The client accepted the project and saved a card.")]
                 + deposit_line(project.provider.locale))
    _to_client(project, None, lambda: _("You accepted the project %(title)s",
                                        title=project.title),
               [lambda: _("Thank you. Each milestone is debited from your bank account when "
                          "it starts, under your SEPA Direct Debit mandate.") if sepa
                else _("Thank you. Your card is saved for the milestones.")]
               + deposit_line(project.client.locale),
               lambda: _("See the project"), invoices)


def milestone_delivered(milestone) -> None:  # noqa: ANN001
    project, client = milestone.project, milestone.project.client
    lines = [lambda: _("The milestone \"%(title)s\" is delivered.", title=milestone.title)]
    if milestone.delivery_note:
        lines.append(lambda: milestone.delivery_note)
    if milestone.status == "awaiting_approval":
        when = formats.moment(milestone.approval_deadline, client.timezone, client.locale)
        lines.append(lambda: _("Approve it or contest it before %(when)s; without an answer "
                               "it is approved and charged then.", when=when))
    _to_client(project, milestone, lambda: _("Milestone delivered: %(title)s",
                                             title=milestone.title),
               lines, (lambda: _("Approve or contest")) if milestone.status == "awaiting_approval"
               else (lambda: _("See the project")))


def milestone_paid(milestone) -> None:  # noqa: ANN001
    """What moved (moved.py: the milestone's own capture, or its debt's payments) and what is
    left, never figures of its own."""
    project = milestone.project
    got = moved.for_service(f"milestone:{milestone.id}", milestone.payments,
                            milestone.due_minor, project.currency)
    credit = milestone.deposit_credit_minor

    def lines(loc: str) -> list:
        said = [lambda: _("%(amount)s charged for this milestone.",
                          amount=_money(got.charged_minor, project, loc)) if got.charged_minor
                else _("Nothing was charged for this milestone.")]
        if got.paid_minor > got.charged_minor:  # paid in several payments (instalments...)
            said.append(lambda: _("In all, %(amount)s paid for this milestone.",
                                  amount=_money(got.paid_minor, project, loc)))
        if credit:
            said.append(lambda: _("Deposit credited: %(amount)s.",
                                  amount=_money(credit, project, loc)))
        said.append(lambda: _("Left to pay for this milestone: %(amount)s.",
                              amount=_money(got.left_minor, project, loc)) if got.left_minor
                    else _("Nothing is left to pay for this milestone."))
        return said

    subject = lambda: _("Milestone paid: %(title)s", title=milestone.title)  # noqa: E731
    _to_client(project, milestone, subject, lines(project.client.locale),
               lambda: _("See the project"), documents_for("milestone", milestone.id))
    _to_provider(project, milestone, subject, lines(project.provider.locale))


def hold_not_secured(milestone, payment) -> None:  # noqa: ANN001
    """Before delivery the hold was declined or the bank wants the client: nothing is owed
    yet, so no invoice; the client is asked to authorize, the provider warned not to work
    unpaid meanwhile."""
    project, code = milestone.project, payment.last_error_code
    bank = payment.status == "requires_action" or (
        payment.last_error_kind == "authentication_required")

    def why() -> str:
        if bank:
            return _("Your bank asks you to confirm the amount reserved for this milestone.")
        return _("Your card was declined when the amount of this milestone was to be "
                 "reserved. %(why)s", why=failure_words(code))

    def cause() -> str:
        if bank:
            return _("The client's bank asks the client to confirm the payment of this "
                     "milestone.")
        # the decline words speak to the card holder: the provider reads the fact only
        return _("The client's card was declined when the amount of this milestone was to "
                 "be reserved.")

    _to_client(project, milestone, lambda: _("Action needed: secure the payment of %(title)s",
                                             title=milestone.title),
               [why, lambda: _not_owed_yet(project),
                lambda: _("Until you authorize it, the work on this milestone is not paid "
                          "for. Please open the project and authorize the payment, with "
                          "this card or another one.")],
               lambda: _("Authorize the payment"))
    _to_provider(project, milestone, lambda: _("Payment not secured: %(title)s",
                                               title=milestone.title),
                 [cause, lambda: _("The payment of this milestone is not secured: the client "
                                   "was asked to authorize it. Until then, we advise you not "
                                   "to work on this milestone unpaid."),
                  lambda: _("You will receive an e-mail as soon as the payment is secured.")])


def payment_secured(milestone) -> None:  # noqa: ANN001
    """The client authorized after a hold failed: the provider may work on it again."""
    _to_provider(milestone.project, milestone,
                 lambda: _("Payment secured: %(title)s", title=milestone.title),
                 [lambda: _("The client authorized the payment: the amount of this milestone "
                            "is reserved on their card. You can work on it.")])


def payment_problem(milestone, payment, outcome: str) -> None:  # noqa: ANN001
    """A delivered milestone: authorize, the bank wants the client on-session; failed,
    declined (invoiced; dunning follows)."""
    project = milestone.project
    if outcome == "authorize":
        _to_client(project, milestone, lambda: _("Action needed: authorize a payment"),
                   [lambda: _("Your bank asks you to confirm the payment of this milestone."),
                    lambda: _("Please open the project and authorize it.")],
                   lambda: _("Authorize the payment"))
        return
    _to_client(project, milestone, lambda: _("Payment failed: %(title)s", title=milestone.title),
               [lambda: _("The payment of this milestone was declined. %(why)s",
                          why=failure_words(payment.last_error_code)),
                lambda: _("Please open the project and pay with another card.")],
               lambda: _("Pay the milestone"), documents_for("milestone", milestone.id))
    _to_provider(project, milestone, lambda: _("Payment failed: %(title)s",
                                               title=milestone.title),
                 [lambda: _("The client's card was declined. The client was sent a link to "
                            "pay.")])


def milestone_contested(milestone) -> None:  # noqa: ANN001
    project = milestone.project
    reason = milestone.contest_reason or ""
    _to_provider(project, milestone, lambda: _("Milestone contested: %(title)s",
                                               title=milestone.title),
                 [lambda: _("The client contested the milestone; nothing is charged until "
                            "you resolve it or cancel it."), lambda: reason])
    _to_client(project, milestone, lambda: _("You contested: %(title)s", title=milestone.title),
               [lambda: _("Nothing is charged for this milestone until the provider resolves "
                          "your request."), lambda: reason], lambda: _("See the project"))


def milestone_cancelled(milestone) -> None:  # noqa: ANN001
    project = milestone.project
    _to_client(project, milestone, lambda: _("Milestone cancelled: %(title)s",
                                             title=milestone.title),
               [lambda: _("The provider cancelled this milestone; any amount held for it is "
                          "released.")], lambda: _("See the project"))


def _not_owed_yet(project) -> str:  # noqa: ANN001
    """When a milestone is charged follows the project's approval setting."""
    if project.approval == "client":
        return _("Nothing is owed yet: this milestone is not delivered and nothing was "
                 "charged. Its amount is reserved on your card while the work is done, and "
                 "charged once you approve its delivery.")
    return _("Nothing is owed yet: this milestone is not delivered and nothing was charged. "
             "Its amount is reserved on your card while the work is done, and charged once "
             "it is delivered.")
