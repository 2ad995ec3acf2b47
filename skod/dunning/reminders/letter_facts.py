"""The plain facts a dunning letter is written from, and the shape of what it says: the
creditor, each debt, the letter's `Facts`; the `Block`s and `Letter` the templates lay out.
Pure dataclasses, shared by the reminders (steps 0-2), the mise en demeure (step 3) and the
recourse file's summary, so each document reads the same facts the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from skod.core import formats
from skod.dunning.rules.penalties import Breakdown

if TYPE_CHECKING:  # a type only: these facts stay free of the rows
    from skod.dunning.owed.amounts import Owed


@dataclass(frozen=True)
class Creditor:
    name: str
    email: str
    company_name: str | None = None
    legal_form: str | None = None
    siren: str | None = None
    address: str | None = None
    iban: str | None = None
    bic: str | None = None
    mediator: str | None = None


@dataclass(frozen=True)
class Transfer:
    """Where the client's transfer is matched to the debt by itself: their virtual IBAN on the
    provider's Stripe account and the debt's reference."""

    iban: str
    bic: str | None
    holder: str | None
    reference: str


@dataclass(frozen=True)
class Debt:
    """One receivable as the client sees it."""

    #: what was delivered, in the client's words (the invoice's lines), or None
    service: str | None
    #: the receivable's source prefix: "message", "milestone", "booking", "dispute", ...
    source_kind: str
    currency: str
    #: amount incl. VAT of the invoice (or of the debt), what was paid since, what is left
    total_minor: int
    paid_minor: int
    balance_minor: int
    due_date: date
    pay_url: str
    reference: str
    invoice_number: str | None = None
    issue_date: date | None = None
    invoice_url: str | None = None
    failure_code: str | None = None
    failure_kind: str | None = None
    #: smart retries still planned (step 0 says when the card is tried again)
    retries: tuple[datetime, ...] = ()
    #: late-payment penalties to date (step 2, business and public clients only)
    penalties: Breakdown | None = None
    #: the amount owed as of the letter's day when it claims penalties (owed.Owed)
    owed: Owed | None = None
    #: the transfer that settles this debt by itself, when one is offered
    transfer: Transfer | None = None

    @property
    def asked_minor(self) -> int:
        """What the client is asked to pay today: the pay page's figure."""
        return self.owed.total_minor if self.owed is not None else self.balance_minor


@dataclass(frozen=True)
class Facts:
    step: int
    creditor: Creditor
    #: who owes: the company for a business client, else the person
    debtor: str
    #: the person the e-mail greets
    client_name: str
    client_kind: str
    locale: str
    timezone: str
    #: the client's day when the e-mail is written, and the new deadline (step 2)
    today: date
    debts: tuple[Debt, ...]
    deadline: date | None = None
    #: the provider's own words for this step, in the client's language (settings)
    personal: str | None = None


def bank_details_printed(facts: Facts) -> bool:
    """Whether a letter of these facts prints bank details to pay by transfer: the provider's
    IBAN, or the client's own account for a transfer matched by itself. Only then may an
    e-mail say "the bank details are in the letter" (or below)."""
    return bool(facts.creditor.iban) or any(d.transfer is not None for d in facts.debts)


@dataclass
class Block:
    """One part of the e-mail, in this order: a title, sentences, label/value rows, one
    table, notes (sentences after the figures), links."""

    title: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    rows: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    #: (header cells, rows of cells)
    table: tuple[list[str], list[list[str]]] | None = None


@dataclass
class Letter:
    subject: str
    greeting: str
    intro: list[str]
    blocks: list[Block]
    closing: list[str]
    #: the main button: (label, url), when the e-mail is about one debt
    action: tuple[str, str] | None = None


# the letters' names for skod.core.formats (the one way money and days are written)
money = formats.money


day = formats.day


def one_line(text: str | None) -> str:
    """A multi-line postal address on one line."""
    return ", ".join(p.strip() for p in (text or "").splitlines() if p.strip())
