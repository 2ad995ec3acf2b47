"""The provider's profile page: the legal identity, VAT regime and terms its invoices print.

Invoices are issued in the provider's name, so the law wants these details on them (see
templates/web/_legal_banner.html for the notice listing what is still missing).
"""

from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError

from skod.accounts import services as accounts
from skod.accounts.models import Provider
from skod.accounts.schemas import ProfileUpdateSchema
from skod.core import validation_words
from skod.web.blueprint import bp
from skod.web.forms import ProfileForm, vat_regime_of


def _other_vat(provider: Provider) -> str | None:
    """The VAT setting in words when no choice of the form matches it (set through the API)."""
    if vat_regime_of(provider) is not None:
        return None
    if provider.vat_exempt_mention:
        return provider.vat_exempt_mention
    if provider.vat_rate_bp is not None:
        rate = format_decimal(Decimal(provider.vat_rate_bp) / 100)
        return _("VAT at %(rate)s %%", rate=rate)
    return None


def _schema_error(form: ProfileForm, err: ValidationError) -> list[str]:
    """The schema's messages on their fields; those no field shows, for the top."""
    fields = err.messages.get("legal", err.messages) if isinstance(err.messages, dict) else {}
    return validation_words.attach_to_form(form, fields)


@bp.route("/dashboard/profile", methods=["GET", "POST"])
@login_required
def profile() -> ResponseReturnValue:
    provider = current_user._get_current_object()
    capital = provider.share_capital_minor
    form = ProfileForm(obj=provider, vat_regime=vat_regime_of(provider),
                       share_capital=None if capital is None
                       else f"{capital // 100}.{capital % 100:02d}")
    if form.validate_on_submit():
        try:
            data = ProfileUpdateSchema().load(form.to_data())
        except ValidationError as err:  # rare: the form checks the same rules
            form.form_errors.extend(_schema_error(form, err))
        else:
            accounts.update_profile(provider, data)
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("web.profile"))
    page = render_template("web/profile.html", form=form, other_vat=_other_vat(provider))
    return page, 422 if form.errors else 200
