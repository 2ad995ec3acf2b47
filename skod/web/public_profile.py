"""The provider's public profile page (photo, a few lines, languages) and the photo as served
on the provider's public page. The rules are `accounts.public_profile`'s."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectMultipleField, TextAreaField, widgets
from wtforms.validators import Length, Optional

from skod.accounts import public_profile as profile
from skod.core.clock import utcnow
from skod.core.errors import Invalid
from skod.core.forms import Form
from skod.extensions import db
from skod.web.blueprint import bp, current_locale
from skod.web.public import provider_or_404


class PublicProfileForm(Form):
    photo = FileField(_l("Photo"))
    remove_photo = BooleanField(_l("Remove the photo"))
    bio = TextAreaField(_l("About you"), validators=[Optional(), Length(max=profile.BIO_MAX)])
    languages = SelectMultipleField(_l("Languages you work in"), choices=[],
                                    option_widget=widgets.CheckboxInput(),
                                    widget=widgets.ListWidget(prefix_label=False))


def _form(provider) -> PublicProfileForm:  # noqa: ANN001 - the signed-in Provider
    form = PublicProfileForm(bio=provider.bio, languages=(provider.languages or "").split(","))
    locale = current_locale()
    form.languages.choices = [(code, name) for code, name in zip(
        profile.LANGUAGES, profile.language_names_of(profile.LANGUAGES, locale), strict=True)]
    return form


@bp.route("/dashboard/public-profile", methods=["GET", "POST"])
@login_required
def public_profile() -> ResponseReturnValue:
    provider = current_user._get_current_object()
    form = _form(provider)
    if form.validate_on_submit():
        upload = request.files.get("photo")
        try:
            profile.save(provider, bio=form.bio.data, languages=form.languages.data or [],
                         photo=upload.read() if upload and upload.filename else None,
                         remove_photo=form.remove_photo.data, now=utcnow())
        except Invalid as err:  # the photo (the form checks the rest): say it in words
            db.session.rollback()
            if profile.TOO_MANY_PIXELS in (err.fields or {}).get("photo", []):
                form.photo.errors = [_("This photo is too large: at most 10,000 pixels a side "
                                       "and 40 million pixels in all.")]
            elif "photo" in (err.fields or {}):
                form.photo.errors = [_("Choose a JPEG, PNG or WebP photo of at most 5 MB.")]
            else:
                form.form_errors.append(_("Please check the form."))
        else:
            flash(_("Your public profile is saved."), "success")
            return redirect(url_for("web.public_profile"))
    page = render_template("web/public_profile.html", form=form, provider=provider)
    return page, 422 if form.errors or form.form_errors else 200


@bp.get("/p/<slug>/photo.jpg")
def provider_photo(slug: str) -> ResponseReturnValue:
    provider = provider_or_404(slug)
    if provider.photo is None:
        abort(404)
    return Response(provider.photo, mimetype="image/jpeg",
                    headers={"Cache-Control": "public, max-age=3600"})
