"""What the formal reminder (step 2, J+15) adds to the friendly one, pure like letters.py.

- every client: a new deadline, printed in full;
- a business or public client: the late-payment penalties accrued to date for each invoice,
  half-year segment by segment with their day counts and rates, the rate's legal basis, the
  fixed 40 EUR indemnity per invoice, and that all of it is owed without any reminder
  (Code de commerce L441-10, D441-5; public buyers: ECB + 8 points);
- a consumer: no fee and no penalty of any kind (CPCE L111-8), only the notice that a formal
  notice will follow and that legal interest runs from it, and the consumer mediator.
The figures come from penalties.compute() (notify.py passes the Breakdown in each Debt).
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal
from flask_babel import gettext as _

from skod.dunning.reminders.letter_facts import Block, Debt, Facts, day, money
from skod.dunning.rules.penalties import (
    B2B_MARGIN_BP,
    INDEMNITY_MINOR,
    PUBLIC_MARGIN_BP,
    Breakdown,
    Segment,
    provisional_halves,
)

#: margin over the ECB rate of each basis penalties.compute() names
MARGINS = {"ecb_plus_10": B2B_MARGIN_BP, "ecb_plus_8": PUBLIC_MARGIN_BP}


def percent(bp: int, locale: str) -> str:
    return format_decimal(Decimal(bp) / 100, format="#,##0.00", locale=locale) + " %"


def blocks(facts: Facts) -> list[Block]:
    out = [deadline_block(facts)]
    if facts.client_kind == "consumer":
        out.append(consumer_block(facts))
        return out
    out += [penalty_block(facts, d) for d in facts.debts if d.penalties is not None]
    out.append(basis_block(facts))
    return out


def deadline_block(facts: Facts) -> Block:
    when = day(facts.deadline, facts.locale, "full") if facts.deadline else "-"
    return Block(title=_("New deadline"), paragraphs=[
        _("Please pay the balance due by %(date)s at the latest.", date=when)])


def rate_words(segment: Segment, locale: str) -> str:
    margin = MARGINS.get(segment.basis)
    if margin is None:
        return percent(segment.rate_bp, locale)
    return _("%(rate)s (ECB %(ecb)s + %(points)s points)", rate=percent(segment.rate_bp, locale),
             ecb=percent(segment.rate_bp - margin, locale), points=margin // 100)


def half_words(half: tuple[int, int]) -> str:
    if half[1] == 1:
        return _("first half of %(year)s", year=half[0])
    return _("second half of %(year)s", year=half[0])


def provisional_note(owed: Breakdown) -> str | None:
    """"Provisional rate" and for which half-years, when a rate used is not verified."""
    return provisional_words(provisional_halves(owed))


def provisional_words(halves: list[tuple[int, int]]) -> str | None:
    """The provisional-rate sentence naming these half-years; None for none."""
    if not halves:
        return None
    words = [half_words(h) for h in halves]
    named = words[0] if len(words) == 1 else _("%(some)s and the %(last)s",
                                               some=", ".join(words[:-1]), last=words[-1])
    return _("Provisional rate for the %(halves)s: the official rate of that period is not "
             "confirmed yet, so this amount may be adjusted.", halves=named)


def penalty_block(facts: Facts, debt: Debt) -> Block:
    """One invoice's penalties to date: a row per segment (half-year, or a payment's day)
    with the amount that bore interest in it, then the totals."""
    loc, owed = facts.locale, debt.penalties
    label = debt.invoice_number or debt.reference
    header = [_("Period"), _("Days"), _("Amount bearing interest"), _("Rate"), _("Penalties")]
    rows = [[f"{day(s.start, loc, 'medium')} – {day(s.end, loc, 'medium')}", str(s.days),
             money(s.principal_minor, debt.currency, loc), rate_words(s, loc),
             money(s.amount_minor, debt.currency, loc)] for s in owed.segments]
    if owed.paid_minor:
        text = _("Computed on the %(amount)s incl. VAT due, less each payment from the day "
                 "after it was received (%(paid)s received in all), from the day after the due "
                 "date (%(due)s) to %(today)s: %(days)s days late.",
                 amount=money(owed.principal_minor, debt.currency, loc),
                 paid=money(owed.paid_minor, debt.currency, loc), due=day(owed.due, loc),
                 today=day(owed.until, loc), days=owed.days_late)
    else:
        text = _("Computed on the balance of %(amount)s incl. VAT, from the day after the due "
                 "date (%(due)s) to %(today)s: %(days)s days late.",
                 amount=money(owed.principal_minor, debt.currency, loc), due=day(owed.due, loc),
                 today=day(owed.until, loc), days=owed.days_late)
    note = provisional_note(owed)
    block = Block(title=_("Late-payment penalties on invoice %(number)s", number=label),
                  paragraphs=[text, *([note] if note else [])], table=(header, rows))
    block.rows = [(_("Penalties to date"), money(owed.interest_minor, debt.currency, loc))]
    if owed.indemnity_minor:
        block.rows.append((_("Fixed indemnity for recovery costs"),
                           money(owed.indemnity_minor, "EUR", loc)))
    block.rows.append((_("Total due for this invoice"), money(debt.asked_minor, debt.currency,
                                                              loc)))
    return block


def basis_block(facts: Facts) -> Block:
    """The rate's basis and that penalties and indemnity need no reminder."""
    fixed = money(INDEMNITY_MINOR, "EUR", facts.locale)
    if facts.client_kind == "public":
        lines = [_("Rate: the main refinancing rate of the European Central Bank of the "
                   "half-year in which the delay began, plus 8 points (Code de la commande "
                   "publique, art. R2192-31)."),
                 _("This interest and the fixed indemnity for recovery costs of %(amount)s per "
                   "invoice (art. D2192-35) are owed by law from the day after the due date, "
                   "without any reminder being needed (art. L2192-13).", amount=fixed)]
    else:
        lines = [_("Rate: the main refinancing rate of the European Central Bank in force on "
                   "1 January or 1 July of each half-year, plus 10 points (Code de commerce, "
                   "art. L441-10)."),
                 _("These penalties and the fixed indemnity for recovery costs of %(amount)s per "
                   "invoice (art. D441-5) are owed by law from the day after the due date, "
                   "without any reminder being needed (Code de commerce, art. L441-10).",
                   amount=fixed)]
    block = Block(title=_("Legal basis"), paragraphs=lines)
    figured = [d for d in facts.debts if d.penalties is not None]
    if len(figured) > 1 and len({d.currency for d in figured}) == 1:
        total = sum(d.asked_minor for d in figured)
        block.rows.append((_("Total due to date, all invoices"),
                           money(total, figured[0].currency, facts.locale)))
    return block


