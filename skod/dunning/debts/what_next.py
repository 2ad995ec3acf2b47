"""A failed charge said to the one who must act: when marking a milestone done or sending an
answer ends in a refused charge, the provider's page says so at once, with what Skod does next
(the client is sent a notice with a pay link, the card retry if one is planned, the reminders)
and where the case is. The client's advice ("use another card") stays on the client's pages.

Read-only: a view calls it after the service committed.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from skod.core import formats
from skod.dunning.debts.links import pay_url
from skod.dunning.debts.models import CLOSED, Receivable
from skod.dunning.debts.store import by_source
from skod.payments.decline_labels import provider_words


@dataclass(frozen=True)
class NextSteps:
    """What the provider reads about one open debt, in the page's language."""

    receivable_id: int
    failed: str  #: "The charge of 1 800,00 € failed: insufficient funds on the client's card."
    then: list[str]  #: what Skod does next, one sentence each
    pay_url: str  #: the client's pay link, which the provider may pass on


def open_debt(source: str) -> Receivable | None:
    """The open debt of a service ("milestone:12", "message:3"), if its charge failed for good."""
    receivable = by_source(source)
    return receivable if receivable is not None and receivable.status not in CLOSED else None


def for_source(source: str, locale: str, tz: str) -> NextSteps | None:
    """None when the service owes nothing (paid, or never failed)."""
    receivable = open_debt(source)
    if receivable is None:
        return None
    amount = formats.money(receivable.balance_minor, receivable.currency, locale)
    failed = _("The charge of %(amount)s on the client's card failed: %(why)s.",
               amount=amount, why=provider_words(receivable.failure_code,
                                                 receivable.failure_kind))
    then = [_("Skod sends the client a notice with a link to pay online.")]
    if receivable.next_retry_at is not None:
        then.append(_("The saved card will be tried again on %(day)s.",
                      day=formats.local_day(receivable.next_retry_at, tz, locale)))
    then.append(_("Reminders follow by themselves until it is paid; you can follow, pause "
                  "or settle the debt on its case page."))
    return NextSteps(receivable_id=receivable.id, failed=failed, then=then,
                     pay_url=pay_url(receivable))


def flash_text(what_done: str, steps: NextSteps) -> str:
    """One flashed sentence after the action: what was done, that the charge failed, and
    what follows (the page shows the link to the case)."""
    return " ".join([what_done, steps.failed, *steps.then])
