"""Flask-WTF forms of the provider's inbox (each one carries its CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from skod.core.forms import Form
from skod.messages.schemas import MAX_BODY
from skod.web.forms import REQUIRED


class ReplyForm(Form):
    body = TextAreaField(_l("Your answer"), validators=[DataRequired(REQUIRED),
                                                        Length(max=MAX_BODY)])


class DeclineForm(Form):
    note = TextAreaField(_l("A note for the client (optional)"),
                         validators=[Optional(), Length(max=2000)])
