"""The provider's reminder settings page (/dashboard/reminders): the days after the due date of
each ladder step and the days of the card retries, checked by the ladder's own rules; what they
refuse is shown on the form, in the page's language."""

from __future__ import annotations

import re

from flask import current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from skod.core.clock import utcnow
from skod.dunning.receivables import ladder_settings
from skod.dunning.receivables.blueprint import bp
from skod.dunning.receivables.forms import ReminderSettingsForm
from skod.dunning.rules.ladder import (
    DEFAULT_RETRY_DAYS,
    DEFAULT_STEPS,
    NOTICE_DEADLINE_DAYS,
    NOTICE_DEADLINE_RANGE,
    TEXT_LOCALES,
    SettingsError,
)


def _initial(provider_id: int) -> dict:
    current = ladder_settings.current(provider_id)
    data = {f"step{n}": days for n, days in current["offsets"].items()}
    data |= {f"text{n}_{loc}": words.get(loc, "") for n, words in current["texts"].items()
             for loc in TEXT_LOCALES}
    notice = current["formal_notice"]
    return data | {"retry_days": ", ".join(str(d) for d in current["retry_days"]),
                   "notice_days": notice["deadline_days"],
                   "notice_approval": notice["approval"]} | {
        f"claim_{kind}": current["claim_penalties"][kind] for kind in ("business", "public")}


def _show_error(form: ReminderSettingsForm, err: SettingsError) -> None:
    """The ladder's refusal on the field it is about (its text, in the page's language)."""
    text = str(err)
    gap = int(current_app.config["DUNNING_MIN_GAP"].days)
    if match := re.match(r"step (\d+): offset_days", text):
        field = getattr(form, f"step{match.group(1)}", None)
        if field is not None:
            field.errors = [*field.errors, _("From 1 to 365 days.")]
            return
    if text.startswith("retry_days"):
        form.retry_days.errors = [*form.retry_days.errors, _(
            "Up to 5 days, each from 1 to 14, in increasing order.")]
        return
    if text.startswith("formal_notice"):
        low, high = NOTICE_DEADLINE_RANGE
        form.notice_days.errors = [*form.notice_days.errors, _(
            "From %(low)s to %(high)s days.", low=low, high=high)]
        return
    if text.startswith("steps must stay"):
        form.form_errors.append(_(
            "Each step must come at least %(n)s days after the previous one, in the order "
            "of the ladder.", n=gap))
        return
    form.form_errors.append(_("These settings cannot be saved: %(reason)s", reason=text))


@bp.route("/dashboard/reminders", methods=["GET", "POST"])
@login_required
def reminder_settings() -> ResponseReturnValue:
    form = ReminderSettingsForm(data=_initial(current_user.id))
    if form.validate_on_submit():
        try:
            ladder_settings.save(current_user.id, form.offsets(), form.retries(), utcnow(),
                                 texts=form.texts(), formal_notice=form.formal_notice(),
                                 claim_penalties=form.claim_penalties())
        except SettingsError as err:
            _show_error(form, err)
        else:
            flash(_("Your reminder settings are saved."), "success")
            return redirect(url_for("dunning_pages.reminder_settings"))
    defaults = {"offsets": {s.number: s.offset_days for s in DEFAULT_STEPS if s.offset_days},
                "retry_days": ", ".join(str(d) for d in DEFAULT_RETRY_DAYS),
                "notice_days": NOTICE_DEADLINE_DAYS, "notice_range": NOTICE_DEADLINE_RANGE}
    page = render_template("dunning/provider_settings.html", form=form, defaults=defaults,
                           gap=int(current_app.config["DUNNING_MIN_GAP"].days))
    return page, 422 if form.errors else 200
