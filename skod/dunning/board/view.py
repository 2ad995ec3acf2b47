"""What the receivables board shows, in the page's language: the figures of board.summary as
words and formatted amounts (skod.web.display.money), and the age chart per currency."""

from __future__ import annotations

from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from skod.dunning.board import chart as board_chart
from skod.dunning.board.summary import Board, CurrencyBoard, StepRate
from skod.dunning.receivables import labels
from skod.web import display

#: the age buckets' names, in board.BUCKETS' order ("not yet due" is counted in the first)
BUCKET_WORDS = (_l("0-7 d"), _l("8-15 d"), _l("16-30 d"), _l("31-45 d"), _l("46+ d"))
#: step -1 in the recovery table: the time before any reminder
BEFORE_REMINDERS = _l("Before any reminder (card retries)")


def board_view(board: Board, locale: str) -> dict:
    return {"currencies": [_currency(b, locale) for b in board.currencies],
            "month": format_date(board.today, "LLLL y", locale=locale)}


def _currency(b: CurrencyBoard, locale: str) -> dict:
    def money(amount: int) -> str:
        return display.money(amount, b.currency, locale)

    bars = [board_chart.Bar(str(label), amount, money(amount))
            for label, amount in zip(BUCKET_WORDS, b.ages, strict=True)]
    return {
        "currency": b.currency,
        "outstanding": money(b.outstanding_minor),
        "recovered_month": money(b.recovered_month_minor),
        "written_off": money(b.written_off_minor),
        "written_off_month": money(b.written_off_month_minor),
        "dso": ngettext("%(num)s day", "%(num)s days", b.dso_days)
        if b.dso_days is not None else "—",
        "columns": [{"step": c.step, "name": labels.step(c.step),
                     "open": money(c.open_minor), "open_count": c.open_count,
                     "paused": money(c.paused_minor), "paused_count": c.paused_count}
                    for c in b.columns],
        "chart": board_chart.render(
            bars, _("What is owed, by days past the due date (%(currency)s)",
                    currency=b.currency),
            format_list([_("%(label)s: %(detail)s", label=bar.label, detail=bar.text)
                         for bar in bars], locale=locale), b.currency),
        "rates": [_rate(r, money, locale) for r in b.rates],
    }


def _rate(rate: StepRate, money, locale: str) -> dict:  # noqa: ANN001
    name = str(BEFORE_REMINDERS) if rate.step == -1 else labels.step(rate.step)
    return {"step": rate.step, "name": name, "cases": rate.cases,
            "reached": money(rate.reached_minor), "paid": money(rate.paid_minor),
            "rate": format_percent(rate.rate, "#,##0 %", locale=locale)
            if rate.rate is not None else "—"}
