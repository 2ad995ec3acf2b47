"""Forms of the provider's dunning pages: the actions' confirmation forms
and the reminder settings (each posting form carries its CSRF token)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from skod.core.forms import Form
from skod.dunning.recourse.labels import ROUTES
from skod.dunning.rules.ladder import NOTICE_DEADLINE_DAYS
from skod.dunning.rules.recourse_routes import CHOOSABLE
from skod.web.forms import REQUIRED, SelectChoice

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]  # the date picker, or a date typed by hand


class PauseForm(Form):
    until = DateField(_l("Resume by itself on (optional)"), format=DATE_FORMATS,
                      validators=[Optional()])
    note = TextAreaField(_l("Note for your records (optional)"),
                         validators=[Optional(), Length(max=500)])


class WriteOffForm(Form):
    note = TextAreaField(_l("Note for your records (optional)"),
                         validators=[Optional(), Length(max=500)])


class MarkPaidForm(Form):
    amount = StringField(_l("Amount received (empty: all of the balance)"),
                         validators=[Optional(), Length(max=20)])


class InsolvencyForm(Form):
    """The recourse file's insolvency check: the day BODACC was looked at, or "insolvent"."""

    answer = RadioField(_l("What you found"), validators=[InputRequired(REQUIRED)],
                        choices=[SelectChoice("solvent", _l("The client is not in insolvency "
                                                            "proceedings")),
                                 SelectChoice("insolvent", _l("The client is in insolvency "
                                                              "proceedings"))])
    checked_on = DateField(_l("Checked on the BODACC on"), format=DATE_FORMATS,
                           validators=[Optional()])


class RouteForm(Form):
    """The provider's own route for the recourse file, with the reason kept in it."""

    route = SelectField(_l("Route"), validators=[InputRequired(REQUIRED)],
                        choices=[SelectChoice(code, ROUTES[code]) for code in CHOOSABLE])
    reason = TextAreaField(_l("Why this route"), validators=[
        InputRequired(REQUIRED), Length(min=3, max=500)])


class ClientDetailsForm(Form):
    """The provider corrects a client's details (the client page)."""

    name = StringField(_l("Name"), validators=[InputRequired(REQUIRED), Length(max=200)])
    kind = SelectField(_l("Client type"), choices=[
        SelectChoice("consumer", _l("Consumer")), SelectChoice("business", _l("Business")),
        SelectChoice("public", _l("Public body"))])
    company_name = StringField(_l("Company name"), validators=[Optional(), Length(max=200)])
    legal_form = StringField(_l("Legal form"), validators=[Optional(), Length(max=64)])
    siren = StringField(_l("SIREN"), validators=[Optional(), Regexp(r"^\d{9}$",
                                                                    message=_l("9 digits."))])
    trade_register = SelectField(_l("Registered at"), choices=[
        SelectChoice("", _l("neither (or not known)")),
        SelectChoice("rcs", _l("RCS (a commerçant or a company)")),
        SelectChoice("rm", _l("RM (an artisan)"))])
    address = TextAreaField(_l("Postal address"), validators=[Optional(), Length(max=500)])

    def to_data(self) -> dict:
        data = {name: getattr(self, name).data for name in (
            "name", "kind", "company_name", "legal_form", "siren", "address")}
        return data | {"registry": self.trade_register.data or None}


class ConfirmForm(Form):
    """Resume, remind, accept or refuse a plan: only the CSRF token."""


def parse_days(text: str | None) -> list[int] | None:
    """ "1, 3, 5" -> [1, 3, 5]; None when it is not whole numbers separated by commas."""
    parts = [p for p in re.split(r"[\s,;]+", (text or "").strip()) if p]
    if not all(p.isdigit() and len(p) <= 3 for p in parts):
        return None
    return [int(p) for p in parts]


def _days_list(form: FlaskForm, field: StringField) -> None:
    if parse_days(field.data) is None:
        raise ValidationError(_l("Whole numbers separated by commas, like 1, 3, 5."))


class ReminderSettingsForm(Form):
    """Days after the due date of each step, and of the card retries after a failure. The
    rules (growing, minimum gap, ranges) are the ladder's own: ladder.settings_from."""

    step1 = IntegerField(_l("Friendly reminder: days after the due date"),
                         validators=[InputRequired(REQUIRED)])
    step2 = IntegerField(_l("Formal reminder: days after the due date"),
                         validators=[InputRequired(REQUIRED)])
    step3 = IntegerField(_l("Formal notice: days after the due date"),
                         validators=[InputRequired(REQUIRED)])
    step4 = IntegerField(_l("Recourse file: days after the due date"),
                         validators=[InputRequired(REQUIRED)])
    retry_days = StringField(_l("Card retries: days after the failure"),
                             validators=[Optional(), Length(max=40), _days_list])
    # the mise en demeure: its final deadline (ladder.settings_from checks 8-15), approval
    notice_days = IntegerField(_l("Formal notice: final deadline, in days"),
                               validators=[Optional()])
    notice_approval = BooleanField(_l("I approve each formal notice before it is sent"))
    # late-payment interest and the 40 EUR, by default, per kind of client (a debt may differ);
    # no reminder states a consumer's figures (their interest runs from the mise en demeure)
    claim_business = BooleanField(_l("Claim them from business clients"))
    claim_public = BooleanField(_l("Claim them from public bodies"))

    # the provider's own words in each step's e-mail, per language of the client
    text0_fr = TextAreaField(_l("Notice, in French"), validators=[Optional(), Length(max=1000)])
    text0_en = TextAreaField(_l("Notice, in English"), validators=[Optional(), Length(max=1000)])
    text1_fr = TextAreaField(_l("Friendly reminder, in French"),
                             validators=[Optional(), Length(max=1000)])
    text1_en = TextAreaField(_l("Friendly reminder, in English"),
                             validators=[Optional(), Length(max=1000)])
    text2_fr = TextAreaField(_l("Formal reminder, in French"),
                             validators=[Optional(), Length(max=1000)])
    text2_en = TextAreaField(_l("Formal reminder, in English"),
                             validators=[Optional(), Length(max=1000)])

    def offsets(self) -> dict[int, int]:
        return {n: getattr(self, f"step{n}").data for n in (1, 2, 3, 4)}

    def texts(self) -> dict[int, dict[str, str]]:
        return {n: {loc: getattr(self, f"text{n}_{loc}").data or "" for loc in ("fr", "en")}
                for n in (0, 1, 2)}

    def formal_notice(self) -> dict:
        days = self.notice_days.data
        return {"approval": bool(self.notice_approval.data),
                "deadline_days": NOTICE_DEADLINE_DAYS if days is None else days}

    def claim_penalties(self) -> dict[str, bool]:
        return {kind: bool(getattr(self, f"claim_{kind}").data)
                for kind in ("business", "public")}

    def retries(self) -> list[int]:
        return parse_days(self.retry_days.data) or []