def consumer_block(facts: Facts) -> Block:
    """A consumer: what comes next, and the mediator; never a fee."""
    lines = [_("Without payment by that date, a formal notice (mise en demeure) will be sent to "
               "you. From that notice on, interest at the legal rate will run on the amount due "
               "(Code civil, art. 1231-6 and 1344-1).")]
    if facts.creditor.mediator:
        lines.append(_("In case of disagreement, you may refer the matter free of charge to the "
                       "consumer mediator: %(mediator)s", mediator=facts.creditor.mediator))
    return Block(title=_("What happens next"), paragraphs=lines)


# Penalties alone: the invoice is paid, the claimed interest and indemnity are not ----------------
def alone(facts: Facts) -> bool:
    """Every debt of the e-mail is paid but for the penalties it claimed (penalties_alone.py)."""
    return facts.step >= 1 and all(
        d.balance_minor == 0 and d.owed is not None for d in facts.debts)


def alone_subject(facts: Facts) -> str:
    first = facts.debts[0]
    if len(facts.debts) == 1 and first.invoice_number:
        return _("Invoice %(number)s: the late-payment penalties remain due",
                 number=first.invoice_number)
    return _("Your invoices to %(name)s: the late-payment penalties remain due",
             name=facts.creditor.name)


def alone_intro(facts: Facts) -> list[str]:
    currency = facts.debts[0].currency
    left = money(sum(d.asked_minor for d in facts.debts), currency, facts.locale)
    return [_("Thank you for paying the invoice. The late-payment interest and the fixed "
              "indemnity for recovery costs claimed in our previous reminder remain due: "
              "%(amount)s.", amount=left),
            _("They are owed by law once the due date has passed; the details follow.")]


def owed_rows(debt: Debt, loc: str) -> list[tuple[str, str]]:
    """The invoice's balance row is followed by the penalties claimed and the day's total."""
    due = debt.owed
    rows = [(_("Late-payment interest to date"), money(due.interest_minor, debt.currency, loc))]
    if due.indemnity_minor:
        rows.append((_("Fixed indemnity for recovery costs"),
                     money(due.indemnity_minor, debt.currency, loc)))
    if due.penalties_paid_minor:
        rows.append((_("Penalties already paid"),
                     money(due.penalties_paid_minor, debt.currency, loc)))
    rows.append((_("Total due today"), money(due.total_minor, debt.currency, loc)))
    return rows
