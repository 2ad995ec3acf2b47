"""The case page's dispute forms: answer, accept a part (an amount in money), accept all,
reject (a reason). Each posting form carries its CSRF token; its errors sit on its field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from skod.core.forms import Form
from skod.dunning.disputes.services import TEXT_MAX
from skod.web.forms import REQUIRED

TOO_LONG = _l("At most 2000 characters, please.")


class AnswerForm(Form):
    message = TextAreaField(_l("Your answer to the client"), validators=[
        InputRequired(REQUIRED), Length(max=TEXT_MAX, message=TOO_LONG)])


class PartForm(Form):
    amount = StringField(_l("Amount to take off what is owed"), validators=[
        InputRequired(REQUIRED), Length(max=20, message=_l("Not an amount."))])


class AllForm(Form):
    """Accept all: nothing to fill, the CSRF token only."""


class RejectForm(Form):
    reason = TextAreaField(_l("Why you reject it (sent to the client)"), validators=[
        InputRequired(REQUIRED), Length(max=TEXT_MAX, message=TOO_LONG)])


#: the action in the URL -> its form, and the name the case page gives it
FORMS = {"answer": ("answer_form", AnswerForm), "accept-part": ("part_form", PartForm),
         "accept-all": ("all_form", AllForm), "reject": ("reject_form", RejectForm)}


def blank() -> dict:
    """Every dispute form empty, for the case page (formdata=None: nothing read from a post)."""
    return {name: form(formdata=None) for name, form in FORMS.values()}
