"""A case left open for its penalties alone: the invoice is paid, the late-payment interest and
indemnity a letter claimed are not.

`split` is how settle() counts a payment (balance first, then penalties, then an excess); the
day the balance reaches 0 the penalties are fixed on the row (interest runs on unpaid
principal only). The invoice is marked paid, the provider is told with a one-click waiver on the
case page, the ladder's next e-mail says what remains (no mise en demeure for penalties alone
unless the provider asks for one), and smart retries never charge them (they charge the
balance, now 0). A waiver is kept on the timeline and closes the case as paid.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _

from skod.dunning.debts import notices, recovery
from skod.dunning.debts import store as recv
from skod.dunning.debts.links import locale_of
from skod.dunning.debts.models import Receivable
from skod.dunning.owed import amounts as owing
from skod.extensions import db
from skod.invoicing import ledger


def split(receivable: Receivable, amount: int, now: datetime,
          asked: int | None = None) -> tuple[int, int, int]:
    """Under the case's lock: (part counted to the balance, part counted to the penalties,
    penalties still unpaid after it). Fixes the penalties when the balance reaches 0.
    `asked`: what the pay page asked, for a payment made on it."""
    if receivable.status == "paid":
        return 0, 0, 0
    due = owing.owed_now(receivable, now)
    if asked is not None and due.balance_minor <= amount == asked < due.total_minor:
        # a page left open overnight asked an earlier day's figure (a page intent for another
        # amount is cancelled as soon as money lands): paid in full, it settles the case, the
        # interest run since is not left open - the client paid what the provider asked
        due = replace(due, interest_minor=due.interest_minor - (due.total_minor - amount),
                      total_minor=amount)
    to_balance = min(amount, due.balance_minor)
    to_penalties = min(amount - to_balance, due.penalties_unpaid_minor)
    if due.claimed and to_balance == due.balance_minor:
        fix(receivable, due)
    return to_balance, to_penalties, due.penalties_unpaid_minor - to_penalties


def fix(receivable: Receivable, due: owing.Owed) -> None:
    """The claimed figures as of the day the balance is paid (once)."""
    if receivable.interest_fixed_minor is None:
        receivable.interest_fixed_minor = due.interest_minor
        receivable.indemnity_fixed_minor = due.indemnity_minor


def keep_open_for_penalties(receivable: Receivable, now: datetime) -> bool:
    """The invoice was paid by another path: under the lock, when the case claims penalties
    still unpaid, the balance is counted paid and the case stays open for them."""
    due = owing.owed_now(receivable, now)
    if not due.claimed or due.penalties_unpaid_minor == 0:
        return False
    fix(receivable, due)
    recv.record(receivable, "payment", now, amount=receivable.balance_minor, via="invoice",
                payment_id=None)
    receivable.paid_minor = receivable.principal_minor
    return True


def invoice_settled(receivable_id: int, now: datetime, via: str, mark: bool = True) -> None:
    """After the commit that paid the balance: the invoice says paid, the service is released
    (a held answer, the next milestone: what was bought is paid), the case is scheduled for
    its penalties and the provider is told."""
    receivable = db.session.get(Receivable, receivable_id)
    if mark and receivable.invoice_id is not None and not receivable.source.startswith(
            "dispute:"):
        ledger.mark_paid(receivable.invoice_id, now, method=via)
    recovery.recovered(db.session.get(Receivable, receivable_id), now)
    receivable = recv.lock(receivable_id)
    recv.record(receivable, "penalties_open", now, via=via,
                amount=owing.owed_now(receivable, now).penalties_unpaid_minor)
    recv.schedule(receivable, now)
    db.session.commit()
    tell_provider(db.session.get(Receivable, receivable_id), now)


def tell_provider(receivable: Receivable, now: datetime) -> None:
    due = owing.owed_now(receivable, now)
    locale = locale_of(receivable.provider)
    with force_locale(locale):
        amount = notices.money(due.penalties_unpaid_minor, receivable.currency, locale)
        notices.to_provider(receivable, _(
            "Invoice %(label)s is paid: %(amount)s of penalties remain",
            label=notices.label(receivable), amount=amount), [
            _("%(client)s paid the invoice, but not the late-payment interest and the fixed "
              "indemnity claimed in your reminders: %(amount)s remain due.",
              client=receivable.client.name, amount=amount),
            _("The case stays open for them alone: the next reminder asks for them only, and "
              "no formal notice goes for them unless you ask for one."),
            _("To let them go, waive them in one click on the case page: the case then "
              "closes as paid.")])


