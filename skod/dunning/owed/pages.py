"""The provider's penalty calculator (/dashboard/penalties): a GET form (amount, currency, due
date, day counted to, client kind, agreed rate, mise en demeure, the payments as lines) and the
engine's breakdown: each segment with the amount that bore interest, its rate and days, the
interest, the indemnity, the total, and which rate is provisional. Also the receivables page's
banner: a rate used by one of the provider's open debts is provisional."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select
from wtforms import Form, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from skod.core.clock import local_date, utcnow
from skod.core.money import parse_minor
from skod.dunning.debts.models import Receivable
from skod.dunning.owed import rates
from skod.dunning.pay_page.forms import ENTER_DAY, DayField
from skod.dunning.receivables.blueprint import bp
from skod.dunning.receivables.queries import OWED
from skod.dunning.reminders.formal_reminder import half_words, provisional_note, rate_words
from skod.dunning.reminders.letter_facts import day, money
from skod.dunning.rules.penalties import Breakdown, PenaltyError, bp_of_percent, compute
from skod.extensions import db
from skod.web.blueprint import current_locale
from skod.web.forms import SelectChoice

CURRENCIES = ("EUR", "USD", "GBP", "CHF")
DAY_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
#: compute() argument -> the form field that gave it
FIELDS = {"amount_minor": "amount", "until": "until", "contractual_rate_bp": "contract_rate",
          "payments": "payments", "currency": "currency", "client_kind": "client_kind"}


class CalculatorForm(Form):
    """Read from the query string: nothing is stored, so no CSRF token is needed."""

    amount = StringField(_l("Amount due incl. VAT"), validators=[
        InputRequired(_l("Enter the amount, like 1200.00.")), Length(max=20)])
    currency = SelectField(_l("Currency"), choices=[SelectChoice(c, c) for c in CURRENCIES],
                           default="EUR")
    due = DayField(_l("Due date on the invoice"), format=DAY_FORMATS,
                   validators=[InputRequired(ENTER_DAY)])
    until = DayField(_l("Counted to (the day paid, or today)"), format=DAY_FORMATS,
                     validators=[InputRequired(ENTER_DAY)])
    client_kind = SelectField(_l("Client"), default="business", choices=[
        SelectChoice("business", _l("A business")), SelectChoice("public", _l("A public buyer")),
        SelectChoice("consumer", _l("A consumer"))])
    contract_rate = StringField(_l("Agreed rate, in % a year (business only)"),
                                validators=[Optional(), Length(max=10)])
    notice = DayField(_l("Mise en demeure sent on (consumer)"), format=DAY_FORMATS,
                      validators=[Optional()])
    payments = TextAreaField(_l("Payments received, one a line: day and amount"),
                             validators=[Optional(), Length(max=4000)])


def _day(text: str) -> date | None:
    for fmt in DAY_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _payment_lines(text: str, currency: str) -> list[tuple[date, int]]:
    """"09/02/2025 1200.00" (or "2025-02-09: 1200,00") a line -> [(day, minor)]."""
    out = []
    for line in filter(None, (raw.strip() for raw in (text or "").splitlines())):
        found = re.fullmatch(r"(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2})\s*[:;\s]\s*(.+)", line)
        minor = parse_minor(found[2], currency) if found else None
        on = _day(found[1]) if found else None
        if on is None or minor is None:
            raise PenaltyError(_("%(line)s: write the day and the amount, like "
                                 "09/02/2025 1200.00.", line=line), "payments", code="form")
        out.append((on, minor))
    return out


def _breakdown(form: CalculatorForm) -> Breakdown:
    currency = form.currency.data
    amount = parse_minor(form.amount.data or "", currency)
    if amount is None:
        raise PenaltyError(_("Enter a positive amount, like 1200.00."), "amount_minor",
                           code="form")
    contract = None
    if form.contract_rate.data:
        try:
            contract = bp_of_percent(form.contract_rate.data)
        except PenaltyError as err:
            raise PenaltyError(_("Enter a rate in percent, like 12.5."),
                               "contractual_rate_bp", code="form") from err
    return compute(amount_minor=amount, currency=currency, due=form.due.data,
                   until=form.until.data, client_kind=form.client_kind.data,
                   table=rates.table(), contractual_rate_bp=contract,
                   mise_en_demeure_on=form.notice.data,
                   payments=_payment_lines(form.payments.data, currency))


def words_of(err: PenaltyError) -> str:
    """The engine's refusal in the page's language (the form's own ones are already)."""
    if err.code == "form":
        return err.message
    if err.code == "below_floor":
        return _("This agreed rate is below the legal floor (3 times the legal interest rate) "
                 "of a half-year it covers.")
    if err.code == "no_rate":
        return _("No late-payment rate is known for this period.")
    return {"payments": _("The payments add up to more than the amount due."),
            "until": _("The day counted to is before the due date."),
            "contractual_rate_bp": _("An agreed rate is for a business client only, from 0 "
                                     "to 100 %."),
            }.get(err.field or "", _("These figures cannot be computed."))


def result_view(b: Breakdown, locale: str) -> dict:
    def cash(minor: int) -> str:
        return money(minor, b.currency, locale)

    return {
        "segments": [{"period": f"{day(s.start, locale, 'medium')} – "
                                f"{day(s.end, locale, 'medium')}", "days": s.days,
                      "principal": cash(s.principal_minor), "rate": rate_words(s, locale),
                      "amount": cash(s.amount_minor)} for s in b.segments],
        "interest": cash(b.interest_minor), "indemnity": money(b.indemnity_minor, "EUR", locale),
        "paid": cash(b.paid_minor) if b.paid_minor else None, "total": cash(b.total_minor),
        "days_late": b.days_late, "basis": b.basis, "provisional": provisional_note(b),
        "no_indemnity_currency": "indemnity_eur_only" in b.flags,
        "kind": b.client_kind}


@bp.get("/dashboard/penalties")
@login_required
def penalty_calculator() -> ResponseReturnValue:
    form = CalculatorForm(request.args)
    result, status = None, 200
    if not set(request.args) - {"lang"}:  # the language link is no calculation asked
        form.until.data = local_date(utcnow(), current_user.timezone)
    elif form.validate():
        try:
            result = result_view(_breakdown(form), current_locale())
        except PenaltyError as err:
            target = getattr(form, FIELDS.get(err.field or "", ""), None)
            (target.errors if target is not None else form.form_errors).append(words_of(err))
            status = 422
    else:
        status = 422
    return render_template("dunning/penalty_calculator.html", form=form,
                           result=result), status


def provisional_warning(provider_id: int, today: date) -> str | None:
    """The receivables page's banner: which half-year's rate, used by an open debt (from the
    oldest due date to today), is provisional; None when all are verified."""
    oldest = db.session.scalar(select(func.min(Receivable.due_date)).where(
        Receivable.provider_id == provider_id, Receivable.status.in_(OWED),
        Receivable.client_kind != "consumer"))
    if oldest is None or oldest >= today:
        return None
    halves = rates.provisional_between(oldest, today)
    if not halves:
        return None
    return _("The late-payment rate of the %(halves)s is provisional: the penalties your "
             "reminders and letters claim for that period say so and may be adjusted.",
             halves=", ".join(half_words(h) for h in halves))
