"""The statement upload form of the receivables page (a file and, for a CSV, which column is
which) and the review buttons of a proposed line; each carries its CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from skod.core.forms import Form
from skod.core.money import CURRENCY_EXPONENTS
from skod.dunning.bank_statements.csv_lines import CsvMapping
from skod.web.forms import SelectChoice

_COLUMN = [Optional(), Length(max=60)]


class ImportForm(Form):
    statement = FileField(_l("Bank statement file"), validators=[
        FileRequired(_l("Choose the statement file your bank gave you."))])
    kind = SelectField(_l("Format"), default="auto", choices=[
        SelectChoice("auto", _l("Find out from the file")),
        SelectChoice("camt", _l("CAMT.053 (XML)")), SelectChoice("csv", _l("CSV"))])
    date_column = StringField(_l("CSV column of the date"), default="date",
                              validators=[InputRequired(), Length(max=60)])
    amount_column = StringField(_l("CSV column of the amount (credits positive)"),
                                default="amount", validators=[InputRequired(), Length(max=60)])
    reference_column = StringField(_l("CSV column of the reference"), default="reference",
                                   validators=_COLUMN)
    label_column = StringField(_l("CSV column of the label (optional)"), validators=_COLUMN)
    payer_column = StringField(_l("CSV column of the payer (optional)"), validators=_COLUMN)
    currency = SelectField(_l("CSV currency"), default="EUR",
                           choices=[SelectChoice(c, c) for c in CURRENCY_EXPONENTS])

    def mapping(self) -> CsvMapping:
        return CsvMapping(date=self.date_column.data, amount=self.amount_column.data,
                          reference=self.reference_column.data or None,
                          label=self.label_column.data or None,
                          payer=self.payer_column.data or None, currency=self.currency.data)


class ReviewForm(Form):
    """Accept (on the debt chosen) or dismiss a proposed line."""

    receivable_id = HiddenField(validators=[Optional(), Regexp(r"^\d{1,10}$")])
