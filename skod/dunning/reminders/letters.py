"""What the client reads in each dunning e-mail (step 0 notice, step 1 friendly reminder, step 2
formal reminder), built from plain facts: no database, no clock, no request.

notify.py gathers the rows into `Facts` (creditor, debtor, every debt of this e-mail, `today`)
and calls `build()` inside the client's locale; the answer is a `Letter` of blocks that the
templates templates/email/dunning_client.{txt,html} lay out. The items of each step follow the
law file, section 7, one by one; what the formal reminder adds (deadline, penalties for a
business, the consumer notice) lives in `formal_reminder.py`. A consumer's letter never names a fee.
"""

from __future__ import annotations

from flask_babel import gettext as _

from skod.dunning.reminders import card_outlook, formal_reminder
from skod.dunning.reminders.letter_facts import (
    Block,
    Debt,
    Facts,
    Letter,
    bank_details_printed,
    day,
    money,
    one_line,
)
from skod.notifications.mail import signature_lines


def build(facts: Facts) -> Letter:
    """The e-mail of `facts.step`; call it inside force_locale(facts.locale)."""
    blocks = [debt_block(facts, debt) for debt in facts.debts]
    if facts.step >= 2:
        blocks += formal_reminder.blocks(facts)
    blocks += [b for b in (matched_transfer_block(facts), transfer_block(facts),
                           parties_block(facts)) if b is not None]
    blocks.append(contact_block(facts))
    action = None
    if len(facts.debts) == 1:  # several debts: each block has its own pay link
        only = facts.debts[0]
        action = (_("Pay %(amount)s online",
                    amount=money(only.asked_minor, only.currency, facts.locale)), only.pay_url)
    alone = formal_reminder.alone(facts)  # the invoice is paid, the penalties claimed are not
    return Letter(subject=formal_reminder.alone_subject(facts) if alone else subject(facts),
                  greeting=_("Hello %(name)s,", name=facts.client_name),
                  intro=(formal_reminder.alone_intro(facts) if alone else intro(facts)) + (
                      [facts.personal] if facts.personal else []),
                  blocks=blocks, closing=closing(facts), action=action)


def subject(facts: Facts) -> str:
    count, first = len(facts.debts), facts.debts[0]
    number = first.invoice_number
    when = day(facts.deadline, facts.locale) if facts.deadline else ""
    if facts.step == 0 and not any(failed(d) for d in facts.debts):
        if count > 1:
            return _("%(count)s invoices now due", count=count)
        if number:
            return _("Invoice %(number)s is now due", number=number)
    if facts.step == 0:
        if count > 1:
            return _("%(count)s invoices: the payments did not go through", count=count)
        if number:
            return _("Invoice %(number)s: the payment did not go through", number=number)
        return _("Your payment to %(name)s did not go through", name=facts.creditor.name)
    if facts.step == 1:
        if count > 1:
            return _("%(count)s invoices to settle: a friendly reminder", count=count)
        if number:
            return _("Invoice %(number)s: a friendly reminder", number=number)
        return _("Your payment to %(name)s: a friendly reminder", name=facts.creditor.name)
    if count > 1:
        return _("%(count)s unpaid invoices: payment expected by %(date)s", count=count,
                 date=when)
    if number:
        return _("Invoice %(number)s unpaid: payment expected by %(date)s", number=number,
                 date=when)
    return _("Your payment to %(name)s: expected by %(date)s", name=facts.creditor.name,
             date=when)


def intro(facts: Facts) -> list[str]:
    several, name = len(facts.debts) > 1, facts.creditor.name
    if facts.step == 0 and not any(failed(d) for d in facts.debts):
        return [_("The invoices below from %(name)s are due and not paid yet.", name=name)
                if several else
                _("The invoice below from %(name)s is due and not paid yet.", name=name),
                _("You can pay now with the secure link; the details follow.")]
    if facts.step == 0:
        first = (_("%(name)s could not collect the payment of the services below.", name=name)
                 if several else
                 _("%(name)s could not collect the payment of the service below.", name=name))
        return [first, _("You can pay now with the secure link; the details follow.")]
    if facts.step == 1:
        return [_("Unless we are mistaken, the invoices below have not been paid yet, although "
                  "they are due.") if several else
                _("Unless we are mistaken, the invoice below has not been paid yet, although it "
                  "was due on %(date)s.", date=day(facts.debts[0].due_date, facts.locale)),
                _("It is most likely an oversight: it takes a few clicks with the secure link.")]
    return [_("Despite our previous reminder, the invoices below remain unpaid to date.")
            if several else
            _("Despite our previous reminder, the invoice below remains unpaid to date.")]


def failed(debt: Debt) -> bool:
    """Whether a card payment failed (else: an invoice simply left unpaid past its due date)."""
    return debt.failure_code is not None or debt.failure_kind is not None


