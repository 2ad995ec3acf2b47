"""The board table's forms: the GET filter (state, stage, days late, search, sort, page: it
changes nothing, so no CSRF) and the bulk form (the action of the button pressed, with its
CSRF token; the checked rows come as repeated `ids` fields)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import AnyOf, Length, Optional, Regexp, ValidationError

from skod.core.forms import Form
from skod.dunning.board.table import DEFAULT_SORT, SORTS, Query
from skod.dunning.receivables.labels import STEP_WORDS
from skod.web.forms import SelectChoice

#: days late a filter may name (ten years: beyond it nothing is chased any more)
LATE_LIMIT = 3650
LATE_WORDS = _l("A whole number of days from 0 to 3650.")


def _days(form: Form, field: StringField) -> None:
    text = (field.data or "").strip()
    if not (text.isascii() and text.isdigit() and int(text) <= LATE_LIMIT):
        raise ValidationError(LATE_WORDS)


def _int(value: str | None) -> int | None:
    return int(value) if value else None


class BoardFilterForm(Form):
    class Meta:
        csrf = False

    status = SelectField(_l("Show"), default="owed", choices=[
        SelectChoice("owed", _l("Still owed")), SelectChoice("open", _l("Being chased")),
        SelectChoice("paused", _l("Paused")), SelectChoice("closed", _l("Closed"))])
    stage = SelectField(_l("Stage"), default="", choices=[
        SelectChoice("", _l("Every stage")),
        *(SelectChoice(str(step), words) for step, words in STEP_WORDS.items())])
    # text fields checked by hand: WTForms' IntegerField answers "abc" in its own words
    late_min = StringField(_l("Days late, from"), validators=[Optional(), _days])
    late_max = StringField(_l("Days late, up to"), validators=[Optional(), _days])
    q = StringField(_l("Search a client, an e-mail or an invoice"), validators=[
        Optional(), Length(max=100, message=_l("At most 100 characters."))])
    sort = StringField(validators=[Optional(), AnyOf(SORTS)])
    dir = StringField(validators=[Optional(), AnyOf(("asc", "desc"))])
    page = StringField(validators=[Optional(), Regexp(r"^[1-9]\d{0,4}$")])

    def validate_late_max(self, field: StringField) -> None:
        low = self.late_min.data if not self.late_min.errors else None
        if field.data and low and int(field.data) < int(low):
            raise ValidationError(_l("At least the first number of days."))

    def forgive(self) -> None:
        """A choice the page itself offers (state, stage, sort, page) that comes back
        unknown was not typed by a person: the default, with no message."""
        for name in ("status", "stage", "sort", "dir", "page"):
            if self[name].errors:
                self[name].errors, self[name].data = [], self[name].default

    def query(self) -> Query:
        """What the table lists: a field with an error counts as not given (its message is
        shown on it; the rest of the filter still applies)."""
        def good(name: str):  # noqa: ANN202
            field = self[name]
            return None if field.errors or field.data in (None, "") else field.data

        stage = good("stage")
        return Query(status=good("status") or "owed",
                     stage=int(stage) if stage is not None else None,
                     late_min=_int(good("late_min")), late_max=_int(good("late_max")),
                     search=(good("q") or "").strip(), sort=good("sort") or DEFAULT_SORT,
                     descending=good("dir") == "desc", page=_int(good("page")) or 1)
