"""The base of every page form: its text fields refuse control characters, with a form message.

A one-line field (StringField and its kinds: e-mail, password, search...) takes none of them, not
even a line break; a TextAreaField keeps line breaks and tabs (skod.core.text). The value is
checked as sent, before the field's filters (a SIREN's compaction would hide a line break).
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, StringField, TextAreaField
from wtforms.validators import ValidationError

from skod.core.text import line_problem, text_problem

LINE_ERROR = _l("Line breaks and other control characters are not accepted in this field.")
TEXT_ERROR = _l("Control characters other than line breaks and tabs are not accepted here.")


def _refusing(problem_of: Callable[[str], str | None], message: str) -> Callable:
    def check(form: FlaskForm, field: Field) -> None:
        sent = field.raw_data if field.raw_data else [field.data]
        if any(isinstance(value, str) and problem_of(value) for value in sent):
            raise ValidationError(message)

    return check


check_line = _refusing(line_problem, LINE_ERROR)
check_text = _refusing(text_problem, TEXT_ERROR)


class Form(FlaskForm):
    """FlaskForm whose every text field refuses control characters."""

    def validate(self, extra_validators: dict | None = None) -> bool:
        extra = {name: list(checks) for name, checks in (extra_validators or {}).items()}
        for name, field in self._fields.items():
            if isinstance(field, StringField):
                check = check_text if isinstance(field, TextAreaField) else check_line
                extra.setdefault(name, []).append(check)
        return super().validate(extra)
