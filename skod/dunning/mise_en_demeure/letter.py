"""What the mise en demeure (step 3, J+30) says, pure like letters.py: no database, no clock.

The letter carries every item of the law file's section 7 for J+30: the words MISE EN DEMEURE,
place and date, both parties' full identities (legal form, SIREN, address), the references of
what was sold, the table of every overdue invoice (number, date, due date, amount incl. VAT,
paid, balance), for a business or public debtor the penalties half-year segment by segment and
the 40 EUR per invoice (formal_reminder.py's blocks, the figures of penalties.compute), for a
consumer that legal interest runs from this letter (and no fee at all, CPCE L111-8), the grand
total, the final deadline printed in full, how to pay, the consequences without any false
threat, the signature and the registered-mail reference. documents.py renders it (PDF); call
`build` inside force_locale(the client's locale)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from flask_babel import gettext as _

from skod.dunning.reminders import formal_reminder
from skod.dunning.reminders.letter_facts import (
    Block,
    Creditor,
    Facts,
    bank_details_printed,
    day,
    money,
)
from skod.dunning.rules.ladder import deadline_after

#: the debtor's identity has the creditor's fields (bank details and mediator left empty)
Debtor = Creditor


@dataclass(frozen=True)
class NoticeFacts:
    #: the step facts (creditor, debts with their penalties to `issued_on`, kind, locale)
    facts: Facts
    debtor: Debtor
    issued_on: date
    deadline_days: int
    #: what was sold, one line per debt (project, booking, question...)
    references: tuple[str, ...] = ()


@dataclass
class Notice:
    title: str
    place_date: str
    sender: list[str]
    recipient: list[str]
    mail_note: str
    subject: str
    intro: list[str]
    references: list[str]
    table: tuple[list[str], list[list[str]]]
    blocks: list[Block]
    totals: list[tuple[str, str]]
    deadline_text: str
    payment: list[tuple[str, str]]
    consequences: list[str]
    signature: list[str]
    deadline: date
    total_minor: int
    closing: list[str] = field(default_factory=list)
    #: the letter prints bank details to pay by transfer (`payment`): only then may the e-mail
    #: around it say so
    bank_details: bool = False


def place_of(address: str | None) -> str | None:
    """The town of a French postal address: its last line without the postcode."""
    lines = [p.strip() for p in (address or "").splitlines() if p.strip()]
    town = re.sub(r"^\d{4,5}\s*", "", lines[-1]) if lines else ""
    return town or None


def grand_total(facts: Facts) -> int:
    """Balances, plus penalties and indemnities where owed (never for a consumer)."""
    # each debt's amount owed as of the letter's day when notify.py computed it (owed/amounts.py):
    # the pay page's same figure
    total = sum(d.owed.total_minor if d.owed is not None else d.balance_minor
                for d in facts.debts)
    if facts.client_kind != "consumer":
        total += sum(d.penalties.interest_minor + d.penalties.indemnity_minor
                     for d in facts.debts if d.penalties is not None and d.owed is None)
    return total


def identity(name: str, company: str | None, legal_form: str | None, siren: str | None,
             address: str | None, addressee: bool = True) -> list[str]:
    """The lines naming a party: company, legal form and SIREN, the person, the address."""
    lines = []
    if company:
        lines.append(" – ".join(p for p in (company, legal_form) if p))
        if siren:
            lines.append(_("SIREN %(siren)s", siren=siren))
        lines.append(_("For the attention of %(name)s", name=name) if addressee else name)
    else:
        lines.append(name)
    lines += [p.strip() for p in (address or "").splitlines() if p.strip()]
    return lines


def build(notice: NoticeFacts) -> Notice:
    facts = replace(notice.facts, today=notice.issued_on,
                    deadline=deadline_after(notice.issued_on, notice.deadline_days))
    loc, c, d = facts.locale, facts.creditor, notice.debtor
    currency = facts.debts[0].currency
    total = grand_total(facts)
    place = place_of(c.address)
    when = day(notice.issued_on, loc)
    return Notice(
        title=_("MISE EN DEMEURE"),
        place_date=_("%(place)s, %(date)s", place=place, date=when) if place else when,
        sender=[*identity(c.name, c.company_name, c.legal_form, c.siren, c.address, False),
                c.email],
        recipient=identity(d.name, d.company_name, d.legal_form, d.siren, d.address),
        mail_note=_("Registered letter with acknowledgement of receipt no. ____________ "
                    "(copy sent by e-mail to %(email)s)", email=d.email),
        subject=_("Formal notice to pay %(amount)s", amount=money(total, currency, loc)),
        intro=intro(facts), references=list(notice.references),
        table=invoice_table(facts), blocks=penalty_blocks(facts),
        totals=totals(facts, total), deadline_text=deadline_text(facts),
        payment=payment_rows(facts), consequences=consequences(facts),
        signature=[c.name, *([c.company_name] if c.company_name else [])],
        deadline=facts.deadline, total_minor=total,
        closing=[_("Yours faithfully,")], bank_details=bank_details_printed(facts))


def intro(facts: Facts) -> list[str]:
    lines = [_("Despite our reminders, the invoices listed below remain unpaid, although they "
               "are due.") if len(facts.debts) > 1 else
             _("Despite our reminders, the invoice listed below remains unpaid, although it "
               "is due.")]
    lines.append(_("By this letter, we formally give you notice to pay the sums set out below "
                   "(Code civil, art. 1344)."))
    return lines


def invoice_table(facts: Facts) -> tuple[list[str], list[list[str]]]:
    loc = facts.locale
    header = [_("Invoice"), _("Issue date"), _("Due date"), _("Amount incl. VAT"),
              _("Paid"), _("Balance")]
    rows = [[d.invoice_number or d.reference,
             day(d.issue_date, loc, "medium") if d.issue_date else "-",
             day(d.due_date, loc, "medium"), money(d.total_minor, d.currency, loc),
             money(d.paid_minor, d.currency, loc), money(d.balance_minor, d.currency, loc)]
            for d in facts.debts]
    return header, rows


def penalty_blocks(facts: Facts) -> list[Block]:
    """Business and public: each invoice's segments, then the basis; consumer: the interest
    that runs from this letter, and the mediator."""
    if facts.client_kind == "consumer":
        lines = [_("From the date this letter is sent, interest at the legal rate runs on the "
                   "sums due until they are paid in full (Code civil, art. 1231-6 and "
                   "1344-1).")]
        if facts.creditor.mediator:
            lines.append(_("In case of disagreement, you may refer the matter free of charge "
                           "to the consumer mediator: %(mediator)s",
                           mediator=facts.creditor.mediator))
        return [Block(title=_("Interest at the legal rate"), paragraphs=lines)]
    blocks = [formal_reminder.penalty_block(facts, d) for d in facts.debts
              if d.penalties is not None]
    return [*blocks, formal_reminder.basis_block(facts)]


def totals(facts: Facts, total: int) -> list[tuple[str, str]]:
    loc, currency = facts.locale, facts.debts[0].currency
    balance = sum(d.balance_minor for d in facts.debts)
    rows = [(_("Principal still due"), money(balance, currency, loc))]
    # the day's figures (owed/amounts.py) where computed, else the engine's: a debt whose invoice is
    # paid has no breakdown left to compute, only the penalties fixed on the day it was paid
    figured = [d.owed or d.penalties for d in facts.debts
               if d.owed is not None or d.penalties is not None]
    if facts.client_kind != "consumer" and figured:
        rows.append((_("Late-payment penalties to date"),
                     money(sum(p.interest_minor for p in figured), currency, loc)))
        indemnity = sum(p.indemnity_minor for p in figured)
        if indemnity:
            rows.append((_("Fixed indemnities for recovery costs"),
                         money(indemnity, "EUR", loc)))
        paid = sum(d.owed.penalties_paid_minor for d in facts.debts if d.owed is not None)
        if paid:
            rows.append((_("Penalties already paid"), money(paid, currency, loc)))
    rows.append((_("Grand total due"), money(total, currency, loc)))
    return rows


def deadline_text(facts: Facts) -> str:
    return _("We ask you to pay the grand total by %(date)s at the latest.",
             date=day(facts.deadline, facts.locale, "full"))


def payment_rows(facts: Facts) -> list[tuple[str, str]]:
    c, several = facts.creditor, len(facts.debts) > 1
    rows = []
    for d in facts.debts:
        label = d.invoice_number or d.reference
        rows.append((_("Pay online, invoice %(number)s", number=label) if several
                     else _("Pay online"), d.pay_url))
    rows += matched_transfer_rows(facts)
    if c.iban:
        rows += [(_("Account holder"), c.company_name or c.name), (_("IBAN"), c.iban)]
        if c.bic:
            rows.append((_("BIC"), c.bic))
        for d in facts.debts:
            rows.append((_("Transfer reference for invoice %(number)s",
                           number=d.invoice_number or d.reference), d.reference))
    return rows


def matched_transfer_rows(facts: Facts) -> list[tuple[str, str]]:
    """The client's virtual IBAN (dunning/transfers): a transfer there settles the debt by
    itself."""
    offered = [d for d in facts.debts if d.transfer is not None]
    if not offered:
        return []
    first = offered[0].transfer
    rows = [(_("IBAN for a transfer matched automatically"), first.iban)]
    if first.bic:
        rows.append((_("BIC"), first.bic))
    for d in offered:
        rows.append((_("Reference of that transfer, invoice %(number)s",
                       number=d.invoice_number or d.reference), d.transfer.reference))
    return rows


def consequences(facts: Facts) -> list[str]:
    """What may follow, and nothing more (no "seizure", no "last notice before...")."""
    when = day(facts.deadline, facts.locale, "full")
    lines = [_("Failing payment by %(date)s, we may, without further notice, apply to the "
               "court for an order for payment (injonction de payer, Code de procédure civile, "
               "art. 1405 and following) or bring any other legal action to recover these "
               "sums.", date=when)]
    if facts.client_kind == "consumer":
        lines.append(_("Interest at the legal rate keeps running until payment in full."))
    else:
        lines.append(_("Late-payment penalties keep running until payment in full."))
    lines.append(_("If you have paid in the meantime, or if you dispute this debt, please tell "
                   "us at once at %(email)s.", email=facts.creditor.email))
    return lines
