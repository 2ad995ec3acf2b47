"""What a debt's client owes as of a day: the invoice's balance, and the late-payment interest
and indemnity when the case claims them. The pay page, the receivable API, the step e-mails,
the mise en demeure and the board all read this one breakdown, so the amount asked for is the
amount the last letter claimed, to the cent.

`settle` (debts/store.py) counts a payment to the balance first, then to the penalties; once
the balance is 0 the penalties are fixed (interest runs on unpaid principal only), so the case
left open for them alone asks for the same figure every day after.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from skod.dunning.debts import store as recv
from skod.dunning.debts.models import CLOSED, DunningStep, Receivable
from skod.dunning.owed import history, rates
from skod.dunning.rules.penalties import RateTable
from skod.extensions import db
from skod.invoicing.ledger import local_day

#: the first ladder step whose e-mail or letter states the penalty figures, per client kind
#: (notify.facts_for figures them from step 2, the J+15 e-mail, for business and public
#: debtors; a consumer's letters state no figure, so nothing is ever claimed from them)
CLAIMING_STEP: dict[str, int | None] = {"business": 2, "public": 2, "consumer": None}
#: the rate flags that make a figure provisional (penalties.py)
PROVISIONAL_FLAGS = ("unverified_rate", "extrapolated_rate")


@dataclass(frozen=True)
class Owed:
    currency: str
    #: the invoice's balance (what `balance_minor` says everywhere)
    balance_minor: int
    #: interest and indemnity claimed as of the day (0 when not claimed)
    interest_minor: int
    indemnity_minor: int
    #: paid towards the penalties already
    penalties_paid_minor: int
    #: what the client is asked to pay today: balance + penalties still unpaid
    total_minor: int
    claimed: bool
    #: a rate behind the interest is not verified yet
    provisional: bool = False

    @property
    def penalties_minor(self) -> int:
        return self.interest_minor + self.indemnity_minor

    @property
    def penalties_unpaid_minor(self) -> int:
        return max(0, self.penalties_minor - self.penalties_paid_minor)

    def to_dict(self) -> dict:
        return {"currency": self.currency, "balance_minor": self.balance_minor,
                "interest_minor": self.interest_minor,
                "indemnity_minor": self.indemnity_minor,
                "penalties_claimed_minor": self.penalties_minor,
                "penalties_paid_minor": self.penalties_paid_minor,
                "penalties_unpaid_minor": self.penalties_unpaid_minor,
                "total_minor": self.total_minor, "claimed": self.claimed,
                "provisional": self.provisional}


def penalties_owed(choice: bool | None, default: bool, client_kind: str,
                   sent_steps: Iterable[int]) -> bool:
    """Whether the case owes its penalties: the debt's choice (or the provider's default for
    the client's kind) is to claim them AND a sent letter has claimed them.

    Why both: the law makes interest and the 40 EUR due without a reminder, but a client can
    only be asked for what a letter put in front of them. Before the claiming letter, paying
    the balance closes the case (nothing was claimed, so nothing vanishes); after it, asking
    for less than the letter said would drop a claim without a word, and asking for more than
    the provider chose to claim would be wrong the other way."""
    wanted = default if choice is None else choice
    step = CLAIMING_STEP.get(client_kind)
    return bool(wanted) and step is not None and any(s >= step for s in sent_steps)


def default_choice(receivable: Receivable) -> bool:
    ladder = recv.ladder_for(receivable.provider_id)
    return bool(ladder.claim_penalties.get(receivable.client_kind, False))


def sent_steps(receivable_id: int) -> list[int]:
    return list(db.session.scalars(select(DunningStep.step).where(
        DunningStep.receivable_id == receivable_id, DunningStep.status == "sent")))


def claimed(receivable: Receivable, letter_step: int | None = None) -> bool:
    """`letter_step`: a letter being written now, which counts as sent (it claims what it
    prints)."""
    step = CLAIMING_STEP.get(receivable.client_kind)
    if step is None or max(receivable.last_step, -1 if letter_step is None else letter_step) < (
            step):
        return False  # no claiming letter can have gone: no query (lists of many cases)
    steps = sent_steps(receivable.id) + ([letter_step] if letter_step is not None else [])
    return penalties_owed(receivable.claim_penalties, default_choice(receivable),
                          receivable.client_kind, steps)


def today_of(receivable: Receivable, now: datetime) -> date:
    """Penalties run on the provider's days, like the invoice's due date (notify.facts_for)."""
    return local_day(now, receivable.provider.timezone)


def owed(receivable: Receivable, today: date, table: RateTable | None = None,
         letter_step: int | None = None) -> Owed:
    """The breakdown as of `today` (the provider's day); `letter_step`: as the letter of that
    step, written now, claims it (notify.py)."""
    balance, paid = receivable.balance_minor, receivable.penalties_paid_minor
    if receivable.status in CLOSED or not claimed(receivable, letter_step):
        return Owed(receivable.currency, balance, 0, 0, paid, balance, False)
    if receivable.interest_fixed_minor is not None:
        interest = receivable.interest_fixed_minor
        indemnity = receivable.indemnity_fixed_minor or 0
        provisional = False
    else:
        table = table or recv.remembered("rates", rates.table)
        figures = history.penalties_of(receivable, today, table) if today > (
            receivable.due_date) else None
        if figures is None:  # the letters went without figures: nothing to add
            return Owed(receivable.currency, balance, 0, 0, paid, balance, True)
        interest, indemnity = figures.interest_minor, figures.indemnity_minor
        provisional = any(f in PROVISIONAL_FLAGS for f in figures.flags)
    unpaid = max(0, interest + indemnity - paid)
    return Owed(receivable.currency, balance, interest, indemnity, paid, balance + unpaid,
                True, provisional)


def owed_now(receivable: Receivable, now: datetime) -> Owed:
    return owed(receivable, today_of(receivable, now))