def debt_block(facts: Facts, debt: Debt) -> Block:
    loc = facts.locale
    title = (_("Invoice %(number)s", number=debt.invoice_number) if debt.invoice_number
             else _("Reference %(reference)s", reference=debt.reference))
    block = Block(title=title)
    if debt.service:
        block.rows.append((_("Service"), debt.service))
    if facts.step >= 1 and debt.invoice_number:
        block.rows += [(_("Invoice number"), debt.invoice_number),
                       (_("Issue date"), day(debt.issue_date, loc) if debt.issue_date else "-")]
    block.rows.append((_("Due date"), day(debt.due_date, loc)))
    if facts.step >= 1:
        block.rows.append((_("Amount incl. VAT"), money(debt.total_minor, debt.currency, loc)))
        if debt.paid_minor:
            block.rows.append((_("Already paid"), money(debt.paid_minor, debt.currency, loc)))
    block.rows.append((_("Balance due"), money(debt.balance_minor, debt.currency, loc)))
    if debt.owed is not None:
        block.rows += formal_reminder.owed_rows(debt, loc)
    if facts.step == 0:  # the reason and the retries: one rule, that never contradicts itself
        told = card_outlook.outlook(code=debt.failure_code, kind=debt.failure_kind,
                                    retries=debt.retries, transfer=bank_details_printed(facts),
                                    timezone=facts.timezone, locale=loc)
        why, after = told.reason, list(told.next_steps)
    else:
        why, after = card_outlook.reason(debt.failure_code, debt.failure_kind, advice=True), []
    if why:
        block.rows.append((_("Why the card payment failed"), why))
    block.notes += situation(facts, debt) + after
    block.links.append((_("Pay online (card, secure page)"), debt.pay_url))
    if debt.invoice_url:
        block.links.append((_("The invoice (PDF)"), debt.invoice_url))
    return block


def situation(facts: Facts, debt: Debt) -> list[str]:
    """Step 0's sentence about an answer waiting for this payment (the card's: card_outlook)."""
    if facts.step == 0 and debt.source_kind == "message":
        return [_("Your answer is ready: it is released to you as soon as this payment is "
                  "made.")]
    return []


def transfer_block(facts: Facts) -> Block | None:
    """Bank details and the reference of each debt, when the creditor gave an IBAN."""
    creditor = facts.creditor
    if not creditor.iban:
        return None
    block = Block(title=_("Pay by bank transfer"),
                  paragraphs=[_("Please write the reference on your transfer so that it can be "
                                "matched with your invoice.")])
    block.rows.append((_("Account holder"), creditor.company_name or creditor.name))
    block.rows.append((_("IBAN"), creditor.iban))
    if creditor.bic:
        block.rows.append((_("BIC"), creditor.bic))
    for debt in facts.debts:
        label = (_("Reference for invoice %(number)s", number=debt.invoice_number)
                 if len(facts.debts) > 1 and debt.invoice_number else _("Payment reference"))
        block.rows.append((label, debt.reference))
    return block


def matched_transfer_block(facts: Facts) -> Block | None:
    """The client's virtual IBAN: a transfer there is matched to the debt by itself."""
    offered = [d for d in facts.debts if d.transfer is not None]
    if not offered:
        return None
    first = offered[0].transfer
    block = Block(title=_("Pay by bank transfer, matched automatically"), paragraphs=[
        _("This account is yours alone for your payments to %(name)s: a transfer to it is "
          "matched to your invoice as soon as it arrives, and the reminders stop.",
          name=facts.creditor.name)])
    if first.holder:
        block.rows.append((_("Account holder"), first.holder))
    block.rows.append((_("IBAN"), first.iban))
    if first.bic:
        block.rows.append((_("BIC"), first.bic))
    for debt in offered:
        label = (_("Reference for invoice %(number)s", number=debt.invoice_number)
                 if len(offered) > 1 and debt.invoice_number else _("Payment reference"))
        block.rows.append((label, debt.transfer.reference))
    return block


def parties_block(facts: Facts) -> Block | None:
    """Steps 1 and 2: who is owed (identity and contact) and who owes."""
    if facts.step < 1:
        return None
    c = facts.creditor
    identity = ", ".join(part for part in (
        c.company_name, c.legal_form, _("SIREN %(siren)s", siren=c.siren) if c.siren else None,
        one_line(c.address)) if part)
    rows = [(_("Creditor"), c.name if not identity else f"{c.name} – {identity}"),
            (_("Creditor's e-mail"), c.email), (_("Debtor"), facts.debtor)]
    return Block(title=_("Parties"), rows=rows)


def contact_block(facts: Facts) -> Block:
    email = facts.creditor.email
    return Block(title=_("A question, a disagreement?"), paragraphs=[
        _("To dispute this amount or ask a question, write to %(email)s (replying to this "
          "e-mail reaches the same address). The secure payment page also lets you tell us "
          "you dispute it.", email=email)])


def closing(facts: Facts) -> list[str]:
    lines = [] if facts.step == 0 else [
        _("If you have paid in the meantime, please disregard this message.")]
    # signed by the provider, as every e-mail sent in their voice (notifications.mail)
    c = facts.creditor
    return [*lines, _("Kind regards,"), *signature_lines(c.name, c.company_name)]
