"""E-mails of a milestone paid by SEPA Direct Debit: the debit announced (the client's
pre-notification, the provider's "do not deliver before it is paid"), paid, or returned unpaid.
Built like projects.notify's, in each recipient's own language."""

from __future__ import annotations

from flask_babel import gettext as _

from skod.invoicing.issuing import documents_for
from skod.payments.decline_labels import failure_words
from skod.projects.notify import _money, _to_client, _to_provider


def debit_started(milestone, payment) -> None:  # noqa: ANN001
    """The client is told before the money leaves their account (SEPA's pre-notification);
    the provider that the work is not paid until the bank says so."""
    project = milestone.project

    def amount(loc: str):  # noqa: ANN202
        return _money(payment.amount_requested_minor, project, loc)

    _to_client(project, milestone, lambda: _("Direct debit of %(title)s", title=milestone.title),
               [lambda: _("The milestone \"%(title)s\" starts: %(amount)s is debited from your "
                          "bank account under the SEPA Direct Debit mandate you signed.",
                          title=milestone.title, amount=amount(project.client.locale)),
                lambda: _("Mandate reference: %(ref)s.", ref=project.sepa_mandate_id or "-")],
               lambda: _("See the project"))
    _to_provider(project, milestone, lambda: _("Debit in progress: %(title)s",
                                               title=milestone.title),
                 [lambda: _("The milestone has started and its direct debit of %(amount)s is "
                            "in progress at the client's bank (usually up to 5 business "
                            "days).", amount=amount(project.provider.locale)),
                  lambda: _("Do not deliver before it is paid: you will receive an e-mail "
                            "then. Starting the work earlier is your choice.")])


def debit_paid(milestone) -> None:  # noqa: ANN001
    """The bank paid the debit: the provider may deliver."""
    _to_provider(milestone.project, milestone,
                 lambda: _("Debit paid: %(title)s", title=milestone.title),
                 [lambda: _("The client's bank paid the direct debit of this milestone. You "
                            "can deliver it.")])


def debit_failed(milestone, payment) -> None:  # noqa: ANN001
    """The debit came back unpaid before delivery: nothing is owed yet, as after a refused
    hold; the client is asked to pay another way, the provider warned not to work unpaid."""
    project, code = milestone.project, payment.last_error_code
    _to_client(project, milestone, lambda: _("Action needed: the direct debit of %(title)s "
                                             "failed", title=milestone.title),
               [lambda: _("Your bank returned the direct debit of this milestone unpaid. "
                          "%(why)s", why=failure_words(code)),
                lambda: _("Nothing is owed yet: this milestone is not delivered. Please open "
                          "the project and pay it another way, by card.")],
               lambda: _("Pay the milestone"))
    _to_provider(project, milestone, lambda: _("Direct debit failed: %(title)s",
                                               title=milestone.title),
                 [lambda: _("The client's bank returned the direct debit of this milestone "
                            "unpaid. The client was asked to pay another way."),
                  lambda: _("Until then the milestone is not paid: we advise you not to "
                            "work on it unpaid. You will receive an e-mail once it is "
                            "secured.")])


def deposit_answered(project, payment) -> None:  # noqa: ANN001
    """The deposit's debit came back from the bank: paid (its invoice to the client), or
    returned unpaid (both told; the provider decides whether to go on)."""
    def amount(loc: str) -> str:
        return _money(payment.amount_requested_minor, project, loc)

    if payment.status == "captured":
        _to_client(project, None, lambda: _("Deposit paid: %(title)s", title=project.title),
                   [lambda: _("Your bank paid the direct debit of the deposit (%(amount)s).",
                              amount=amount(project.client.locale))],
                   lambda: _("See the project"), documents_for("deposit", project.id))
        _to_provider(project, None, lambda: _("Deposit paid: %(title)s", title=project.title),
                     [lambda: _("The client's bank paid the direct debit of the deposit "
                                "(%(amount)s).", amount=amount(project.provider.locale))])
        return
    _to_client(project, None, lambda: _("The direct debit of the deposit failed"),
               [lambda: _("Your bank returned the direct debit of the deposit unpaid. %(why)s",
                          why=failure_words(payment.last_error_code)),
                lambda: _("Please contact %(name)s to pay it another way.",
                          name=project.provider.name)],
               lambda: _("See the project"))
    _to_provider(project, None, lambda: _("Deposit not paid: %(title)s", title=project.title),
                 [lambda: _("The client's bank returned the direct debit of the deposit "
                            "(%(amount)s) unpaid. We advise you not to work unpaid.",
                            amount=amount(project.provider.locale))])
