"""Flask-WTF forms of the client's pay page (each one carries its CSRF token). The rules that
matter (the date's range in the client's calendar, a plan's instalments) are the services';
these only read the input."""

from __future__ import annotations

from datetime import timedelta

from babel.dates import format_date
from flask_babel import LazyString, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from skod.core.clock import utcnow
from skod.core.forms import Form
from skod.dunning.debts.cases import DISPUTE_REASON_MAX
from skod.dunning.rules.plan_split import MAX_INSTALMENTS, MIN_INSTALMENTS
from skod.web.forms import REQUIRED, SelectChoice


class DisputeForm(Form):
    reason = TextAreaField(_l("Why do you dispute this amount?"), validators=[
        DataRequired(REQUIRED),
        Length(max=DISPUTE_REASON_MAX, message=_l("At most 2000 characters, please."))])


def enter_day_words() -> str:
    """"Enter a date, like 14/12/2026.": the example a week from today, in the day/month/year
    form the field reads (never an ISO date, never a day already past)."""
    example = format_date(utcnow().date() + timedelta(days=7), "dd/MM/yyyy",
                          locale=get_locale() or "fr")
    return _("Enter a date (day/month/year), like %(example)s.", example=example)


ENTER_DAY = LazyString(enter_day_words)


class DayField(DateField):
    """A date picker's day (or one typed by hand), refused in the page's own words."""

    def process_formdata(self, valuelist: list) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as err:
            raise ValueError(ENTER_DAY) from err


class InstalmentsField(SelectField):
    """2 to 6, refused in the page's own words."""

    def process_formdata(self, valuelist: list) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as err:
            raise ValueError(PLAN_CHOICE) from err

    def pre_validate(self, form: FlaskForm) -> None:
        try:
            super().pre_validate(form)
        except ValidationError as err:
            raise ValidationError(PLAN_CHOICE) from err


PLAN_CHOICE = _l("Choose between 2 and 6 instalments.")


class PromiseForm(Form):
    day = DayField(_l("I will pay on"), format=["%Y-%m-%d", "%d/%m/%Y"],
                   validators=[InputRequired(ENTER_DAY)])


class PlanForm(Form):
    instalments = InstalmentsField(
        _l("Number of monthly instalments"), coerce=int, default=3,
        choices=[SelectChoice(n, str(n)) for n in range(MIN_INSTALMENTS, MAX_INSTALMENTS + 1)],
        validators=[InputRequired(REQUIRED)])
