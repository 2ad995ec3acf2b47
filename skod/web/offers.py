"""The provider's offers and weekly opening hours."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import select

from skod.catalog import services as catalog
from skod.catalog.models import Offer
from skod.catalog.schemas import AvailabilitySchema, OfferCreateSchema
from skod.catalog.slots import DAYS
from skod.core.errors import DomainError
from skod.extensions import db
from skod.web import display
from skod.web.blueprint import bp, current_locale
from skod.web.forms import AvailabilityForm, OfferForm, format_ranges


def _hours_form() -> AvailabilityForm:
    form = AvailabilityForm(prefix="hours")
    avail = catalog.availability_of(current_user.id)
    if not form.is_submitted():
        form.timezone.data = avail.timezone if avail else current_user.timezone
        form.buffer_minutes.data = avail.buffer_minutes if avail else 0
        for day in DAYS:
            getattr(form, day).data = format_ranges((avail.weekly if avail else {}).get(day, []))
    return form


def _page(offer_form: OfferForm | None = None,
          hours_form: AvailabilityForm | None = None) -> str:
    offer_form = offer_form or OfferForm(prefix="offer", currency=current_user.currency)
    offers = db.session.scalars(select(Offer).where(Offer.provider_id == current_user.id)
                                .order_by(Offer.id)).all()
    locale = current_locale()
    rows = [{"offer": o, "price": display.price_words(o, locale)} for o in offers]
    return render_template("web/offers.html", rows=rows, offer_form=offer_form,
                           hours_form=hours_form or _hours_form())


@bp.get("/dashboard/offers")
@login_required
def offers() -> ResponseReturnValue:
    return _page()


def _schema_errors(form, err: ValidationError) -> None:  # noqa: ANN001 - a FlaskForm
    """Marshmallow messages (rare: the form checks the same rules) shown at the top."""
    form.form_errors.append(_("Please check the form: %(fields)s",
                              fields=", ".join(sorted(err.messages))))


@bp.post("/dashboard/offers")
@login_required
def create_offer() -> ResponseReturnValue:
    form = OfferForm(prefix="offer")
    if not form.validate_on_submit():
        return _page(offer_form=form), 422
    try:
        catalog.create_offer(current_user, OfferCreateSchema().load(form.to_data()))
    except ValidationError as err:
        _schema_errors(form, err)
        return _page(offer_form=form), 422
    except DomainError as err:
        db.session.rollback()
        form.form_errors.append(display.error_text(err))
        return _page(offer_form=form), 422
    flash(_("The offer is online."), "success")
    return redirect(url_for("web.offers"))


@bp.post("/dashboard/availability")
@login_required
def save_availability() -> ResponseReturnValue:
    form = _hours_form()
    if not form.validate_on_submit():
        return _page(hours_form=form), 422
    try:
        catalog.set_availability(current_user, AvailabilitySchema().load(form.to_data()))
    except ValidationError as err:
        _schema_errors(form, err)
        return _page(hours_form=form), 422
    flash(_("Your opening hours are saved."), "success")
    return redirect(url_for("web.offers"))
