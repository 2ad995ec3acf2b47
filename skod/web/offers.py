"""The provider's offers (create, edit, pause, resume, archive) and weekly opening hours.

The forms load through the API's schema (OfferCreateSchema) and call the same catalog services,
so a page and the API accept and refuse the same offers."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import select

from skod.catalog import services as catalog
from skod.catalog.models import ACTION_STATUS, Offer
from skod.catalog.schemas import AvailabilitySchema, OfferCreateSchema
from skod.catalog.slots import DAYS
from skod.core.errors import DomainError, NotFound
from skod.extensions import db
from skod.web import display
from skod.web.blueprint import bp, current_locale
from skod.web.forms import ActionForm, AvailabilityForm, format_ranges
from skod.web.offer_form import OfferForm

OFFER_STATUS_WORDS = {"active": _l("Online"), "paused": _l("Paused: not bookable"),
                      "archived": _l("Archived")}
DONE_WORDS = {"pause": _l("The offer is paused: nobody can book it until you resume it."),
              "resume": _l("The offer is online again."),
              "archive": _l("The offer is archived: it no longer appears on your page.")}


def _hours_form(posted: bool = False) -> AvailabilityForm:
    """The opening-hours form: as sent when it is the form posted, else the saved hours (a
    post of the offer form must not empty it: saving it then would wipe the hours)."""
    if posted:
        return AvailabilityForm(prefix="hours")
    form = AvailabilityForm(prefix="hours", formdata=None)
    avail = catalog.availability_of(current_user.id)
    form.timezone.data = avail.timezone if avail else current_user.timezone
    form.buffer_minutes.data = avail.buffer_minutes if avail else 0
    for day in DAYS:
        getattr(form, day).data = format_ranges((avail.weekly if avail else {}).get(day, []))
    return form


def _page(offer_form: OfferForm | None = None,
          hours_form: AvailabilityForm | None = None) -> str:
    # The form not posted is built without the request's data: it shows its defaults, not
    # the other form's post read as empty fields.
    offer_form = offer_form or OfferForm(prefix="offer", formdata=None,
                                         currency=current_user.currency)
    offers = db.session.scalars(select(Offer).where(Offer.provider_id == current_user.id)
                                .order_by(Offer.id)).all()
    locale = current_locale()
    rows = [{"offer": o, "price": display.price_words(o, locale),
             "state": str(OFFER_STATUS_WORDS[o.status])} for o in offers]
    return render_template("web/offers.html", rows=[r for r in rows if r["offer"].status !=
                                                     "archived"],
                           archived=[r for r in rows if r["offer"].status == "archived"],
                           offer_form=offer_form, hours_form=hours_form or _hours_form(),
                           action_form=ActionForm())


@bp.get("/dashboard/offers")
@login_required
def offers() -> ResponseReturnValue:
    return _page()


def _schema_errors(form, err: ValidationError) -> None:  # noqa: ANN001 - a FlaskForm
    """Marshmallow messages (rare: the form checks the same rules) shown at the top."""
    form.form_errors.append(_("Please check the form: %(fields)s",
                              fields=", ".join(sorted(err.messages))))


def _save(form: OfferForm, offer_id: int | None) -> bool:
    """Load the form through the API schema and save it; False with the reason on the form.
    The service rolls back and changes nothing when a term is refused."""
    try:
        data = OfferCreateSchema().load(form.to_data())
        if offer_id is None:
            catalog.create_offer(current_user, data)
        else:
            catalog.update_offer(current_user, offer_id, data)
    except ValidationError as err:
        _schema_errors(form, err)
        return False
    except NotFound:
        abort(404)
    except DomainError as err:
        form.form_errors.append(display.error_text(err))
        return False
    return True


@bp.post("/dashboard/offers")
@login_required
def create_offer() -> ResponseReturnValue:
    form = OfferForm(prefix="offer")
    if not form.validate_on_submit() or not _save(form, None):
        return _page(offer_form=form), 422
    flash(_("The offer is online."), "success")
    return redirect(url_for("web.offers"))


def _own_or_404(offer_id: int) -> Offer:
    try:
        offer = catalog.own_offer(current_user, offer_id)
    except NotFound:
        abort(404)
    if offer.status == "archived":
        abort(404)  # archived for good: nothing left to edit
    return offer


@bp.route("/dashboard/offers/<int:offer_id>", methods=["GET", "POST"])
@login_required
def edit_offer(offer_id: int) -> ResponseReturnValue:
    offer = _own_or_404(offer_id)
    form = OfferForm(prefix="offer")
    if not form.is_submitted():
        form.fill(offer, current_locale())
    form.kind.data = offer.kind  # the kind of an offer never changes
    if form.is_submitted():
        if form.validate() and _save(form, offer.id):
            flash(_("The offer is saved."), "success")
            return redirect(url_for("web.offers"))
        db.session.refresh(offer)
        return render_template("web/offer_edit.html", offer=offer, form=form), 422
    return render_template("web/offer_edit.html", offer=offer, form=form)


@bp.post("/dashboard/offers/<int:offer_id>/<any(pause, resume, archive):action>")
@login_required
def offer_action(offer_id: int, action: str) -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        catalog.set_offer_status(current_user, offer_id, ACTION_STATUS[action])
    except NotFound:
        abort(404)
    except DomainError:  # the only refusal: the offer is archived (a stale page)
        db.session.rollback()
        flash(_("This offer is archived: it cannot be put back online."), "error")
        return redirect(url_for("web.offers"))
    flash(str(DONE_WORDS[action]), "success")
    return redirect(url_for("web.offers"))


@bp.post("/dashboard/availability")
@login_required
def save_availability() -> ResponseReturnValue:
    form = _hours_form(posted=True)
    if not form.validate_on_submit():
        return _page(hours_form=form), 422
    try:
        catalog.set_availability(current_user, AvailabilitySchema().load(form.to_data()))
    except ValidationError as err:
        _schema_errors(form, err)
        return _page(hours_form=form), 422
    flash(_("Your opening hours are saved."), "success")
    return redirect(url_for("web.offers"))
